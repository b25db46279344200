"""Progress per outcome at a review: the team rates, the child and family add their own words
(`own_words`), the coordinator finishes the review once every outcome has a rating; then the record is
frozen.

A review is recorded open (`lifecycle.record_review`); finishing it is what closes a SEN Support cycle.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import (
    SETTING_KINDS,
    CycleStage,
    Item,
    ItemKind,
    ItemRevision,
    PlanReview,
    ProgressRating,
    ReviewProgress,
)
from app.models.base import Words, id_of, utc_now
from app.permissions import PlanAccess, may_coordinate, may_rate_progress
from app.services import audit
from app.services.plans.access import refuse, row_of_plan
from app.services.plans.lifecycle import freeze_version
from app.services.plans.own_words import WORDS_LENGTH, Said, check_outcomes, open_for_change, words_over_time


class Rating(BaseModel):
    """The team's rating of one outcome, with their words (optional)."""

    item_id: int
    rating: ProgressRating
    words: Words | None = Field(default=None, max_length=WORDS_LENGTH)


@dataclass(frozen=True)
class Outcome:
    item: Item
    revision: ItemRevision


class ProgressMissing(ValueError):
    """A review cannot be finished while an outcome has no rating: these outcomes still need one."""

    def __init__(self, missing: list[Outcome]) -> None:
        super().__init__("Every outcome needs a progress rating before the review can be finished")
        self.missing = missing


def find_review(db: Session, access: PlanAccess, review_id: int) -> PlanReview:
    """A review of this plan; another plan's is absent (404, audited)."""
    return row_of_plan(db, access, PlanReview, review_id, object_type="plan_review", action="review.refused")


def read_review(db: Session, actor: Actor, access: PlanAccess, review_id: int) -> PlanReview:
    """A review of this plan to read with its progress (audited as a read of the plan's content)."""
    review = find_review(db, access, review_id)
    audit.record(
        db,
        actor,
        "plan.progress_read",
        object_type="plan",
        object_id=access.plan.id,
        details={"review_id": review.id},
    )
    return review


def live_outcomes(db: Session, access: PlanAccess) -> list[Outcome]:
    """The plan's outcomes as they read now, in the order they were added."""
    found = db.exec(
        select(Item, ItemRevision)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.plan_id) == access.plan.id, col(Item.kind) == ItemKind.OUTCOME.value)
        .order_by(col(Item.id))
    )
    return [Outcome(item, revision) for item, revision in found]


def progress_of(db: Session, review: PlanReview) -> dict[int, ReviewProgress]:
    """This review's progress rows by outcome."""
    rows = db.exec(select(ReviewProgress).where(col(ReviewProgress.review_id) == review.id))
    return {row.item_id: row for row in rows}


def _rows(db: Session, access: PlanAccess, review: PlanReview, item_ids: list[int]) -> list[ReviewProgress]:
    """Each outcome's row at this review, made when first written (two queries, however many are sent);
    an item that is not one of this plan's outcomes is a problem with what was sent."""
    if not item_ids:
        return []
    check_outcomes(db, access, item_ids)
    kept = {
        row.item_id: row
        for row in db.exec(
            select(ReviewProgress).where(
                col(ReviewProgress.review_id) == review.id, col(ReviewProgress.item_id).in_(item_ids)
            )
        )
    }
    return [
        kept.get(item_id) or ReviewProgress(review_id=id_of(review), item_id=item_id) for item_id in item_ids
    ]


