"""The app tries routes in `app.routers.ROUTE_ORDER`, the most asked-for first: no route may hide another."""

import re

from fastapi.routing import APIRoute
from starlette.routing import Match

from app.config import Settings
from app.main import create_app
from app.routers import HOT, ROUTE_ORDER, api, pages


def test_every_part_is_included_once() -> None:
    assert sorted(part.__name__ for part in ROUTE_ORDER) == sorted(
        part.__name__ for part in (*api.PARTS, *pages.PARTS)
    )
    assert ROUTE_ORDER[: len(HOT)] == HOT


def test_each_route_answers_its_own_address(tmp_path) -> None:
    """For every route, an address made from its own pattern reaches it, not one tried before it."""
    app = create_app(Settings(data_dir=tmp_path))
    routes = _api_routes(app.router.routes)
    assert len(routes) > 150
    for route in routes:
        path = re.sub(r"\{[^}:]+(:[^}]+)?\}", _sample, route.path)
        for method in sorted(route.methods):
            scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
            first = next(candidate for candidate in routes if candidate.matches(scope)[0] is Match.FULL)
            assert (first.path, first.endpoint) == (route.path, route.endpoint), f"{method} {path}"


def _sample(match: re.Match[str]) -> str:
    name = match.group(0)
    return "F" if "section" in name else "zz-sample" if "token" in name or "code" in name else "7"


def _api_routes(routes: list) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(_api_routes(route.original_router.routes))
    return found
