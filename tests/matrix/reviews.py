"""Reviews with progress per outcome: the team on the plan rates each outcome, the child and family add
their own words, the coordinator finishes the review; everyone on the plan reads it.

OWN: the caller is on the plan in the part their account fits (see plan_management); OTHER: a plan of
another council the caller is not on. The review is open and the plan has one outcome.
"""

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from app.models import (
    Item,
    ItemKind,
    ItemRevision,
    Person,
    PersonRole,
    PlanMember,
    PlanReview,
    ProgressRating,
    ReviewProgress,
    Section,
)
from app.models.base import id_of
from tests.matrix import SEES_NO_PLAN, Relationship, Route, only
from tests.matrix.plan_management import _plan, reading

TEAM = frozenset(
    {PersonRole.EDUCATION, PersonRole.HEALTH, PersonRole.SOCIAL_CARE, PersonRole.LA_CASE_OFFICER}
)
FAMILY = frozenset({PersonRole.CHILD, PersonRole.PARENT_CARER})
READERS = frozenset(set(PersonRole) - {PersonRole.ADMINISTRATOR})
COORDINATORS = frozenset({PersonRole.EDUCATION, PersonRole.LA_CASE_OFFICER})


def _open_review(
    db: Session, caller: Person | None, relationship: Relationship, *, rated: bool = False
) -> Mapping[str, Any]:
    plan = _plan(db, caller, relationship)
    coordinator = db.exec(
        select(PlanMember).where(PlanMember.plan_id == plan.id, PlanMember.is_coordinator)
    ).one()
    outcome = Item(
        plan_id=id_of(plan), section=Section.E, kind=ItemKind.OUTCOME, author_id=coordinator.person_id
    )
    db.add(outcome)
    db.flush()
    revision = ItemRevision(
        item_id=id_of(outcome), number=1, author_id=coordinator.person_id, text="Reads aloud"
    )
    db.add(revision)
    db.flush()
    outcome.current_revision_id, outcome.revision_number = revision.id, 1
    review = PlanReview(
        plan_id=id_of(plan),
        cycle_number=1,
        held_on=plan.created_at.date(),
        participants="Everyone",
        what_worked="Reading",
        what_changes="More reading",
        recorded_by_id=coordinator.person_id,
    )
    db.add_all([outcome, review])
    db.flush()
    if rated:
        db.add(
            ReviewProgress(review_id=id_of(review), item_id=id_of(outcome), rating=ProgressRating.ACHIEVED)
        )
        db.flush()
    return {"plan_id": plan.id, "review_id": review.id, "item_id": outcome.id}


def _rated_review(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    return _open_review(db, caller, relationship, rated=True)


def page_by(roles: frozenset[PersonRole], allowed: int) -> dict[Relationship, dict[str, int]]:
    return {
        Relationship.OWN: only(roles, allowed, refused=403, anonymous=303) | SEES_NO_PLAN,
        Relationship.OTHER: only(roles, 404, refused=404, anonymous=303),
    }


def api_by(roles: frozenset[PersonRole], allowed: int) -> dict[Relationship, dict[str, int]]:
    return {
        Relationship.OWN: only(roles, allowed, refused=403, anonymous=401) | SEES_NO_PLAN,
        Relationship.OTHER: only(roles, 404, refused=404, anonymous=401),
    }


REVIEW = "/plans/{plan_id}/reviews/{review_id}"
API = "/api/v1/plans/{plan_id}/reviews/{review_id}"

ROUTES = [
    Route("GET", REVIEW, reading(200), params=_open_review),
    # The forms sent empty: nothing to write, but who may send them at all (a scenario writes).
    Route("POST", f"{REVIEW}/progress", page_by(TEAM, 303), params=_open_review),
    Route("POST", f"{REVIEW}/own-words", page_by(FAMILY, 303), params=_open_review),
    Route("GET", f"{API}/progress", api_by(READERS, 200), params=_open_review),
    Route("GET", "/api/v1/plans/{plan_id}/progress", api_by(READERS, 200), params=_open_review),
    Route(
        "PUT",
        f"{API}/outcomes/{{item_id}}/progress",
        api_by(TEAM, 200),
        params=_open_review,
        json={"rating": "some_progress", "words": "Steady."},
    ),
    Route(
        "PUT",
        f"{API}/outcomes/{{item_id}}/own-words",
        api_by(FAMILY, 200),
        params=_open_review,
        json={"words": "I like the reading books."},
    ),
    Route("POST", f"{API}/finish", api_by(COORDINATORS, 200), params=_rated_review),
]
