"""The addresses of pages, built from their routes' names: a route moved or renamed cannot leave a dead
link behind (tests/test_route_names.py checks that every name here and in the templates is a route's).

Routers redirect with `see_other(request, Page.PLAN, plan_id=...)`; templates link with the global
`url_for('plan_page', plan_id=...)` (app/templating.py), which gives the path, not a whole URL.
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import NoMatchFound
from starlette.types import ASGIApp


class Page(StrEnum):
    """The pages a router sends a person on to, by their route's name."""

    PLANS = "plans_page"
    PLAN = "plan_page"
    SECTION = "section_page"
    ITEM = "item_page"
    ITEM_LINKS = "links_page"
    MEMBERS = "members_page"
    STAGE = "stage_page"
    REVIEW = "review_page"
    TIMELINE = "timeline_page"
    DELIVERY = "delivery_page"
    WEEK = "week_page"
    NEEDS_MAP = "needs_map_page"
    TIMETABLE = "timetable_page"
    PROVISION_CHANGE = "change_page"
    MY_VIEWS = "my_views_page"
    CONCERN = "concern_page"
    COMPLAINT = "complaint_page"
    CONCERN_TIME = "concern_time_page"
    AUDIT = "audit_trail"
    SECOND_FACTOR = "enter_code_page"
    SECOND_FACTOR_SET_UP = "set_up_page"
    DASHBOARD = "dashboard_page"
    PLAN_EXPERTS = "plan_experts_page"
    INCLUSION_BASE = "inclusion_base_page"
    SETTING_SENCOS = "setting_sencos_page"
    ORGANISATIONS = "organisations_page"
    DELIVERER_ROLES = "deliverer_roles_page"
    EXPERT_SERVICES = "expert_services_page"
    PEOPLE = "people_page"
    API_TOKENS = "tokens_page"
    CHILD_SIGN_IN = "children_page"
    PASSWORD_CHANGED = "changed_page"
    SIGNED_OUT = "signed_out"
    SIGN_IN = "sign_in_page"
    WELCOME = "welcome_page"


_ROUTES: dict[str, ASGIApp] = {}
_TEMPLATES: WeakKeyDictionary[Any, dict[tuple[str, frozenset[str]], str | None]] = WeakKeyDictionary()
"""Per app, each page's path with its parameters left as `{name}`: found once (None where a route
converts its parameters itself, as `{n:int}` would)."""


def remember_routes(app: ASGIApp) -> None:
    """The app whose routes name the pages where no request is at hand (parts of a page kept between
    requests, PDFs): every app made by `create_app` has the same routes."""
    _ROUTES["app"] = app


def known_routes() -> ASGIApp:
    return _ROUTES["app"]


def path_for(
    app: ASGIApp,
    name: str,
    /,
    *,
    query: Mapping[str, object] | None = None,
    fragment: str = "",
    **params: object,
) -> str:
    """The path of the named route with its parameters filled in, then the query and the fragment."""
    path = str(_url_path_for(app, name, params))
    if query:
        path += "?" + urlencode({key: str(value) for key, value in query.items()}, safe="/")
    return f"{path}#{fragment}" if fragment else path


def _url_path_for(app: Any, name: str, params: dict[str, object]) -> Any:
    """`app.url_path_for`, from the page's path template when every parameter is a row's id.

    The app's own look-up asks each of its ~50 routers in turn, each asking each of its routes, at a
    raised exception each: 30 µs a link, which a list of 25 plans, each linked, pays 25 times. The
    routes are the same for the app's life, so a name's path is found once with its parameters as
    `{name}`, and an id (an int, as a route's default convertor writes it: `str(id)`) is put in."""
    known = _TEMPLATES.setdefault(app, {})
    key = (name, frozenset(params))
    if key not in known:
        known[key] = _template_of(app, name, params)
    template = known[key]
    if template is not None and all(type(value) is int for value in params.values()):
        return template.format_map(params)
    return app.url_path_for(name, **params)  # raises NoMatchFound, as the app's own look-up does


def _template_of(app: Any, name: str, params: dict[str, object]) -> str | None:
    try:
        path = str(app.url_path_for(name, **{key: f"{{{key}}}" for key in params}))
    except (NoMatchFound, AssertionError, ValueError):  # not a route, or one converting its own
        return None
    whole = path.count("{") == path.count("}") == len(params)
    return path if whole and all(path.count(f"{{{key}}}") == 1 for key in params) else None


def see_other(
    request: Request,
    page: Page,
    /,
    *,
    query: Mapping[str, object] | None = None,
    fragment: str = "",
    **params: object,
) -> RedirectResponse:
    """After a form is handled: on to the page (303, so the browser asks for it with GET)."""
    return RedirectResponse(
        path_for(request.app, page, query=query, fragment=fragment, **params), status_code=303
    )
