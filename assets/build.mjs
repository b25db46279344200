// Builds static/ (git-ignored) from assets/ and the pinned npm packages: no CDN, nothing fetched at run time.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static");
const modules = join(root, "node_modules");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "images"), { recursive: true });

const css = sass.compile(join(root, "assets/scss/oneplan.scss"), {
  loadPaths: [modules],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "oneplan.css"), css.css);

const copies = [
  ["govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk-frontend.min.js"],
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
];
for (const [from, to] of copies) copyFileSync(join(modules, from), join(out, to));
copyFileSync(join(root, "assets/js/oneplan.js"), join(out, "oneplan.js"));
copyFileSync(join(root, "assets/images/favicon.svg"), join(out, "images/favicon.svg"));
console.log(`Built ${out}: oneplan.css (${css.css.length} bytes), scripts and images.`);
