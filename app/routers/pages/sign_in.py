"""Sign in by e-mail and password, and sign out."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from app.auth import clear_session_cookie, set_session_cookie
from app.dependencies import ActorDep, IdentityDep, SessionDep, SettingsDep, requires
from app.permissions import Permission
from app.rendering import render
from app.routers.pages.inputs import safe_next
from app.services.auth.sign_in import SignInProblem, sign_in_with_password, sign_out

router = APIRouter()


@router.get("/sign-in", dependencies=[requires(Permission.PUBLIC)])
def sign_in_page(request: Request, settings: SettingsDep, next: str = "/") -> Response:
    return render(
        request,
        "pages/sign_in/sign_in.html",
        {
            "errors": {},
            "email": "",
            "next": safe_next(next),
            "sso_enabled": settings.single_sign_on_enabled,
            "sso_name": settings.oidc_display_name,
        },
    )


@router.post("/sign-in", dependencies=[requires(Permission.PUBLIC)])
def sign_in(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    identity: IdentityDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = "Enter your e-mail address"
    if not password:
        errors["password"] = "Enter your password"
    if not errors:
        try:
            signed_in = sign_in_with_password(db, settings, actor, email, password, replaces=identity.session)
        except SignInProblem as problem:
            errors["email"] = str(problem)
        else:
            target = "/sign-in/second-factor" if signed_in.needs_second_factor else safe_next(next)
            if signed_in.needs_second_factor:
                target += f"?next={safe_next(next)}"
            response = RedirectResponse(target, status_code=303)
            set_session_cookie(response, signed_in.session_token, settings)
            return response
    context = {
        "errors": errors,
        "email": email,
        "next": safe_next(next),
        "sso_enabled": settings.single_sign_on_enabled,
        "sso_name": settings.oidc_display_name,
    }
    return render(request, "pages/sign_in/sign_in.html", context)


@router.post("/sign-out", dependencies=[requires(Permission.PUBLIC)])
def sign_out_now(db: SessionDep, settings: SettingsDep, actor: ActorDep, identity: IdentityDep) -> Response:
    if identity.session is not None:
        sign_out(db, actor, identity.session)
    response = RedirectResponse("/signed-out", status_code=303)
    clear_session_cookie(response, settings)
    return response


@router.get("/signed-out", dependencies=[requires(Permission.PUBLIC)])
def signed_out(request: Request) -> Response:
    return render(request, "pages/sign_in/signed_out.html")
