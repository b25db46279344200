"""Who is making this request: a session cookie (pages) or a bearer token (API).

Also the cookies themselves, so that every door sets them the same way.
"""

from dataclasses import dataclass

from fastapi import Request, Response
from sqlmodel import Session

from app.config import Settings
from app.models import Person, UserSession
from app.services.auth.api_tokens import person_for_token
from app.services.auth.secrets import new_token
from app.services.auth.sessions import find_session

SESSION_COOKIE = "oneplan_session"
BROWSER_COOKIE = "oneplan_browser"
"""A random value for anonymous visitors, binding their CSRF token (no database row)."""


@dataclass(frozen=True)
class Identity:
    person: Person | None
    """Fully signed in; None for visitors and for a sign-in waiting on its second factor."""
    session: UserSession | None = None
    pending: Person | None = None
    """Signed in by password, second factor still to come."""
    by_token: bool = False
    csrf_binding: str = ""


def identify(request: Request, db: Session, settings: Settings) -> Identity:
    authorization = request.headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        return Identity(person=person_for_token(db, authorization[7:].strip()), by_token=True)
    token = request.cookies.get(SESSION_COOKIE)
    active = find_session(db, settings, token)
    if active is None:
        browser = request.cookies.get(BROWSER_COOKIE)
        return Identity(person=None, csrf_binding=f"browser:{browser}" if browser else "")
    binding = f"session:{active.record.token_hash}"
    if not active.complete:
        return Identity(person=None, session=active.record, pending=active.person, csrf_binding=binding)
    return Identity(person=active.person, session=active.record, csrf_binding=binding)


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_absolute_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/"
    )


def ensure_browser_cookie(request: Request, response: Response, settings: Settings) -> str:
    """The anonymous visitor's CSRF binding, creating it on first sight."""
    value = request.cookies.get(BROWSER_COOKIE)
    if not value:
        value = new_token()
        response.set_cookie(
            BROWSER_COOKIE, value, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/"
        )
    return value
