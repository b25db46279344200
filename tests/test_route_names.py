"""Links are built from route names (app/urls.py): every name a router or a template uses is the name of
exactly one route, so a route renamed or moved breaks this test, not a link in front of a person."""

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import NoMatchFound

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


def test_every_named_route_links_as_the_app_would_for_ids_and_for_other_values(app: FastAPI) -> None:
    """Links are filled into each route's path kept from the first time (app/urls.py): for any id, and
    for a value that is not an id, the path is the one the app's own look-up gives."""
    for context in iter_route_contexts(app.routes):
        keys = re.findall(r"{(\w+)", context.path)
        for value in (7, 1234567, "a-word"):
            params = dict.fromkeys(keys, value)
            assert _linked(path_for, app, context.name, params) == _linked(
                type(app).url_path_for, app, context.name, params
            )


def _linked(build: Callable[..., object], app: FastAPI, name: str, params: dict[str, object]) -> str:
    try:
        return str(build(app, name, **params))
    except NoMatchFound:  # the static files' mount, say: named, but not linked by a route's name
        return "no route"
