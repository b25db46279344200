"""From assessment to plan in the API: the draft EHC plan made from the assessment, and advice written
where it was asked for. The same services as the pages; every write is audited by them."""

from datetime import date

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel

from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.models import PlanKind, PlanStatus
from app.models.base import id_of
from app.permissions import Permission
from app.routers.api.responses import WRITE, Problem, Responses, input_problems
from app.services.plans.plans import PlanAlreadyLive, PlanProblem
from app.services.timelines import timelines

router = APIRouter(prefix="/api/v1", tags=["timelines"])

DRAFT: Responses = {
    **WRITE,
    201: {"headers": {"Location": {"description": "The draft plan", "schema": {"type": "string"}}}},
    409: {
        "model": Problem,
        "description": "Not now, and why: no decision to assess yet, the decision to issue already "
        "recorded, or the child already has a live EHC plan (its address in Location, for someone on it)",
    },
}


class DraftPlanOut(BaseModel):
    id: int
    reference: str
    kind: PlanKind
    status: PlanStatus
    made_from_plan_id: int


class ReturnedAdviceOut(BaseModel):
    id: int
    plan_id: int
    returned_on: date | None
    advice_item_id: int | None


@router.post(
    "/plans/{plan_id}/draft-plan",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.COORDINATE)],
    responses=DRAFT,
)
def make_draft_plan(access: CurrentPlan, db: SessionDep, actor: ActorDep, response: Response) -> DraftPlanOut:
    """Make the child's draft EHC plan from the assessment on their SEN Support plan (the council's case
    officer, once the council has decided to assess): its content carried across, the assessment with it."""
    try:
        plan = timelines.make_draft_plan(db, actor, access)
    except PlanAlreadyLive as live:
        where = {"Location": f"/api/v1/plans/{live.plan.id}"} if live.may_see else None
        raise HTTPException(409, detail=str(live), headers=where) from None
    except PlanProblem as problem:
        raise HTTPException(409, detail=str(problem)) from None
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return DraftPlanOut(
        id=id_of(plan),
        reference=plan.reference,
        kind=plan.kind,
        status=plan.status,
        made_from_plan_id=id_of(access.plan),
    )


@router.post(
    "/plans/{plan_id}/advice-requests/{advice_id}/advice",
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def return_advice(
    written: timelines.WrittenAdvice,
    access: CurrentPlan,
    advice_id: RowId,
    db: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
) -> ReturnedAdviceOut:
    """Write the advice asked of you and return it: it goes into section K and the request closes today.
    Empty advice is refused (422). Files are added on the page (PDF, PNG or JPEG)."""
    advice = timelines.plan_advice(db, access, advice_id)
    with input_problems():
        timelines.return_advice(db, actor, access, settings.data_dir, advice, written, [])
    return ReturnedAdviceOut(
        id=id_of(advice),
        plan_id=advice.plan_id,
        returned_on=advice.returned_on,
        advice_item_id=advice.advice_item_id,
    )
