"""Password reset and invitations (open to anyone who holds the link) and the outbox (administrators)."""

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from app.models import LinkPurpose, Person, PersonRole
from app.services.auth.links import create_link
from tests.factories import make_person
from tests.matrix import Relationship, Route, only, statuses

NEW_PASSWORD = {"password": "a long matrix phrase", "confirm_password": "a long matrix phrase"}


def _link(purpose: LinkPurpose) -> Any:
    """A live link for a new family member, whoever the caller is: the link is the credential."""

    def params(db: Session, _caller: Person | None, _relationship: Relationship) -> Mapping[str, Any]:
        return {
            "token": create_link(db, purpose, make_person(db, PersonRole.PARENT_CARER, password=None), None)
        }

    return params


ROUTES = [
    Route("GET", "/password-reset", {Relationship.NONE: statuses(200)}),
    Route(
        "POST", "/password-reset", {Relationship.NONE: statuses(200)}, form={"email": "nobody@test.example"}
    ),
    Route("GET", "/password-reset/changed", {Relationship.NONE: statuses(200)}),
    Route(
        "GET",
        "/password-reset/{token}",
        {Relationship.NONE: statuses(200)},
        params=_link(LinkPurpose.PASSWORD_RESET),
    ),
    Route(
        "POST",
        "/password-reset/{token}",
        {Relationship.NONE: statuses(303)},
        params=_link(LinkPurpose.PASSWORD_RESET),
        form=NEW_PASSWORD,
    ),
    Route(
        "GET",
        "/invitations/{token}",
        {Relationship.NONE: statuses(200)},
        params=_link(LinkPurpose.INVITATION),
    ),
    Route(
        "POST",
        "/invitations/{token}",
        {Relationship.NONE: statuses(303)},
        params=_link(LinkPurpose.INVITATION),
        form=NEW_PASSWORD,
    ),
    Route(
        "GET",
        "/outbox",
        {Relationship.NONE: only({PersonRole.ADMINISTRATOR}, 200, refused=403, anonymous=303)},
    ),
]
