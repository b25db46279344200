"""Sign in by e-mail and password, and sign out."""

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.auth import clear_session_cookie, set_session_cookie
from app.dependencies import ActorDep, IdentityDep, SessionDep, SettingsDep, requires
from app.forms.sign_in import SignInForm
from app.permissions import Permission
from app.rendering import render
from app.routers.pages.inputs import FormValues, safe_next
from app.services.auth.sign_in import SignInProblem, sign_in_with_password, sign_out
from app.urls import Page, see_other

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
    form: FormValues,
) -> Response:
    next = safe_next(form.get("next", "/")[:2000])
    typed, errors = SignInForm.read(form)
    if typed is not None:
        try:
            signed_in = sign_in_with_password(
                db, settings, actor, typed.email, typed.password, replaces=identity.session
            )
        except SignInProblem as problem:
            errors = SignInForm.problem_errors(problem)
        else:
            target = f"/sign-in/second-factor?next={next}" if signed_in.needs_second_factor else next
            response = RedirectResponse(target, status_code=303)
            set_session_cookie(response, signed_in.session_token, settings)
            return response
    context = {
        "errors": errors,
        "email": form.get("email", ""),
        "next": next,
        "sso_enabled": settings.single_sign_on_enabled,
        "sso_name": settings.oidc_display_name,
    }
    return render(request, "pages/sign_in/sign_in.html", context)


@router.post("/sign-out", dependencies=[requires(Permission.PUBLIC)])
def sign_out_now(
    request: Request, db: SessionDep, settings: SettingsDep, actor: ActorDep, identity: IdentityDep
) -> Response:
    if identity.session is not None:
        sign_out(db, actor, identity.session)
    response = see_other(request, Page.SIGNED_OUT)
    clear_session_cookie(response, settings)
    return response


@router.get("/signed-out", dependencies=[requires(Permission.PUBLIC)])
def signed_out(request: Request) -> Response:
    return render(request, "pages/sign_in/signed_out.html")
