"""The delivery API: the delivery log, reduced timetables, ending provision, the needs map, moves, and
the LA's delivery overview. The same services as the pages; every read and write audited by them.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from app.clock import uk_today as today
from app.dependencies import ActorDep, CurrentPerson, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.models import SettingMove
from app.permissions import Permission
from app.routers.api.delivery_schemas import (
    ChangeOut,
    DecisionIn,
    EndingIn,
    LaDeliveryOut,
    LaShortfallOut,
    LaTimetableOut,
    MoveIn,
    MoveOut,
    NeedOut,
    NeedsMapEntryOut,
    NeedsMapIn,
    ProvisionDeliveryOut,
    ResponseIn,
    TimetableIn,
    TimetableOut,
    WeekIn,
    WeekOut,
    change_out,
    needs_out,
    tally_out,
    timetable_out,
    week_out,
)
from app.routers.api.responses import READ, SENT, UNSIGNED, WRITE, Problem, input_problems
from app.routers.api.routing import SharedPathRoute
from app.services import audit
from app.services.delivery import arithmetic, changes, log, moves, needs_map, overview, timetables
from app.services.delivery.common import provision_item

router = APIRouter(prefix="/api/v1", tags=["delivery"], route_class=SharedPathRoute)

FORBIDDEN_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"model": Problem, "description": "Your role does not allow this"}
}


# The delivery log --------------------------------------------------------------------------------


@router.get("/plans/{plan_id}/delivery", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def plan_delivery(
    access: CurrentPlan, db: SessionDep, settings: SettingsDep, actor: ActorDep
) -> list[ProvisionDeliveryOut]:
    """Each quantified provision: this half-term to date, and the recent weeks that fell short."""
    return [
        ProvisionDeliveryOut(
            item_id=found.item.id or 0,
            section=found.item.section.value,
            quantity=found.revision.quantity,
            half_term=tally_out(found.half_term),
            short_weeks=[tally_out(week) for week in found.flagged_weeks],
            ended_on=found.ended.effective_on if found.ended else None,
        )
        for found in overview.read_plan_delivery(db, settings, actor, access)
    ]


@router.get(
    "/plans/{plan_id}/items/{item_id}/delivery",
    dependencies=[requires(Permission.READ_PLANS)],
    responses={**READ, 422: {"description": "Not quantified, or an unreadable week"}},
)
def read_week(
    access: CurrentPlan,
    item_id: RowId,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    week: Annotated[date | None, Query(description="Any day of the week; this week if not given")] = None,
) -> WeekOut:
    item, revision = provision_item(db, access, item_id)
    with input_problems("path", rename={"item": "item_id"}):
        grid = log.week_grid(db, settings, actor, access, item, revision, week or today())
    return week_out(grid)


@router.post(
    "/plans/{plan_id}/items/{item_id}/delivery",
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def record_week(
    new: WeekIn, access: CurrentPlan, item_id: RowId, db: SessionDep, settings: SettingsDep, actor: ActorDep
) -> WeekOut:
    """Record a week (only changed days are written; a missed day needs a reason)."""
    item, revision = provision_item(db, access, item_id)
    monday = arithmetic.monday_of(new.week_of)
    with input_problems():
        log.record_week(
            db,
            settings,
            actor,
            access,
            item,
            revision,
            monday,
            [log.DayEntry(day.day, day.status, day.amount, day.reason) for day in new.days],
        )
        grid = log.week_grid(db, settings, actor, access, item, revision, monday, answering_a_write=True)
    return week_out(grid)


# Reduced timetables ------------------------------------------------------------------------------


@router.get(
    "/plans/{plan_id}/reduced-timetables", dependencies=[requires(Permission.READ_PLANS)], responses=READ
)
def list_timetables(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[TimetableOut]:
    return [timetable_out(state) for state in timetables.read_register(db, actor, access)]


@router.post(
    "/plans/{plan_id}/reduced-timetables",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def add_timetable(new: TimetableIn, access: CurrentPlan, db: SessionDep, actor: ActorDep) -> TimetableOut:
    with input_problems():
        timetable = timetables.add_timetable(db, actor, access, timetables.NewTimetable(**new.model_dump()))
    return timetable_out(timetables.plan_timetable(db, access, timetable.id or 0))


@router.post(
    "/plans/{plan_id}/reduced-timetables/{timetable_id}/decisions",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def decide_timetable(
    new: DecisionIn, access: CurrentPlan, timetable_id: RowId, db: SessionDep, actor: ActorDep
) -> TimetableOut:
    state = timetables.plan_timetable(db, access, timetable_id)
    with input_problems():
        timetables.decide(db, actor, access, state, timetables.NewDecision(**new.model_dump()))
    return timetable_out(state)


# Ending provision --------------------------------------------------------------------------------


@router.post(
    "/plans/{plan_id}/items/{item_id}/ending",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def end_provision(
    new: EndingIn, access: CurrentPlan, item_id: RowId, db: SessionDep, settings: SettingsDep, actor: ActorDep
) -> ChangeOut:
    """End a provision or adjustment: the reason is required; the family is told and can reply."""
    item, _revision = provision_item(db, access, item_id)
    with input_problems():
        change = changes.end_provision(
            db,
            settings,
            actor,
            access,
            item,
            changes.Ending(reason=new.reason, effective_on=new.effective_on),
        )
    return change_out(changes.ChangeRecord(change, item, []))


@router.get(
    "/plans/{plan_id}/provision-changes", dependencies=[requires(Permission.READ_PLANS)], responses=READ
)
def list_changes(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[ChangeOut]:
    """Provision ended or changed since the last review, newest first."""
    found = changes.changes_since_review(db, access)
    audit.record(
        db,
        actor,
        "provision_changes.listed",
        object_type="plan",
        object_id=access.plan.id,
        details={"changes": len(found.records)},
    )
    return [change_out(record) for record in found.records]


@router.post(
    "/plans/{plan_id}/provision-changes/{change_id}/responses",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=SENT,
)
def respond(
    new: ResponseIn,
    access: CurrentPlan,
    change_id: RowId,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
) -> ChangeOut:
    """The family's reply to a change of provision."""
    record = changes.plan_change(db, access, change_id)
    with input_problems():
        changes.respond(db, settings, actor, access, record, changes.Response(text=new.text))
    return change_out(record)


