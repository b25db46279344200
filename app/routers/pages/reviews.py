"""A review's page: progress per outcome, rated by the team, with the child's and family's own words;
the coordinator finishes it once every outcome has a rating."""

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, requires
from app.forms.reviews import missing_errors, read_own_words, read_ratings
from app.models import PROGRESS_RATING_LABELS, Child, MemberRole, PlanReview
from app.models.base import id_of
from app.permissions import (
    Permission,
    PlanAccess,
    may_add_progress_words,
    may_coordinate,
    may_rate_progress,
)
from app.rendering import render
from app.routers.pages.inputs import FormValues
from app.services.plans import own_words, progress
from app.services.plans.plans import people_by_id
from app.services.voices.names import others_on_the_plan
from app.urls import Page, see_other

router = APIRouter(prefix="/plans/{plan_id}/reviews/{review_id}")


def _review_page(
    request: Request,
    db: Session,
    access: PlanAccess,
    review: PlanReview,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    rows = progress.progress_of(db, review)
    said = own_words.words_at(db, review)
    if values is None:
        values = {}
        for item_id, row in rows.items():
            values |= {
                f"rating_{item_id}": row.rating.value if row.rating else "",
                f"words_{item_id}": row.team_words,
            }
        for item_id, everyone in said.items():
            mine = own_words.mine(everyone, id_of(access.person))
            values[f"own_words_{item_id}"] = mine.words if mine else ""
    is_open = review.finished_at is None
    context: dict[str, Any] = {
        "plan": access.plan,
        "child": db.get(Child, access.plan.child_id),
        "review": review,
        "outcomes": progress.live_outcomes(db, access),
        "rows": rows,
        "said": said,
        "names": others_on_the_plan(db, access, for_a_child=access.member_role is MemberRole.CHILD),
        "reader_id": access.person.id,
        "people": people_by_id(db, {review.recorded_by_id}),
        "ratings": [(rating.value, label) for rating, label in PROGRESS_RATING_LABELS.items()],
        "rating_labels": {rating.value: label for rating, label in PROGRESS_RATING_LABELS.items()},
        "is_open": is_open,
        "rates": is_open and may_rate_progress(access),
        "finishes": is_open and may_coordinate(access),
        "adds_words": is_open and may_add_progress_words(access),
        "is_child": access.member_role is MemberRole.CHILD,
        "errors": errors or {},
        "values": values,
    }
    return render(request, "pages/plans/review.html", context)


@router.get("", dependencies=[requires(Permission.READ_PLANS)])
def review_page(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, review_id: RowId
) -> Response:
    return _review_page(request, db, access, progress.read_review(db, actor, access, review_id))


@router.post("/progress", name="rate_progress_form", dependencies=[requires(Permission.CONTRIBUTE)])
def rate_progress(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, review_id: RowId, form: FormValues
) -> Response:
    """Save the ratings given; finishing refuses, beside what was typed, while an outcome has none."""
    review = progress.find_review(db, access, review_id)
    outcomes = progress.live_outcomes(db, access)
    ratings, errors, values = read_ratings(form, outcomes)
    if errors:
        return _review_page(request, db, access, review, errors=errors, values=values)
    finish = form.get("finish") == "yes"
    try:
        progress.rate_outcomes(db, actor, access, review, ratings, finish=finish)
    except progress.ProgressMissing as missing:
        return _review_page(
            request, db, access, review, errors=missing_errors(missing.missing), values=values
        )
    if not finish:
        return see_other(
            request, Page.REVIEW, plan_id=access.plan.id, review_id=review_id, fragment="progress"
        )
    return see_other(request, Page.PLAN, plan_id=access.plan.id, fragment="reviews")


@router.post("/own-words", name="own_words_form", dependencies=[requires(Permission.CONTRIBUTE)])
def add_own_words(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, review_id: RowId, form: FormValues
) -> Response:
    review = progress.find_review(db, access, review_id)
    said, errors, values = read_own_words(form, progress.live_outcomes(db, access))
    if errors:
        return _review_page(request, db, access, review, errors=errors, values=values)
    own_words.add_own_words(db, actor, access, review, said)
    return see_other(request, Page.REVIEW, plan_id=access.plan.id, review_id=review_id, fragment="progress")
