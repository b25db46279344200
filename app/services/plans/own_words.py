"""The child's and each family member's own words about an outcome at a review.

Parent and child views are first-class evidence: each person's words are kept apart, exactly as
written, attributed to who wrote them. A second parent's words sit beside the first's, never in place
of them. A person may correct their own words while the review is open: their earlier wording stays
(marked replaced) and the correction is audited; nobody can change anyone else's words.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import ENDED_STATUSES, Item, ItemKind, MemberRole, Person, PlanReview, ProgressWords
from app.models.base import as_utc, id_of, utc_now
from app.permissions import PlanAccess, may_add_progress_words
from app.services import audit
from app.services.plans.access import refuse, refuse_change
from app.services.plans.plans import PlanProblem

WORDS_LENGTH = 2000


class OwnWords(BaseModel):
    """The child's or a parent's own words about one outcome, kept as they wrote them."""

    item_id: int
    words: str = Field(min_length=1, max_length=WORDS_LENGTH)


@dataclass(frozen=True)
class Earlier:
    """Words their writer later corrected: kept, and shown as what they wrote before."""

    words: str
    written_at: datetime


@dataclass(frozen=True)
class Said:
    """One person's words about one outcome at one review, as they stand, with who wrote them."""

    id: int
    """The words' own row: what a citation names."""
    person_id: int
    name: str
    by_child: bool
    words: str
    written_at: datetime
    earlier: list[Earlier] = field(default_factory=list)


def open_for_change(access: PlanAccess, review: PlanReview) -> None:
    """A review's record changes only while it is open and the plan has not ended (409 otherwise)."""
    if review.finished_at is not None:
        refuse_change(access, "This review is finished: its record cannot change.", action="review.refused")
    if access.plan.status in ENDED_STATUSES:
        refuse_change(access, "This plan has ended.", action="review.refused")


def check_outcomes(db: Session, access: PlanAccess, item_ids: list[int]) -> None:
    """Each item sent is one of this plan's outcomes; a problem with what was sent otherwise."""
    outcomes = set(
        db.exec(
            select(Item.id).where(
                col(Item.id).in_(item_ids),
                col(Item.plan_id) == access.plan.id,
                col(Item.kind) == ItemKind.OUTCOME.value,
            )
        )
    )
    stranger = next((item_id for item_id in item_ids if item_id not in outcomes), None)
    if stranger is not None:
        raise PlanProblem("item_id", f"Item {stranger} is not an outcome of this plan")


def add_own_words(
    db: Session, actor: Actor, access: PlanAccess, review: PlanReview, said: list[OwnWords]
) -> list[ProgressWords]:
    """The child's or a family member's own words, verbatim, beside everyone else's.

    Words they wrote before about the same outcome are kept, marked replaced (a correction, audited as
    one); words the same as theirs already are not written again. Three queries however many are sent.
    """
    if not may_add_progress_words(access):
        refuse(access, "Only the child and their family add their own words here.", action="review.refused")
    open_for_change(access, review)
    if not said:
        return []
    check_outcomes(db, access, [one.item_id for one in said])
    person_id = id_of(access.person)
    standing = {
        row.item_id: row
        for row in db.exec(
            select(ProgressWords).where(
                col(ProgressWords.review_id) == review.id,
                col(ProgressWords.person_id) == person_id,
                col(ProgressWords.item_id).in_([one.item_id for one in said]),
                col(ProgressWords.replaced_at).is_(None),
            )
        )
    }
    by_child = access.member_role is MemberRole.CHILD
    now = utc_now()
    added, corrected, earlier_ids, written = [], [], [], []
    for one in said:
        before = standing.get(one.item_id)
        if before is not None and before.words == one.words:
            continue
        if before is not None:
            before.replaced_at = now
            db.add(before)
            corrected.append(one.item_id)
            earlier_ids.append(id_of(before))
        else:
            added.append(one.item_id)
        row = ProgressWords(
            review_id=id_of(review),
            item_id=one.item_id,
            person_id=person_id,
            by_child=by_child,
            words=one.words,
            written_at=now,
        )
        db.add(row)
        written.append(row)
    db.flush()
    whose = "child" if by_child else "family"
    details = {"plan_id": access.plan.id, "whose": whose}
    if added:
        audit.record(
            db,
            actor,
            "review.own_words_added",
            object_type="plan_review",
            object_id=review.id,
            details=details | {"outcomes": added},
        )
    if corrected:
        audit.record(
            db,
            actor,
            "review.own_words_corrected",
            object_type="plan_review",
            object_id=review.id,
            details=details | {"outcomes": corrected, "earlier_words": earlier_ids},
        )
    return written


def _said_of(rows: list[tuple[ProgressWords, Person]]) -> dict[tuple[int, int], list[Said]]:
    """Rows (oldest first) gathered by (review, outcome): each person's words as they stand, with what
    they wrote before, the child first, then the family in the order they first wrote."""
    gathered: dict[tuple[int, int], dict[int, list[tuple[ProgressWords, Person]]]] = defaultdict(dict)
    for row, person in rows:
        gathered[(row.review_id, row.item_id)].setdefault(row.person_id, []).append((row, person))
    said: dict[tuple[int, int], list[Said]] = {}
    for key, by_person in gathered.items():
        people = []
        for versions in by_person.values():
            last, person = versions[-1]
            people.append(
                Said(
                    id=id_of(last),
                    person_id=last.person_id,
                    name=person.display_name,
                    by_child=last.by_child,
                    words=last.words,
                    written_at=as_utc(last.written_at),
                    earlier=[Earlier(row.words, as_utc(row.written_at)) for row, _person in versions[:-1]],
                )
            )
        said[key] = sorted(people, key=lambda one: not one.by_child)
    return said


def words_at(db: Session, review: PlanReview) -> dict[int, list[Said]]:
    """Everyone's own words at one review, by outcome (one query)."""
    found = db.exec(
        select(ProgressWords, Person)
        .join(Person, col(Person.id) == col(ProgressWords.person_id))
        .where(col(ProgressWords.review_id) == review.id)
        .order_by(col(ProgressWords.written_at), col(ProgressWords.id))
    )
    return {item_id: said for (_review, item_id), said in _said_of(list(found)).items()}


def words_over_time(db: Session, plan_id: int) -> dict[tuple[int, int], list[Said]]:
    """Everyone's own words at the plan's finished reviews, by (review, outcome) (one query)."""
    found = db.exec(
        select(ProgressWords, Person)
        .join(Person, col(Person.id) == col(ProgressWords.person_id))
        .join(PlanReview, col(PlanReview.id) == col(ProgressWords.review_id))
        .where(col(PlanReview.plan_id) == plan_id, col(PlanReview.finished_at).is_not(None))
        .order_by(col(ProgressWords.written_at), col(ProgressWords.id))
    )
    return _said_of(list(found))


def mine(said: list[Said], person_id: int) -> Said | None:
    """The reader's own words among everyone's."""
    return next((one for one in said if one.person_id == person_id), None)
