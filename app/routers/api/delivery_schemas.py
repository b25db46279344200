"""The delivery API's shapes: what it answers and what may be sent (the routes are in `delivery`)."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from app.models import (
    Confidence,
    DeliveryStatus,
    ProvisionChangeKind,
    SupportLevel,
    TimetableDecisionKind,
)
from app.models.base import PLAIN_TEXT, WORDS
from app.services.delivery import changes, log, needs_map, timetables
from app.services.delivery.arithmetic import Tally


class TallyOut(BaseModel):
    starts_on: date
    ends_on: date
    school_days: int
    planned: float | None
    delivered: float
    missed: int
    shortfall: float
    flagged: bool
    nothing_logged: bool
    """Something was planned and no day has a record: not "0 delivered" (short once the week is over)."""


def tally_out(found: Tally) -> TallyOut:
    return TallyOut(
        starts_on=found.starts_on,
        ends_on=found.ends_on,
        school_days=found.school_days,
        planned=found.planned,
        delivered=found.delivered,
        missed=found.missed,
        shortfall=found.shortfall,
        flagged=found.flagged,
        nothing_logged=found.nothing_logged,
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
    """Today or before: the move applies at once; ahead: it waits for its day (the worker applies it)."""
    reason: str | None = Field(default=None, max_length=500)
    """Needed when the setting does not fit the child's school year, and to amend an issued EHC plan."""


class MoveOut(BaseModel):
    id: int
    from_setting_id: int | None
    to_setting_id: int
    moves_on: date
    members_ended: int
    status: Literal["waiting", "applied", "cancelled"]
    phase_fits: bool


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


def timetable_out(state: timetables.TimetableState) -> TimetableOut:
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


def change_out(record: changes.ChangeRecord) -> ChangeOut:
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


def week_out(grid: log.WeekGrid) -> WeekOut:
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
        week=tally_out(grid.week),
        half_term=tally_out(grid.half_term),
    )


def needs_out(found: needs_map.NeedsMap) -> list[NeedOut]:
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
