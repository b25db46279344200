// Starts GOV.UK Frontend's components once the page has loaded (a module script runs deferred).
import { ErrorSummary, initAll } from "./govuk-frontend.min.js";

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

// Files chosen for upload are checked here, before anything is sent, against the limits the server
// keeps (data-max-files, data-max-file-bytes), in the server's own words (data-too-many, data-too-big).
// Why in the browser as well: a body over the request limit is answered 413 before the form is read
// (holding or reading on through an oversize upload is what the limit is there to prevent), so the
// server cannot give the page back with the words typed. Stopped here, nothing typed is lost.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  for (const input of form.querySelectorAll("input[type=file][data-max-file-bytes]")) {
    const problem = fileProblem(input);
    if (problem) {
      event.preventDefault();
      showFileProblem(input, problem);
      return;
    }
  }
});

function fileProblem(input) {
  const files = Array.from(input.files ?? []);
  if (files.length > Number(input.dataset.maxFiles)) return input.dataset.tooMany;
  const tooBig = files.find((file) => file.size > Number(input.dataset.maxFileBytes));
  return tooBig ? input.dataset.tooBig.replace("{name}", tooBig.name) : null;
}

// The GOV.UK error summary and the field's error message, as the server would draw them.
function showFileProblem(input, message) {
  const group = input.closest(".govuk-form-group");
  group?.classList.add("govuk-form-group--error");
  input.classList.add("govuk-file-upload--error");
  const errorId = `${input.id}-error`;
  let error = document.getElementById(errorId);
  if (!error) {
    error = document.createElement("p");
    error.id = errorId;
    error.className = "govuk-error-message";
    input.before(error);
    input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") ?? ""} ${errorId}`.trim());
  }
  const hidden = document.createElement("span");
  hidden.className = "govuk-visually-hidden";
  hidden.textContent = "Error:";
  error.replaceChildren(hidden, ` ${message}`);

  document.querySelector(".govuk-error-summary")?.remove();
  const summary = document.createElement("div");
  summary.className = "govuk-error-summary";
  summary.dataset.module = "govuk-error-summary";
  const alert = document.createElement("div");
  alert.setAttribute("role", "alert");
  const title = document.createElement("h2");
  title.className = "govuk-error-summary__title";
  title.textContent = "There is a problem";
  const body = document.createElement("div");
  body.className = "govuk-error-summary__body";
  const list = document.createElement("ul");
  list.className = "govuk-list govuk-error-summary__list";
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = `#${input.id}`;
  link.textContent = message;
  item.append(link);
  list.append(item);
  body.append(list);
  alert.append(title, body);
  summary.append(alert);
  const column = input.closest(".govuk-grid-column-two-thirds") ?? input.form;
  column.prepend(summary);
  if (!document.title.startsWith("Error: ")) document.title = `Error: ${document.title}`;
  new ErrorSummary(summary);
}
