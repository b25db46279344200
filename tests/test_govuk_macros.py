"""GOV.UK Frontend's macros, as ported to Jinja, give the HTML that GOV.UK Frontend's own fixtures expect.

The fixtures ship in the pinned npm package; a mismatch means govuk-frontend and
govuk-frontend-jinja have drifted apart (see README, front-end assets).
"""

import json
import re
from pathlib import Path
from typing import Any

import html5lib
import pytest
from jinja2 import Environment, PackageLoader, PrefixLoader

COMPONENTS = Path(__file__).resolve().parent.parent / "node_modules/govuk-frontend/dist/govuk/components"
ENVIRONMENT = Environment(
    loader=PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}), autoescape=True
)


def _fixtures() -> list[Any]:
    cases = []
    for fixtures_file in sorted(COMPONENTS.glob("*/fixtures.json")):
        component = fixtures_file.parent.name
        for fixture in json.loads(fixtures_file.read_text())["fixtures"]:
            cases.append(pytest.param(component, fixture, id=f"{component}: {fixture['name']}"))
    return cases


def _canonical(html: str) -> list[Any]:
    """The fragment as a tree of (tag, sorted attributes, text), ignoring formatting whitespace."""
    fragment = html5lib.parseFragment(html, namespaceHTMLElements=False)

    def text(value: str | None) -> str:
        return re.sub(r"\s+", " ", value or "").strip()

    def walk(element: Any) -> list[Any]:
        nodes: list[Any] = [text(element.text)] if text(element.text) else []
        for child in element:
            nodes.append((child.tag, sorted(child.attrib.items()), walk(child)))
            if text(child.tail):
                nodes.append(text(child.tail))
        return nodes

    return walk(fragment)


def test_fixtures_are_there() -> None:
    assert len(_fixtures()) > 600, "run `npm ci` first: the fixtures come from the govuk-frontend package"


@pytest.mark.parametrize(("component", "fixture"), _fixtures())
def test_macro_matches_govuk_frontend(component: str, fixture: dict[str, Any]) -> None:
    macro_name = "govuk" + "".join(part.title() for part in component.split("-"))
    module = ENVIRONMENT.get_template(f"govuk_frontend_jinja/components/{component}/macro.html").module
    rendered = str(getattr(module, macro_name)(fixture["options"]))
    assert _canonical(rendered) == _canonical(fixture["html"])
