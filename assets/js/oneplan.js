// Starts GOV.UK Frontend's components once the page has loaded (a module script runs deferred).
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

// htmx swaps fragments into the page (forms and items of the plan page): start GOV.UK Frontend's
// components in each new fragment too. The page itself was started above.
document.addEventListener("htmx:load", (event) => {
  const element = event.detail.elt;
  if (element instanceof Element && element !== document.body) initAll({ scope: element });
});

// htmx swaps only successful answers. When the server refuses (the plan was issued meanwhile, or a
// part that does not allow this), show its error page: a link is followed as a page, and a form's
// answer takes the place of the page's main content, with the focus on it.
document.addEventListener("htmx:responseError", (event) => {
  const { xhr, requestConfig, pathInfo } = event.detail;
  if (requestConfig?.verb === "get" && pathInfo?.requestPath) {
    window.location.assign(pathInfo.requestPath);
    return;
  }
  const answer = new DOMParser().parseFromString(xhr.responseText, "text/html");
  const main = document.querySelector("main");
  const shown = answer.querySelector("main");
  if (!main || !shown) return;
  main.replaceChildren(...shown.childNodes);
  document.title = answer.title;
  main.focus();
});
