// Starts GOV.UK Frontend's components once the page has loaded (a module script runs deferred).
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
