"""Password reset by an e-mailed link: ask for it, then choose a new password.

The request page answers the same whether or not the address has an account.
"""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth import clear_session_cookie
from app.dependencies import ActorDep, IdentityDep, SessionDep, SettingsDep, requires
from app.forms.account import NewPasswordForm, PasswordResetForm
from app.models import LinkPurpose
from app.permissions import Permission
from app.rendering import render
from app.routers.pages.dead_links import dead_link_page
from app.routers.pages.inputs import FormValues
from app.services.auth import links
from app.urls import Page, see_other

router = APIRouter()


@router.get("/password-reset", dependencies=[requires(Permission.PUBLIC)])
def ask_page(request: Request) -> Response:
    return render(request, "pages/password_reset/ask.html", {"errors": {}, "email": ""})


@router.post("/password-reset", dependencies=[requires(Permission.PUBLIC)])
def ask(
    request: Request, db: SessionDep, settings: SettingsDep, actor: ActorDep, form: FormValues
) -> Response:
    typed, errors = PasswordResetForm.read(form)
    if typed is None:
        context = {"errors": errors, "email": form.get("email", "")}
        return render(request, "pages/password_reset/ask.html", context)
    links.request_password_reset(db, settings, actor, typed.email)
    return render(request, "pages/password_reset/check_email.html", {"email": typed.email})


@router.get("/password-reset/changed", dependencies=[requires(Permission.PUBLIC)])
def changed_page(request: Request) -> Response:
    """After the change (a page of its own, so that the header no longer shows the ended session)."""
    return render(request, "pages/password_reset/changed.html")


@router.get("/password-reset/{token}", dependencies=[requires(Permission.PUBLIC)])
def new_password_page(request: Request, token: str, db: SessionDep, actor: ActorDep) -> Response:
    try:
        links.find_live_link(db, actor, LinkPurpose.PASSWORD_RESET, token)
    except links.LinkRefused as refused:
        return dead_link_page(request, refused)
    return render(request, "pages/password_reset/new_password.html", {"errors": {}, "token": token})


@router.post("/password-reset/{token}", dependencies=[requires(Permission.PUBLIC)])
def set_new_password(
    request: Request,
    token: str,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    identity: IdentityDep,
    form: FormValues,
) -> Response:
    typed, errors = NewPasswordForm.read(form)
    if typed is not None:
        try:
            person = links.reset_password(db, actor, token, typed.password, typed.confirm_password)
        except links.LinkRefused as refused:
            return dead_link_page(request, refused)
        except links.PasswordRejected as rejected:
            errors = NewPasswordForm.problem_errors(rejected)
        else:
            response = see_other(request, Page.PASSWORD_CHANGED)
            if identity.session is not None and identity.session.person_id == person.id:
                clear_session_cookie(response, settings)  # that session has just ended with the others
            return response
    return render(request, "pages/password_reset/new_password.html", {"errors": errors, "token": token})
