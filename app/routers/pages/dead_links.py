"""A link from an e-mail that no longer works (a password reset, an invitation): what happened to it."""

from fastapi import Request
from starlette.responses import Response

from app.rendering import render
from app.services.auth import links


def dead_link_status(refused: links.LinkRefused) -> int:
    """A link never issued is not found (404); a used, expired or closed one is gone (410)."""
    return 404 if refused.reason is links.LinkRefusal.UNKNOWN else 410


def dead_link_page(request: Request, refused: links.LinkRefused) -> Response:
    """What happened to the link, and how to ask for a new one."""
    context = {"reason": refused.reason.name.lower()}
    return render(
        request, "pages/password_reset/dead_link.html", context, status_code=dead_link_status(refused)
    )
