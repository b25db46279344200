"""The Experts at Hand API: a setting asks a service; the service's people reply into the plan."""

from typing import Any

from fastapi import APIRouter, status

from app.dependencies import ActorDep, CurrentPerson, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.permissions import Permission
from app.routers.api.experts_schemas import (
    ExpertReplyIn,
    ExpertReplyOut,
    ExpertRequestIn,
    ExpertRequestOut,
    PlaceOut,
    ServiceFiguresOut,
    figures_out,
    place_out,
    request_out,
)
from app.routers.api.responses import ABSENT, READ, UNSIGNED, WRITE, Problem, input_problems
from app.routers.api.routing import SharedPathRoute
from app.services.experts import bases, report, requests

router = APIRouter(prefix="/api/v1", tags=["experts"], route_class=SharedPathRoute)
FORBIDDEN_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"model": Problem, "description": "Your role does not allow this"}
}


@router.get(
    "/plans/{plan_id}/expert-requests", dependencies=[requires(Permission.READ_PLANS)], responses=READ
)
def api_plan_expert_requests(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[ExpertRequestOut]:
    """The plan's requests to Experts at Hand services, and where each stands."""
    return [request_out(row) for row in requests.requests_of_plan(db, actor, access)]


@router.post(
    "/plans/{plan_id}/expert-requests",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def ask_expert(
    new: ExpertRequestIn, access: CurrentPlan, db: SessionDep, settings: SettingsDep, actor: ActorDep
) -> ExpertRequestOut:
    """The setting's staff on the plan ask a service of the council for advice or direct work."""
    with input_problems():
        made = requests.ask(db, settings, actor, access, requests.NewExpertRequest(**new.model_dump()))
    return request_out(requests.row_of(db, made))


@router.get(
    "/expert-requests",
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses={**UNSIGNED, **FORBIDDEN_ONLY},
)
def api_my_service_requests(db: SessionDep, person: CurrentPerson) -> list[ExpertRequestOut]:
    """The requests to the caller's own service still waiting for a reply (empty for anyone else)."""
    return [request_out(row) for row in requests.open_for_my_service(db, person)]


@router.post(
    "/expert-requests/{request_id}/reply",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def api_reply_to_expert_request(
    request_id: RowId, answer: ExpertReplyIn, db: SessionDep, settings: SettingsDep, actor: ActorDep
) -> ExpertReplyOut:
    """The service's reply, written into the plan as advice or provision in the same step."""
    row = requests.request_to_answer(db, actor, request_id, reading=False)
    with input_problems():
        item = requests.reply(db, settings, actor, row, requests.ExpertReply(**answer.model_dump()))
    return ExpertReplyOut(request_id=request_id, item_id=item.id or 0, section=item.section.value)


@router.get(
    "/la/expert-requests",
    dependencies=[requires(Permission.READ_LA_OVERVIEW)],
    responses={**UNSIGNED, **FORBIDDEN_ONLY},
)
def api_la_expert_figures(db: SessionDep, actor: ActorDep) -> list[ServiceFiguresOut]:
    """Per service of the caller's council: open, answered, overdue, and the median days to reply."""
    return [figures_out(figures) for figures in report.council_report(db, actor)]


@router.get(
    "/inclusion-bases/{base_id}/places",
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses={**UNSIGNED, **FORBIDDEN_ONLY, **ABSENT},
)
def api_inclusion_base_places(base_id: RowId, db: SessionDep, actor: ActorDep) -> list[PlaceOut]:
    """Who has a place in one of the caller's school's inclusion bases, their minutes a week and delivery."""
    return [place_out(row) for row in bases.base_roll(db, actor, base_id).rows]
