"""Single sign-on for staff: off to the organisation's identity provider, and back."""

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from app.auth import set_session_cookie
from app.config import Settings
from app.dependencies import ActorDep, IdentityDep, SessionDep, SettingsDep, requires, writes_on_get
from app.permissions import Permission
from app.rendering import render
from app.routers.pages.inputs import safe_next
from app.services.auth import oidc
from app.services.auth.oidc_refusals import SingleSignOnRefused

router = APIRouter()


def _require_configured(settings: Settings) -> None:
    """Without an issuer and a client id there is no single sign-on: the addresses do not exist."""
    if not settings.single_sign_on_enabled:
        raise HTTPException(status_code=404)


def _clear_pending(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        oidc.COOKIE_NAME, path=oidc.COOKIE_PATH, httponly=True, samesite="lax", secure=settings.secure_cookies
    )


def _refusal_page(request: Request, settings: Settings, refused: SingleSignOnRefused) -> Response:
    response = render(
        request,
        "pages/single_sign_on/refused.html",
        {
            "problem": refused.problem.value,
            "sso_name": settings.oidc_display_name,
            "reference": getattr(request.state, "request_id", ""),
        },
        status_code=refused.status_code,
    )
    _clear_pending(response, settings)
    return response


@router.get("/sign-in/sso", dependencies=[requires(Permission.PUBLIC)])
@writes_on_get
def start_single_sign_on(
    request: Request, db: SessionDep, settings: SettingsDep, actor: ActorDep, next: str = "/"
) -> Response:
    _require_configured(settings)
    try:
        authorisation = oidc.start_sign_in(db, settings, actor, safe_next(next))
    except SingleSignOnRefused as refused:
        return _refusal_page(request, settings, refused)
    response = RedirectResponse(authorisation.url, status_code=303)
    response.set_cookie(
        oidc.COOKIE_NAME,
        authorisation.cookie,
        max_age=oidc.COOKIE_LIFETIME_SECONDS,
        path=oidc.COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


@router.get("/sign-in/sso/callback", dependencies=[requires(Permission.PUBLIC)])
@writes_on_get
def finish_single_sign_on(
    request: Request, db: SessionDep, settings: SettingsDep, actor: ActorDep, identity: IdentityDep
) -> Response:
    _require_configured(settings)
    try:
        signed_in = oidc.finish_sign_in(
            db,
            settings,
            actor,
            sealed=request.cookies.get(oidc.COOKIE_NAME),
            callback=dict(request.query_params),
            replaces=identity.session,
        )
    except SingleSignOnRefused as refused:
        return _refusal_page(request, settings, refused)
    response = RedirectResponse(safe_next(signed_in.next), status_code=303)
    set_session_cookie(response, signed_in.session_token, settings)
    _clear_pending(response, settings)
    return response
