"""Progress per outcome at a review in the API: the team's ratings, the child's and family's own
words, finishing the review, and each outcome's progress over time."""

from datetime import date, datetime

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, requires
from app.models import PlanReview, ProgressRating
from app.models.base import Words, as_utc, id_of
from app.permissions import Permission, PlanAccess
from app.routers.api.responses import READ, WRITE, Responses, input_problems
from app.routers.api.routing import SharedPathRoute
from app.services import audit
from app.services.plans import own_words, progress
from app.services.plans.own_words import OwnWords, Said
from app.services.plans.progress import Rating

router = APIRouter(prefix="/api/v1", tags=["reviews"], route_class=SharedPathRoute)


class EarlierWordsOut(BaseModel):
    words: str
    written_at: datetime


class OwnWordsOut(BaseModel):
    """One person's own words, exactly as they wrote them, attributed to them."""

    id: int
    """These words' own id, to cite them by."""
    person_id: int
    name: str
    by_child: bool
    """Written by the child the plan is about; otherwise by a member of their family."""
    words: str
    written_at: datetime
    earlier: list[EarlierWordsOut]
    """What the same person wrote before correcting it, oldest first."""


def _own_out(said: list[Said]) -> list[OwnWordsOut]:
    return [
        OwnWordsOut(
            id=one.id,
            person_id=one.person_id,
            name=one.name,
            by_child=one.by_child,
            words=one.words,
            written_at=one.written_at,
            earlier=[EarlierWordsOut(words=e.words, written_at=e.written_at) for e in one.earlier],
        )
        for one in said
    ]


class OutcomeProgressOut(BaseModel):
    item_id: int
    outcome: str
    """The outcome's words as they read now."""
    rating: ProgressRating | None
    team_words: str
    own_words: list[OwnWordsOut]
    """The child's and each family member's own words, the child's first."""


class ReviewProgressOut(BaseModel):
    review_id: int
    held_on: date
    finished_at: datetime | None
    """None while the review is open: ratings and words may still change."""
    outcomes: list[OutcomeProgressOut]


class RatingIn(BaseModel):
    rating: ProgressRating
    words: Words | None = Field(default=None, max_length=own_words.WORDS_LENGTH)
    """What the team says about it (optional)."""


class OwnWordsIn(BaseModel):
    words: str = Field(min_length=1, max_length=own_words.WORDS_LENGTH)
    """Kept exactly as written."""


class MissingOut(BaseModel):
    detail: str
    missing_outcomes: list[int]


class ProgressStepOut(BaseModel):
    review_id: int
    held_on: date
    rating: ProgressRating | None
    team_words: str
    own_words: list[OwnWordsOut]


class OutcomeOverTimeOut(BaseModel):
    item_id: int
    outcome: str
    progress: list[ProgressStepOut]


FINISHING: Responses = {
    **WRITE,
    409: {
        "model": MissingOut,
        "description": "Finished already, the plan ended, or outcomes without a rating",
    },
}


def _review_out(db: Session, access: PlanAccess, review: PlanReview) -> ReviewProgressOut:
    rows = progress.progress_of(db, review)
    said = own_words.words_at(db, review)
    outcomes = []
    for outcome in progress.live_outcomes(db, access):
        row = rows.get(id_of(outcome.item))
        if row is None and review.finished_at is not None:
            continue  # added since the review was finished
        outcomes.append(
            OutcomeProgressOut(
                item_id=id_of(outcome.item),
                outcome=outcome.revision.text,
                rating=row.rating if row else None,
                team_words=row.team_words if row else "",
                own_words=_own_out(said.get(id_of(outcome.item), [])),
            )
        )
    finished = as_utc(review.finished_at) if review.finished_at else None
    return ReviewProgressOut(
        review_id=id_of(review), held_on=review.held_on, finished_at=finished, outcomes=outcomes
    )


@router.get(
    "/plans/{plan_id}/reviews/{review_id}/progress",
    dependencies=[requires(Permission.READ_PLANS)],
    responses=READ,
)
def review_progress(
    review_id: RowId, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> ReviewProgressOut:
    """Each outcome's rating and words at one review (audited as a read of the plan)."""
    review = progress.read_review(db, actor, access, review_id)
    return _review_out(db, access, review)


@router.put(
    "/plans/{plan_id}/reviews/{review_id}/outcomes/{item_id}/progress",
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def rate_progress(
    review_id: RowId, item_id: RowId, body: RatingIn, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> ReviewProgressOut:
    """The team rates an outcome's progress at an open review (rated again, the rating is replaced)."""
    review = progress.find_review(db, access, review_id)
    with input_problems(where="path"):
        progress.rate_outcomes(db, actor, access, review, [Rating(item_id=item_id, **body.model_dump())])
    return _review_out(db, access, review)


@router.put(
    "/plans/{plan_id}/reviews/{review_id}/outcomes/{item_id}/own-words",
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def add_own_words(
    review_id: RowId, item_id: RowId, body: OwnWordsIn, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> ReviewProgressOut:
    """The caller's own words about an outcome (the child or a family member), kept as written beside
    everyone else's; sent again while the review is open, they correct the caller's earlier words,
    which are kept."""
    review = progress.find_review(db, access, review_id)
    with input_problems(where="path"):
        own_words.add_own_words(db, actor, access, review, [OwnWords(item_id=item_id, words=body.words)])
    return _review_out(db, access, review)


@router.post(
    "/plans/{plan_id}/reviews/{review_id}/finish",
    dependencies=[requires(Permission.COORDINATE)],
    responses=FINISHING,
    response_model=ReviewProgressOut,
)
def finish_review(
    review_id: RowId, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> ReviewProgressOut | JSONResponse:
    """Finish the review (the coordinator): refused (409, naming them) while an outcome has no rating."""
    review = progress.find_review(db, access, review_id)
    try:
        progress.finish_review(db, actor, access, review)
    except progress.ProgressMissing as missing:
        ids = [id_of(outcome.item) for outcome in missing.missing]
        return JSONResponse(status_code=409, content={"detail": str(missing), "missing_outcomes": ids})
    return _review_out(db, access, review)


@router.get("/plans/{plan_id}/progress", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def progress_over_time(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[OutcomeOverTimeOut]:
    """Each outcome's progress at the plan's finished reviews, oldest first (audited as a read)."""
    found = progress.outcome_progress(db, access)
    audit.record(db, actor, "plan.progress_read", object_type="plan", object_id=access.plan.id, details={})
    return [
        OutcomeOverTimeOut(
            item_id=id_of(outcome.item),
            outcome=outcome.revision.text,
            progress=[
                ProgressStepOut(
                    review_id=step.review_id,
                    held_on=step.held_on,
                    rating=step.rating,
                    team_words=step.team_words,
                    own_words=_own_out(step.own_words),
                )
                for step in steps
            ],
        )
        for outcome, steps in found
    ]
