"""No write route accepts a field that the caller may not set: who owns, wrote or may do a thing
comes from the signed-in person and the rules, never from the request body."""

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlmodel import Session, select

from app.models import ApiToken, Person, PersonRole
from app.routes import app_routes
from tests.factories import make_person

# Fields that name an owner, an author, a role or a secret: the server decides them.
SERVER_DECIDES = {
    "id",
    "person_id",
    "owner_id",
    "author_id",
    "created_by_id",
    "actor_id",
    "recorded_by_id",
    "role",
    "organisation_id",
    "password_hash",
    "totp_secret",
    "token_hash",
    "deactivated_at",
    "second_factor_done",
    "sso_subject",
}
# Where choosing one of them is the very point of the form, and the route's permission guards it:
# an administrator invites staff; a plan's coordinator chooses who joins the plan and in what part.
CHOSEN_ON_PURPOSE = {
    ("POST", "/admin/people/invite"): {"role", "organisation_id"},
    ("POST", "/api/v1/plans/{plan_id}/members"): {"role", "person_id", "organisation_id"},
    ("POST", "/plans/{plan_id}/members"): {"role", "organisation_id"},
    # The case officer chooses which organisation (and, if they know them, which person) to ask.
    ("POST", "/api/v1/plans/{plan_id}/advice-requests"): {"organisation_id", "person_id"},
}


def _field_names(annotation: Any, name: str) -> Iterator[str]:
    yield name
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for field_name, field in annotation.model_fields.items():
            yield from _field_names(field.annotation, field.alias or field_name)


def test_no_write_route_takes_a_field_the_server_decides(app: FastAPI) -> None:
    offending = []
    for route in app_routes(app):
        for method in route.methods - {"GET", "OPTIONS"}:
            allowed = CHOSEN_ON_PURPOSE.get((method, route.path), set())
            for param in route.dependant.body_params:
                for field_name in _field_names(param.field_info.annotation, param.alias):
                    if field_name in SERVER_DECIDES - allowed:
                        offending.append(f"{method} {route.path}: {field_name}")
    assert offending == []


def test_a_token_always_belongs_to_whoever_made_it(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    maker = make_person(db_session, password=None)
    victim = make_person(db_session, password=None)
    csrf = sign_in_as(maker)
    client.post("/account/tokens", data={"name": "sneaky", "person_id": str(victim.id), "csrf_token": csrf})
    token = db_session.exec(select(ApiToken).where(ApiToken.name == "sneaky")).one()
    assert token.person_id == maker.id


def test_signing_in_cannot_choose_a_role(client: TestClient, db_session: Session) -> None:
    parent = make_person(db_session, PersonRole.PARENT_CARER, password="correct horse battery")
    page = client.get("/sign-in").text
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(
        "/sign-in",
        data={
            "email": parent.email,
            "password": "correct horse battery",
            "role": "administrator",
            "csrf_token": csrf,
        },
    )
    db_session.refresh(parent)
    assert parent.role is PersonRole.PARENT_CARER
    assert client.get("/admin/people").status_code == 403