def rate_outcomes(
    db: Session,
    actor: Actor,
    access: PlanAccess,
    review: PlanReview,
    ratings: list[Rating],
    *,
    finish: bool = False,
) -> list[ReviewProgress]:
    """The team's ratings: an outcome rated again is rated anew until the review is finished.

    With `finish` (the coordinator) the review is then finished, in one audited step: refused, with
    nothing written, while an outcome would still have no rating.
    """
    if not may_rate_progress(access):
        refuse(access, "Only the team on the plan rates progress.", action="review.refused")
    if finish and not may_coordinate(access):
        refuse(access, "Only the plan's coordinator finishes reviews.", action="review.refused")
    open_for_change(access, review)
    rows = list(zip(_rows(db, access, review, [rating.item_id for rating in ratings]), ratings, strict=True))
    if finish:
        newly = {rating.item_id for rating in ratings}
        missing = [outcome for outcome in missing_ratings(db, access, review) if outcome.item.id not in newly]
        if missing:
            raise ProgressMissing(missing)
    for row, rating in rows:
        row.rating, row.team_words = rating.rating, rating.words or ""
        row.rated_by_id, row.rated_at = id_of(access.person), utc_now()
        db.add(row)
    db.flush()
    rated = [row.item_id for row, _rating in rows]
    if finish:
        _finish(db, actor, access, review, rated)
    elif rows:
        audit.record(
            db,
            actor,
            "review.progress_rated",
            object_type="plan_review",
            object_id=review.id,
            details={"plan_id": access.plan.id, "outcomes": rated},
        )
    return [row for row, _rating in rows]


def missing_ratings(db: Session, access: PlanAccess, review: PlanReview) -> list[Outcome]:
    """The plan's outcomes with no rating yet at this review."""
    rated = {item_id for item_id, row in progress_of(db, review).items() if row.rating is not None}
    return [outcome for outcome in live_outcomes(db, access) if outcome.item.id not in rated]


def finish_review(db: Session, actor: Actor, access: PlanAccess, review: PlanReview) -> PlanReview:
    """Finish a review whose every outcome is rated (the coordinator; `ProgressMissing` otherwise)."""
    rate_outcomes(db, actor, access, review, [], finish=True)
    return review


def _finish(db: Session, actor: Actor, access: PlanAccess, review: PlanReview, rated: list[int]) -> None:
    """Freeze the review; a school's review (SEN Support, ISP) then keeps the plan as a version and
    starts the next cycle."""
    plan = access.plan
    review.finished_at = utc_now()
    db.add(review)
    frozen = None
    if plan.kind in SETTING_KINDS:
        frozen = freeze_version(db, access, occasion="review")
        plan.version += 1
        plan.cycle_number += 1
        plan.cycle_stage = CycleStage.ASSESS
        db.add(plan)
    db.flush()
    audit.record(
        db,
        actor,
        "review.finished",
        object_type="plan_review",
        object_id=review.id,
        details={
            "plan_id": plan.id,
            "cycle": review.cycle_number,
            "version": frozen.number if frozen is not None else None,
            "version_id": frozen.id if frozen is not None else None,
            "outcomes": rated,
        },
    )


@dataclass(frozen=True)
class Step:
    """One outcome at one finished review: the plan's progress over time, read by everyone on it."""

    review_id: int
    held_on: date
    rating: ProgressRating | None
    team_words: str
    own_words: list[Said]
    """The child's and each family member's own words, each attributed, as they stand."""


def progress_over_time(db: Session, access: PlanAccess) -> dict[int, list[Step]]:
    """Each outcome's ratings and own words at the plan's finished reviews, oldest first: two queries."""
    found = db.exec(
        select(ReviewProgress, col(PlanReview.held_on))
        .join(PlanReview, col(PlanReview.id) == col(ReviewProgress.review_id))
        .where(col(PlanReview.plan_id) == access.plan.id, col(PlanReview.finished_at).is_not(None))
        .order_by(col(PlanReview.held_on), col(PlanReview.id))
    )
    said = words_over_time(db, id_of(access.plan))
    steps: dict[int, list[Step]] = defaultdict(list)
    for row, held_on in found:
        own = said.get((row.review_id, row.item_id), [])
        steps[row.item_id].append(Step(row.review_id, held_on, row.rating, row.team_words, own))
    return dict(steps)


def outcome_progress(db: Session, access: PlanAccess) -> list[tuple[Outcome, list[Step]]]:
    """The plan page's progress over time: each outcome rated at a finished review, with its steps
    (three queries, however many reviews and outcomes)."""
    steps = progress_over_time(db, access)
    if not steps:
        return []
    return [
        (outcome, steps[id_of(outcome.item)])
        for outcome in live_outcomes(db, access)
        if outcome.item.id in steps
    ]
