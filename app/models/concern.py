"""Concerns and complaints: a family raises a concern with the setting; unresolved, it becomes a complaint.

The family's words are kept as they typed them; the setting answers within the council's time (in
working days); a concern the setting did not answer in time, or whose answer the family says does not
resolve it, can be made a complaint to the council, with its own record.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import EnumText, created_at_field
from app.models.item import Section


class ConcernAbout(StrEnum):
    SECTION = "section"
    ITEM = "item"
    DELIVERY = "delivery"


CONCERN_ABOUT_LABELS: dict[ConcernAbout, str] = {
    ConcernAbout.SECTION: "A part of the plan",
    ConcernAbout.ITEM: "Something the plan says",
    ConcernAbout.DELIVERY: "How the plan is carried out (the help given)",
}


class ConcernOutcome(StrEnum):
    """What the family says of the setting's answer."""

    RESOLVED = "resolved"
    NOT_RESOLVED = "not_resolved"


class ConcernStatus(StrEnum):
    """Where a concern stands, worked out from its record (`PlanConcern.status`)."""

    AWAITING_ANSWER = "awaiting_answer"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    NOT_RESOLVED = "not_resolved"
    ESCALATED = "escalated"


CONCERN_STATUS_LABELS: dict[ConcernStatus, str] = {
    ConcernStatus.AWAITING_ANSWER: "Waiting for the setting's answer",
    ConcernStatus.ANSWERED: "Answered",
    ConcernStatus.RESOLVED: "Resolved",
    ConcernStatus.NOT_RESOLVED: "Not resolved",
    ConcernStatus.ESCALATED: "Made a complaint",
}


class PlanConcern(SQLModel, table=True):
    """A concern raised with the setting about the plan or its delivery, and the setting's answer."""

    __tablename__ = "plan_concern"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    raised_by_id: int = Field(foreign_key="person.id")
    about: ConcernAbout = Field(sa_type=EnumText(ConcernAbout))
    section: Section | None = Field(default=None, sa_type=EnumText(Section))
    item_id: int | None = Field(default=None, foreign_key="item.id")
    words: str
    """The family's words, kept verbatim."""
    raised_on: date
    answer_days: int
    """The council's time to answer, in working days, when the concern was raised."""
    due_on: date
    answer: str | None = None
    answered_by_id: int | None = Field(default=None, foreign_key="person.id")
    answered_on: date | None = None
    outcome: ConcernOutcome | None = Field(default=None, sa_type=EnumText(ConcernOutcome))
    outcome_on: date | None = None
    escalated_on: date | None = None
    created_at: datetime = created_at_field()

    @property
    def status(self) -> ConcernStatus:
        if self.escalated_on is not None:
            return ConcernStatus.ESCALATED
        if self.outcome is ConcernOutcome.RESOLVED:
            return ConcernStatus.RESOLVED
        if self.outcome is ConcernOutcome.NOT_RESOLVED:
            return ConcernStatus.NOT_RESOLVED
        return ConcernStatus.AWAITING_ANSWER if self.answer is None else ConcernStatus.ANSWERED

    @property
    def status_label(self) -> str:
        return CONCERN_STATUS_LABELS[self.status]

    @property
    def about_label(self) -> str:
        return CONCERN_ABOUT_LABELS[self.about]

    def is_overdue(self, today: date) -> bool:
        """Not answered, and past the last day the setting had."""
        return self.answer is None and self.escalated_on is None and today > self.due_on


class ComplaintStage(StrEnum):
    STAGE_ONE = "stage_one"
    STAGE_TWO = "stage_two"
    CLOSED = "closed"


COMPLAINT_STAGE_LABELS: dict[ComplaintStage, str] = {
    ComplaintStage.STAGE_ONE: "Stage 1: the council looks into it",
    ComplaintStage.STAGE_TWO: "Stage 2: a review panel with a SEND specialist",
    ComplaintStage.CLOSED: "Closed",
}


class Complaint(SQLModel, table=True):
    """A concern made a complaint to the council: who handles it, its stage, the answer, and when."""

    id: int | None = Field(default=None, primary_key=True)
    concern_id: int = Field(foreign_key="plan_concern.id", unique=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    local_authority_id: int = Field(foreign_key="organisation.id", index=True)
    made_by_id: int = Field(foreign_key="person.id")
    reason: str
    """Why the family makes it a complaint, in their words."""
    made_on: date
    stage: ComplaintStage = Field(default=ComplaintStage.STAGE_ONE, sa_type=EnumText(ComplaintStage))
    handler_id: int | None = Field(default=None, foreign_key="person.id")
    taken_on: date | None = None
    answer: str | None = None
    answered_by_id: int | None = Field(default=None, foreign_key="person.id")
    answered_on: date | None = None
    closed_on: date | None = None
    created_at: datetime = created_at_field()

    @property
    def stage_label(self) -> str:
        return COMPLAINT_STAGE_LABELS[self.stage]


DEFAULT_ANSWER_DAYS = 10
"""Working days a setting has to answer a concern, unless its council sets another time."""


class ConcernTime(SQLModel, table=True):
    """A council's time for settings to answer a concern, in working days (DEFAULT_ANSWER_DAYS if none)."""

    __tablename__ = "concern_time"

    id: int | None = Field(default=None, primary_key=True)
    local_authority_id: int = Field(foreign_key="organisation.id", unique=True)
    answer_days: int
    changed_by_id: int = Field(foreign_key="person.id")
    changed_at: datetime = created_at_field()
