"""The delivery API: the delivery log, reduced timetables, ending provision, the needs map, moves, and
the LA's delivery overview. The same services as the pages; every read and write audited by them.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from app.clock import uk_today as today
from app.dependencies import ActorDep, CurrentPerson, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.models import (
    Confidence,
    DeliveryStatus,
    ProvisionChangeKind,
    SupportLevel,
    TimetableDecisionKind,
)
from app.models.base import PLAIN_TEXT, WORDS
from app.permissions import Permission
from app.routers.api.plans import READ, SENT, UNSIGNED, WRITE, Problem, input_problems
from app.routers.api.routing import SharedPathRoute
from app.services import audit
from app.services.delivery import arithmetic, changes, log, moves, needs_map, overview, timetables
from app.services.delivery.arithmetic import Tally
from app.services.delivery.common import provision_item

router = APIRouter(prefix="/api/v1", tags=["delivery"], route_class=SharedPathRoute)

FORBIDDEN_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"model": Problem, "description": "Your role does not allow this"}
}


class TallyOut(BaseModel):
    starts_on: date
    ends_on: date
    school_days: int
    planned: float | None
    delivered: float
    missed: int
    shortfall: float
    flagged: bool


def _tally(found: Tally) -> TallyOut:
    return TallyOut(
        starts_on=found.starts_on,
        ends_on=found.ends_on,
        school_days=found.school_days,
        planned=found.planned,
        delivered=found.delivered,
        missed=found.missed,
        shortfall=found.shortfall,
        flagged=found.flagged,
    )


class ProvisionDeliveryOut(BaseModel):
    item_id: int
    section: str
    quantity: str | None
    half_term: TallyOut
    short_weeks: list[TallyOut]
    ended_on: date | None


class DayOut(BaseModel):
    day: date
    school_day: bool
    status: DeliveryStatus | None
    amount: float | None
    reason: str | None
    recorded_by_id: int | None
    corrections: int


class WeekOut(BaseModel):
    item_id: int
    week_of: date
    days: list[DayOut]
    week: TallyOut
    half_term: TallyOut


class DayIn(BaseModel):
    day: date
    status: DeliveryStatus
    amount: float | None = Field(default=None, gt=0, le=10000)
    reason: str | None = Field(default=None, max_length=500, pattern=PLAIN_TEXT)


class WeekIn(BaseModel):
    week_of: date
    days: list[DayIn] = Field(min_length=1, max_length=5)


class TimetableOut(BaseModel):
    id: int
    starts_on: date
    planned_end_on: date
    review_on: date
    hours_a_week: float
    reason: str
    return_plan: str
    ended_on: date | None
    weeks: int
    escalations: list[str]
    decisions: int


class DecisionIn(BaseModel):
    decision: TimetableDecisionKind
    note: str = Field(min_length=1, max_length=2000, pattern=WORDS)
    next_review_on: date | None = None
    planned_end_on: date | None = None


class TimetableIn(BaseModel):
    starts_on: date
    planned_end_on: date
    hours_a_week: float = Field(gt=0, lt=timetables.FULL_TIME_HOURS)
    reason: str = Field(min_length=1, max_length=2000, pattern=WORDS)
    return_plan: str = Field(min_length=1, max_length=2000, pattern=WORDS)
    review_on: date


class EndingIn(BaseModel):
    reason: str = Field(min_length=1, max_length=changes.MAX_REASON, pattern=WORDS)
    """Required: a provision never ends without one."""
    effective_on: date | None = None


class ChangeOut(BaseModel):
    id: int
    item_id: int
    kind: ProvisionChangeKind
    reason: str
    effective_on: date
    made_by_id: int
    responses: list[str]


class ResponseIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000, pattern=WORDS)


class NeedsMapIn(BaseModel):
    item_id: int = Field(ge=1, le=2_147_483_647)
    setting_support: SupportLevel
    support_offered: str = Field(min_length=1, max_length=1000, pattern=WORDS)
    family_confidence: Confidence


class NeedsMapEntryOut(BaseModel):
    recorded_on: date
    setting_support: SupportLevel
    support_offered: str
    family_confidence: Confidence
    recorded_by_id: int


class NeedOut(BaseModel):
    item_id: int
    area_of_need: str
    entries: list[NeedsMapEntryOut]


class MoveIn(BaseModel):
    to_setting_id: int = Field(ge=1, le=2_147_483_647)
    new_senco_id: int = Field(ge=1, le=2_147_483_647)
    moves_on: date


class MoveOut(BaseModel):
    id: int
    from_setting_id: int | None
    to_setting_id: int
    moves_on: date
    members_ended: int


class LaShortfallOut(BaseModel):
    plan_reference: str
    setting: str | None
    kind: str
    short_weeks: list[TallyOut]


class LaTimetableOut(BaseModel):
    plan_reference: str
    setting: str | None
    weeks: int
    escalations: list[str]


class LaDeliveryOut(BaseModel):
    shortfalls: list[LaShortfallOut]
    timetables_by_length: dict[str, int]
    timetables: list[LaTimetableOut]


def _timetable(state: timetables.TimetableState) -> TimetableOut:
    t = state.timetable
    return TimetableOut(
        id=t.id or 0,
        starts_on=t.starts_on,
        planned_end_on=state.planned_end_on,
        review_on=state.review_on,
        hours_a_week=t.hours_a_week,
        reason=t.reason,
        return_plan=t.return_plan,
        ended_on=state.ended_on,
        weeks=state.weeks,
        escalations=state.escalations,
        decisions=len(state.decisions),
    )


def _change(record: changes.ChangeRecord) -> ChangeOut:
    change = record.change
    return ChangeOut(
        id=change.id or 0,
        item_id=change.item_id,
        kind=change.kind,
        reason=change.reason,
        effective_on=change.effective_on,
        made_by_id=change.made_by_id,
        responses=[response.text for response in record.responses],
    )


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
            half_term=_tally(found.half_term),
            short_weeks=[_tally(week) for week in found.flagged_weeks],
            ended_on=found.ended.effective_on if found.ended else None,
        )
        for found in overview.read_plan_delivery(db, settings, actor, access)
    ]


def _week(grid: log.WeekGrid) -> WeekOut:
    return WeekOut(
        item_id=grid.item.id or 0,
        week_of=grid.monday,
        days=[
            DayOut(
                day=cell.day,
                school_day=cell.school_day,
                status=cell.record.status if cell.record else None,
                amount=cell.record.amount if cell.record else None,
                reason=cell.record.reason if cell.record else None,
                recorded_by_id=cell.record.recorded_by_id if cell.record else None,
                corrections=len(cell.history),
            )
            for cell in grid.cells
        ],
        week=_tally(grid.week),
        half_term=_tally(grid.half_term),
    )


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
    return _week(grid)


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
    return _week(grid)


# Reduced timetables ------------------------------------------------------------------------------


@router.get(
    "/plans/{plan_id}/reduced-timetables", dependencies=[requires(Permission.READ_PLANS)], responses=READ
)
def list_timetables(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[TimetableOut]:
    return [_timetable(state) for state in timetables.read_register(db, actor, access)]


@router.post(
    "/plans/{plan_id}/reduced-timetables",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def add_timetable(new: TimetableIn, access: CurrentPlan, db: SessionDep, actor: ActorDep) -> TimetableOut:
    with input_problems():
        timetable = timetables.add_timetable(db, actor, access, timetables.NewTimetable(**new.model_dump()))
    return _timetable(timetables.plan_timetable(db, access, timetable.id or 0))


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
    return _timetable(state)


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
    return _change(changes.ChangeRecord(change, item, []))


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
    return [_change(record) for record in found.records]


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
    return _change(record)


# The needs map -----------------------------------------------------------------------------------


def _needs(found: needs_map.NeedsMap) -> list[NeedOut]:
    return [
        NeedOut(
            item_id=row.item.id or 0,
            area_of_need=area.value,
            entries=[
                NeedsMapEntryOut(
                    recorded_on=entry.recorded_on,
                    setting_support=entry.setting_support,
                    support_offered=entry.support_offered,
                    family_confidence=entry.family_confidence,
                    recorded_by_id=entry.recorded_by_id,
                )
                for entry in row.entries
            ],
        )
        for area, _label, rows in found.areas
        for row in rows
    ]


@router.get("/plans/{plan_id}/needs-map", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def read_needs_map(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[NeedOut]:
    """Each need with its map entries, newest first."""
    return _needs(needs_map.read_needs_map(db, actor, access))


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
    return MoveOut(
        id=move.id or 0,
        from_setting_id=move.from_setting_id,
        to_setting_id=move.to_setting_id,
        moves_on=move.moves_on,
        members_ended=move.members_ended,
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
                short_weeks=[_tally(week) for week in row.delivery.flagged_weeks],
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
