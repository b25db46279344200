"""Children's sign-in cards: their own parents set them up (never administrators); anyone may open a card."""

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from app.actor import Actor
from app.config import Settings
from app.models import FamilyLink, Person, PersonRole
from app.models.base import id_of
from app.services.auth import child_cards
from tests.factories import make_person
from tests.matrix import Relationship, Route, only, statuses

SET_UP = frozenset({PersonRole.PARENT_CARER})
PICTURES = ("cat", "sun", "boat")


def _child_of(db: Session, parent: Person | None) -> Person:
    child = make_person(db, PersonRole.CHILD, email=None, password=None)
    if parent is not None:
        db.add(FamilyLink(parent_id=id_of(parent), child_id=id_of(child)))
        db.flush()
    return child


def _child_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """OWN: a child linked to the caller; OTHER: someone else's child."""
    parent = caller if relationship is Relationship.OWN else make_person(db, password=None)
    return {"child_id": _child_of(db, parent).id}


def _card_params(db: Session, _caller: Person | None, _relationship: Relationship) -> Mapping[str, Any]:
    parent = make_person(db, password=None)
    child = _child_of(db, parent)
    issued = child_cards.create_card(db, Settings(), Actor.command(parent), child, PICTURES)
    return {"token": issued.token}


def set_up(allowed: int) -> dict[Relationship, dict[str, int]]:
    """Parents for their own child only; other roles (administrators too) never."""
    return {
        Relationship.OWN: only(SET_UP, allowed, refused=403, anonymous=303),
        Relationship.OTHER: {
            **only(SET_UP, allowed, refused=403, anonymous=303),
            PersonRole.PARENT_CARER.value: 404,
        },
    }


ROUTES = [
    Route("GET", "/account/children", {Relationship.NONE: only(SET_UP, 200, refused=403, anonymous=303)}),
    Route("GET", "/account/children/{child_id}/sign-in-card", set_up(200), params=_child_params),
    Route(
        "POST",
        "/account/children/{child_id}/sign-in-card",
        set_up(200),
        params=_child_params,
        form={"first": "cat", "second": "sun", "third": "boat"},
    ),
    Route("POST", "/account/children/{child_id}/sign-in-card/revoke", set_up(303), params=_child_params),
    Route(
        "POST",
        "/account/children/{child_id}/family-word",
        set_up(303),
        params=_child_params,
        form={"child_calls": "mum"},
    ),
    Route("GET", "/card/{token}", {Relationship.NONE: statuses(200)}, params=_card_params),
    Route(
        "POST",
        "/card/{token}",
        {Relationship.NONE: statuses(303)},
        params=_card_params,
        form={"chosen": "cat sun", "picture": "boat"},
    ),
    Route("GET", "/welcome", {Relationship.NONE: statuses(200, anonymous=303)}),
]
