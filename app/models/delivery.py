"""Provision as delivered: the delivery log, reduced timetables, changes to agreed provision, the needs
map and moves of setting.

Nothing here is overwritten either: a correction to the log is a newer record for the same day, a
decision on a reduced timetable is a new row, an ended provision keeps its words and gains an ending.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import EnumText, created_at_field, moment_field


class DeliveryStatus(StrEnum):
    DELIVERED = "delivered"
    MISSED = "missed"


class DeliveryRecord(SQLModel, table=True):
    """What was delivered of one provision on one day; the newest record of the day counts."""

    __tablename__ = "delivery_record"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    delivered_on: date = Field(index=True)
    status: DeliveryStatus = Field(sa_type=EnumText(DeliveryStatus))
    amount: float = 0
    """How much was delivered, in the provision's own unit (0 when missed)."""
    reason: str | None = Field(default=None, max_length=500)
    """Why it was missed (required then)."""
    recorded_by_id: int = Field(foreign_key="person.id")
    recorded_at: datetime = created_at_field()


class ShortfallFlag(SQLModel, table=True):
    """A week of one provision that fell short: the coordinator and the family are told once."""

    __tablename__ = "shortfall_flag"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    week_of: date
    planned: float
    delivered: float
    flagged_at: datetime = created_at_field()


class TimetableDecisionKind(StrEnum):
    CONTINUE = "continue"
    EXTEND = "extend"
    END = "end"


TIMETABLE_DECISION_LABELS = {
    TimetableDecisionKind.CONTINUE: "Continue to the next review",
    TimetableDecisionKind.EXTEND: "Extend the planned end",
    TimetableDecisionKind.END: "End it: back to full time",
}


class ReducedTimetable(SQLModel, table=True):
    """A reduced timetable: for the shortest time, reviewed, with a plan to return to full time."""

    __tablename__ = "reduced_timetable"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    starts_on: date
    planned_end_on: date
    hours_a_week: float
    reason: str = Field(max_length=2000)
    return_plan: str = Field(max_length=2000)
    """How the child returns to full time, step by step."""
    review_on: date
    """The first review; each decision sets the one after it (the timetable row never changes)."""
    recorded_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()


class TimetableDecision(SQLModel, table=True):
    """A review's decision on a reduced timetable: continue, extend or end, and why."""

    __tablename__ = "timetable_decision"

    id: int | None = Field(default=None, primary_key=True)
    timetable_id: int = Field(foreign_key="reduced_timetable.id", index=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    decided_on: date
    decision: TimetableDecisionKind = Field(sa_type=EnumText(TimetableDecisionKind))
    note: str = Field(max_length=2000)
    next_review_on: date | None = None
    planned_end_on: date | None = None
    decided_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()


class ProvisionChangeKind(StrEnum):
    ENDED = "ended"
    CHANGED = "changed"


class ProvisionChange(SQLModel, table=True):
    """An agreed provision or adjustment ended or changed: who, when, and why; the family is told."""

    __tablename__ = "provision_change"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    kind: ProvisionChangeKind = Field(sa_type=EnumText(ProvisionChangeKind))
    reason: str = Field(max_length=500)
    effective_on: date
    revision_before: int
    revision_after: int | None = None
    made_by_id: int = Field(foreign_key="person.id")
    made_at: datetime = created_at_field()


class ChangeResponse(SQLModel, table=True):
    """The family's answer to a change of their child's provision."""

    __tablename__ = "change_response"

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(foreign_key="provision_change.id", index=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    author_id: int = Field(foreign_key="person.id")
    text: str = Field(max_length=5000)
    created_at: datetime = created_at_field()


class SupportLevel(StrEnum):
    NONE = "none"
    SOME = "some"
    GOOD = "good"


SUPPORT_LEVEL_LABELS = {
    SupportLevel.NONE: "Not offered yet",
    SupportLevel.SOME: "Some support",
    SupportLevel.GOOD: "Well supported",
}


class Confidence(StrEnum):
    LOW = "low"
    SOME = "some"
    HIGH = "high"


CONFIDENCE_LABELS = {
    Confidence.LOW: "Not confident",
    Confidence.SOME: "Fairly confident",
    Confidence.HIGH: "Confident",
}


class NeedsMapEntry(SQLModel, table=True):
    """One need set against the setting's support and the family's confidence at home, on a date."""

    __tablename__ = "needs_map_entry"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    recorded_on: date
    setting_support: SupportLevel = Field(sa_type=EnumText(SupportLevel))
    support_offered: str = Field(max_length=1000)
    family_confidence: Confidence = Field(sa_type=EnumText(Confidence))
    recorded_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()


class SettingMove(SQLModel, table=True):
    """The child moved school: the plan, with all its history, goes with them."""

    __tablename__ = "setting_move"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    from_setting_id: int | None = Field(default=None, foreign_key="organisation.id")
    to_setting_id: int = Field(foreign_key="organisation.id")
    moves_on: date
    new_senco_id: int = Field(foreign_key="person.id")
    members_ended: int = 0
    made_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()
    reason: str | None = Field(default=None, max_length=500)
    """Why: needed when the new setting does not fit the child's phase, and to amend an issued plan."""
    phase_fits: bool = True
    applied_at: datetime | None = moment_field()
    """When access and placement changed: at once for a move dated today or before, else on the day
    (the worker); None while the move waits."""
    cancelled_at: datetime | None = moment_field()
    cancelled_by_id: int | None = Field(default=None, foreign_key="person.id")

    @property
    def is_pending(self) -> bool:
        return self.applied_at is None and self.cancelled_at is None