# The needs map -----------------------------------------------------------------------------------


@router.get("/plans/{plan_id}/needs-map", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def read_needs_map(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[NeedOut]:
    """Each need with its map entries, newest first."""
    return needs_out(needs_map.read_needs_map(db, actor, access))


@router.post(
    "/plans/{plan_id}/needs-map",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def add_needs_map_entry(
    new: NeedsMapIn, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> NeedsMapEntryOut:
    with input_problems():
        entry = needs_map.record_entry(db, actor, access, needs_map.NewNeedsMapEntry(**new.model_dump()))
    return NeedsMapEntryOut(
        recorded_on=entry.recorded_on,
        setting_support=entry.setting_support,
        support_offered=entry.support_offered,
        family_confidence=entry.family_confidence,
        recorded_by_id=entry.recorded_by_id,
    )


# Moving setting ----------------------------------------------------------------------------------


@router.post(
    "/plans/{plan_id}/moves",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def move_setting(
    new: MoveIn, access: CurrentPlan, db: SessionDep, settings: SettingsDep, actor: ActorDep
) -> MoveOut:
    """The child moves school: the new SENCo joins, the old school's staff leave; the plan stays whole."""
    with input_problems():
        move = moves.move_setting(db, settings, actor, access, moves.NewMove(**new.model_dump()))
    return _move_out(move)


@router.post(
    "/plans/{plan_id}/moves/{move_id}/cancellation",
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def cancel_move(move_id: RowId, access: CurrentPlan, db: SessionDep, actor: ActorDep) -> MoveOut:
    """A move still waiting for its day is called off (409 once it has happened or was cancelled)."""
    return _move_out(moves.cancel_move(db, actor, access, move_id))


def _move_out(move: SettingMove) -> MoveOut:
    return MoveOut(
        id=move.id or 0,
        from_setting_id=move.from_setting_id,
        to_setting_id=move.to_setting_id,
        moves_on=move.moves_on,
        members_ended=move.members_ended,
        status="cancelled" if move.cancelled_at else "applied" if move.applied_at else "waiting",
        phase_fits=move.phase_fits,
    )


# The local authority -----------------------------------------------------------------------------


@router.get(
    "/la/delivery",
    dependencies=[requires(Permission.READ_LA_OVERVIEW)],
    responses={**UNSIGNED, **FORBIDDEN_ONLY},
)
def la_delivery(
    db: SessionDep, settings: SettingsDep, actor: ActorDep, person: CurrentPerson
) -> LaDeliveryOut:
    """Shortfalls and reduced timetables across your local authority (plans by reference only)."""
    found = overview.la_delivery(db, settings, actor, person)
    return LaDeliveryOut(
        shortfalls=[
            LaShortfallOut(
                plan_reference=row.plan.reference,
                setting=row.setting.name if row.setting else None,
                kind=row.delivery.kind,
                short_weeks=[tally_out(week) for week in row.delivery.flagged_weeks],
            )
            for row in found.shortfalls
        ],
        timetables_by_length=dict(found.by_length),
        timetables=[
            LaTimetableOut(
                plan_reference=row.plan.reference,
                setting=row.setting.name if row.setting else None,
                weeks=row.state.weeks,
                escalations=row.state.escalations,
            )
            for row in found.current_timetables
        ],
    )
