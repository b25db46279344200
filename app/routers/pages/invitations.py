"""Accepting an invitation: the invited person chooses a password and is signed in.

Families are signed in at once; staff go on to their second factor (set up on first use).
"""

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.auth import set_session_cookie
from app.dependencies import ActorDep, IdentityDep, SessionDep, SettingsDep, requires
from app.forms.account import NewPasswordForm
from app.models import LinkPurpose
from app.permissions import Permission
from app.rendering import render
from app.routers.pages.dead_links import dead_link_status
from app.routers.pages.inputs import FormValues
from app.services.auth import links

router = APIRouter()
SECOND_FACTOR_PAGE = "/sign-in/second-factor?next=/"


def _dead_link_page(request: Request, refused: links.LinkRefused) -> Response:
    context = {"reason": refused.reason.name.lower()}
    return render(request, "pages/invitations/dead_link.html", context, status_code=dead_link_status(refused))


def _form(request: Request, live: links.LiveLink, token: str, errors: dict[str, str]) -> Response:
    context = {"errors": errors, "token": token, "email": live.person.email}
    return render(request, "pages/invitations/set_password.html", context)


@router.get("/invitations/{token}", dependencies=[requires(Permission.PUBLIC)])
def invitation_page(request: Request, token: str, db: SessionDep, actor: ActorDep) -> Response:
    try:
        live = links.find_live_link(db, actor, LinkPurpose.INVITATION, token)
    except links.LinkRefused as refused:
        return _dead_link_page(request, refused)
    return _form(request, live, token, {})


@router.post("/invitations/{token}", dependencies=[requires(Permission.PUBLIC)])
def accept(
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
            accepted = links.accept_invitation(
                db, actor, token, typed.password, typed.confirm_password, replaces=identity.session
            )
        except links.LinkRefused as refused:
            return _dead_link_page(request, refused)
        except links.PasswordRejected as rejected:
            errors = NewPasswordForm.problem_errors(rejected)
        else:
            response = RedirectResponse(
                SECOND_FACTOR_PAGE if accepted.needs_second_factor else "/", status_code=303
            )
            set_session_cookie(response, accepted.session_token, settings)
            return response
    try:
        live = links.find_live_link(db, actor, LinkPurpose.INVITATION, token)
    except links.LinkRefused as refused:
        return _dead_link_page(request, refused)
    return _form(request, live, token, errors)
