"""Links are built from route names (app/urls.py): every name a router or a template uses is the name of
exactly one route, so a route renamed or moved breaks this test, not a link in front of a person."""

import re
from collections import Counter
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from app.urls import Page, path_for

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
URL_FOR = re.compile(r"""url_for\(\s*['"]([^'"]+)['"]""")


def _route_names(app: FastAPI) -> Counter[str]:
    return Counter(context.name for context in iter_route_contexts(app.routes))


def _template_names() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for template in TEMPLATES.rglob("*.html"):
        for name in URL_FOR.findall(template.read_text()):
            used.setdefault(name, set()).add(str(template.relative_to(TEMPLATES)))
    return used


def test_no_two_routes_share_a_name(app: FastAPI) -> None:
    """A page route that does what an API route does is named for the page (`add_item_form`)."""
    assert [name for name, count in _route_names(app).items() if count > 1] == []


def test_every_page_a_router_sends_people_to_is_one_route(app: FastAPI) -> None:
    names = _route_names(app)
    assert {page.name: names[page.value] for page in Page if names[page.value] != 1} == {}


def test_every_name_the_templates_link_with_is_one_route(app: FastAPI) -> None:
    names = _route_names(app)
    used = _template_names()
    assert len(used) > 10
    assert {name: where for name, where in used.items() if names[name] != 1} == {}


def test_a_path_has_its_parameters_then_its_query_and_fragment(app: FastAPI) -> None:
    path = path_for(app, Page.MEMBERS, plan_id=7, query={"added": 3, "next": "/plans"}, fragment="add")
    assert path == "/plans/7/members?added=3&next=/plans#add"
