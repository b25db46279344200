"""Your account: who you are here, and your API tokens."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPerson, RowId, SessionDep, requires
from app.errors import Refused
from app.forms.account import TokenForm
from app.models import Organisation
from app.permissions import Permission
from app.rendering import render
from app.routers.pages.inputs import FormValues
from app.services.auth import api_tokens
from app.urls import Page, see_other

router = APIRouter(prefix="/account", dependencies=[requires(Permission.MANAGE_OWN_ACCOUNT)])


@router.get("")
def account_page(request: Request, db: SessionDep, person: CurrentPerson) -> Response:
    organisation = db.get(Organisation, person.organisation_id) if person.organisation_id else None
    return render(request, "pages/account/index.html", {"person": person, "organisation": organisation})


@router.get("/tokens")
def tokens_page(request: Request, db: SessionDep, person: CurrentPerson) -> Response:
    return render(
        request,
        "pages/account/tokens.html",
        {"tokens": api_tokens.own_tokens(db, person), "errors": {}, "name": ""},
    )


@router.post("/tokens")
def create_token(
    request: Request, db: SessionDep, actor: ActorDep, person: CurrentPerson, form: FormValues
) -> Response:
    typed, errors = TokenForm.read(form)
    if typed is None:
        context = {
            "tokens": api_tokens.own_tokens(db, person),
            "errors": errors,
            "name": form.get("name", ""),
        }
        return render(request, "pages/account/tokens.html", context)
    token, secret = api_tokens.create_token(db, actor, person, typed.name)
    return render(request, "pages/account/token_created.html", {"token": token, "secret": secret})


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: RowId, db: SessionDep, actor: ActorDep) -> Response:
    try:
        api_tokens.revoke_token(db, actor, token_id)
    except api_tokens.TokenNotFound:
        raise Refused(
            404,
            "Not Found",
            action="api_token.revoke_refused",
            person=actor.person,
            object_type="api_token",
            object_id=token_id,
        ) from None
    return see_other(request, Page.API_TOKENS)
