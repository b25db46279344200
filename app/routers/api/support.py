"""The Individual Support Plan in the API: turn a SEN Support plan into one, move its layer of support
(with a reason), change its duty holder and next review, and read the layer's history."""

from datetime import date, datetime

from fastapi import APIRouter, status
from pydantic import BaseModel

from app.dependencies import ActorDep, CurrentPlan, SessionDep, requires
from app.models import PlanKind, SupportLayer, SupportLayerChange
from app.models.base import as_utc, id_of
from app.permissions import Permission
from app.routers.api.responses import READ, WRITE, input_problems
from app.routers.api.routing import SharedPathRoute
from app.services.plans import support
from app.services.plans.words import words_for_plan

router = APIRouter(prefix="/api/v1", tags=["plans"], route_class=SharedPathRoute)


class SupportOut(BaseModel):
    """An ISP's particulars, with the names its council uses for them."""

    plan_id: int
    kind: PlanKind
    kind_name: str
    support_layer: SupportLayer | None
    support_layer_name: str
    duty_holder_id: int | None
    next_review_on: date | None


class LayerChangeOut(BaseModel):
    id: int
    layer: SupportLayer
    previous_layer: SupportLayer | None
    reason: str
    changed_by_id: int | None
    changed_at: datetime


def _change_out(change: SupportLayerChange) -> LayerChangeOut:
    return LayerChangeOut(
        id=id_of(change),
        layer=change.layer,
        previous_layer=change.previous_layer,
        reason=change.reason,
        changed_by_id=change.changed_by_id,
        changed_at=as_utc(change.changed_at),
    )


def _support_out(db: SessionDep, access: CurrentPlan) -> SupportOut:
    plan = access.plan
    words = words_for_plan(db, plan)
    return SupportOut(
        plan_id=id_of(plan),
        kind=plan.kind,
        kind_name=words.kind_name(plan.kind),
        support_layer=plan.support_layer,
        support_layer_name=words.layer_name(plan.support_layer),
        duty_holder_id=plan.duty_holder_id,
        next_review_on=plan.next_review_on,
    )


@router.post("/plans/{plan_id}/support-plan", dependencies=[requires(Permission.COORDINATE)], responses=WRITE)
def convert_to_isp(new: support.NewIsp, access: CurrentPlan, db: SessionDep, actor: ActorDep) -> SupportOut:
    """The SEN Support plan becomes an ISP: the same plan, its history kept; the reason is required."""
    with input_problems():
        support.convert_to_isp(db, actor, access, new)
    return _support_out(db, access)


@router.post(
    "/plans/{plan_id}/layers",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.COORDINATE)],
    responses=WRITE,
)
def change_layer(
    move: support.LayerMove, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> LayerChangeOut:
    """Move the child to another layer of support (in any order), with the reason."""
    with input_problems():
        change = support.change_layer(db, actor, access, move)
    return _change_out(change)


@router.get("/plans/{plan_id}/layers", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def layer_history(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[LayerChangeOut]:
    """Every layer the child has been at, oldest first, with the reason for each move."""
    return [_change_out(change) for change in support.read_layer_history(db, actor, access)]


@router.post(
    "/plans/{plan_id}/support-plan/details", dependencies=[requires(Permission.COORDINATE)], responses=WRITE
)
def change_details(
    given: support.IspDetails, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> SupportOut:
    """A new duty holder or next review date."""
    with input_problems():
        support.change_details(db, actor, access, given)
    return _support_out(db, access)
