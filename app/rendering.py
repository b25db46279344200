"""Render a page with what every page needs: the signed-in person, their menu and a CSRF token."""

from typing import Any

from fastapi import Request
from starlette.responses import Response

from app.auth import Identity, ensure_browser_cookie
from app.config import Settings
from app.models import Person, PersonRole
from app.permissions import Permission, role_may
from app.services.auth.csrf import csrf_token
from app.templating import get_templates

# The menu: (label, address, permission); each person sees the entries their role allows.
MENU: tuple[tuple[str, str, Permission], ...] = (
    ("Dashboard", "/dashboard", Permission.READ_PLANS),
    ("Plans", "/plans", Permission.READ_PLANS),
    ("Council dashboard", "/la/dashboard", Permission.READ_LA_OVERVIEW),
    ("Children and plans", "/la/plans", Permission.READ_LA_OVERVIEW),
    ("Audit", "/audit", Permission.READ_AUDIT_TRAIL),
    ("Organisations", "/admin/organisations", Permission.MANAGE_ORGANISATIONS),
    ("People", "/admin/people", Permission.MANAGE_PEOPLE),
    ("Outbox", "/outbox", Permission.READ_OUTBOX),
    ("Your children", "/account/children", Permission.SET_UP_CHILD_SIGN_IN),
    ("Your account", "/account", Permission.MANAGE_OWN_ACCOUNT),
)


def is_child(person: Person | None) -> bool:
    """A child under 16: their pages use the children's layout, with no menu of staff pages."""
    return person is not None and person.role is PersonRole.CHILD and not person.makes_own_decisions


def navigation_for(person: Person | None, current_path: str, settings: Settings) -> list[dict[str, Any]]:
    if person is None or is_child(person):
        return []  # a child's pages have no menu (layouts/child.html): only home and sign out
    entries = [(label, href) for label, href, permission in MENU if role_may(person, permission)]
    # The entry whose address is the longest start of this page's is the current one.
    matching = [
        href for _label, href in entries if current_path == href or current_path.startswith(href + "/")
    ]
    current = max(matching, key=len, default=None)
    return [{"text": label, "href": href, "active": href == current} for label, href in entries]


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block_name: str | None = None,
) -> Response:
    """The page (or, with block_name, one block of it for HTMX) with the shared context filled in."""
    settings: Settings = request.app.state.settings
    identity: Identity = getattr(request.state, "identity", Identity(person=None))
    response = Response()
    binding = identity.csrf_binding or f"browser:{ensure_browser_cookie(request, response, settings)}"
    page_context = {
        "current_person": identity.person,
        "navigation_items": navigation_for(identity.person, request.url.path, settings),
        "csrf_token": csrf_token(settings.secret_key, binding),
        "for_child": is_child(identity.person),
        "plan_words": getattr(request.state, "plan_words", None),
        **(context or {}),
    }
    rendered = get_templates().TemplateResponse(
        request, template, page_context, status_code=status_code, block_name=block_name
    )
    for name, value in response.headers.items():
        if name == "set-cookie":
            rendered.headers.append(name, value)
    # The same address may answer with a whole page or, for htmx, a fragment: caches must tell them apart.
    rendered.headers["Vary"] = "HX-Request"
    return rendered


def render_part(template: str, context: dict[str, Any]) -> str:
    """A part of a page on its own, with no request: what it shows must come from `context` alone."""
    return get_templates().env.get_template(template).render(context)
