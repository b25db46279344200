"""Statutory timelines: EHC needs assessment requests, the steps each has a deadline for, advice
requests, and the reminders already sent (so that `oneplan reminders` sends nothing twice).

Due dates are computed by `app.services.timelines.rules`; each step keeps when it was due, when it
happened and who did it, and any exception that applies (recorded with its reason, never silently).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import EnumText, created_at_field


class RequesterKind(StrEnum):
    """Who may ask for an EHC needs assessment, at any time (Code of Practice 9.8)."""

    PARENT_CARER = "parent_carer"
    YOUNG_PERSON = "young_person"
    SCHOOL = "school"


REQUESTER_KIND_LABELS = {
    RequesterKind.PARENT_CARER: "a parent or carer",
    RequesterKind.YOUNG_PERSON: "the young person",
    RequesterKind.SCHOOL: "the school or college",
}


class AssessmentRequest(SQLModel, table=True):
    """A request for an EHC needs assessment: the statutory clock starts on `requested_on`."""

    __tablename__ = "assessment_request"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    """The child's plan the request was made from (their SEN Support plan, usually)."""
    child_id: int = Field(foreign_key="child.id", index=True)
    local_authority_id: int = Field(foreign_key="organisation.id", index=True)
    requested_by_id: int = Field(foreign_key="person.id")
    requester_kind: RequesterKind = Field(sa_type=EnumText(RequesterKind))
    requested_on: date
    reason: str | None = Field(default=None, max_length=2000)
    case_officer_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    closed_on: date | None = None
    """When the assessment ended: a decision not to assess or not to issue, or the final plan."""
    from_plan_id: int | None = Field(default=None, foreign_key="plan.id")
    """The SEN Support plan it was asked from, once the EHC draft is made: the assessment, its steps and
    its advice then belong to the EHC plan (`plan_id`), one thread from request to plan."""
    created_at: datetime = created_at_field()


class StepKind(StrEnum):
    # An EHC needs assessment (SEND Regulations 2014, regs 5, 10 and 13)
    ASSESSMENT_DECISION = "assessment_decision"
    ISSUE_DECISION = "issue_decision"
    FINAL_PLAN = "final_plan"
    # An EHC plan's annual review (regs 20 to 22; Code of Practice 9.166 onwards)
    REVIEW_INVITATIONS = "review_invitations"
    REVIEW_MEETING = "review_meeting"
    REVIEW_REPORT = "review_report"
    REVIEW_DECISION = "review_decision"
    AMENDED_DRAFT = "amended_draft"
    AMENDED_FINAL = "amended_final"
    # A move to the next school or college (reg 18)
    PHASE_TRANSFER = "phase_transfer"


STEP_KIND_LABELS = {
    StepKind.ASSESSMENT_DECISION: "the council decides whether to assess",
    StepKind.ISSUE_DECISION: "the council sends the draft plan, or decides not to issue one",
    StepKind.FINAL_PLAN: "the final EHC plan is issued",
    StepKind.REVIEW_INVITATIONS: "invitations and advice go out for the review meeting",
    StepKind.REVIEW_MEETING: "the annual review meeting",
    StepKind.REVIEW_REPORT: "the review report goes to everyone (with any differences of opinion)",
    StepKind.REVIEW_DECISION: "the council decides to keep, amend or end the plan",
    StepKind.AMENDED_DRAFT: "the amended draft goes to the family, with at least 15 days to comment",
    StepKind.AMENDED_FINAL: "the amended plan is final",
    StepKind.PHASE_TRANSFER: "the plan names the next school or college",
}
ASSESSMENT_STEPS = (StepKind.ASSESSMENT_DECISION, StepKind.ISSUE_DECISION, StepKind.FINAL_PLAN)
REVIEW_STEPS = (
    StepKind.REVIEW_INVITATIONS,
    StepKind.REVIEW_MEETING,
    StepKind.REVIEW_REPORT,
    StepKind.REVIEW_DECISION,
    StepKind.AMENDED_DRAFT,
    StepKind.AMENDED_FINAL,
)


class StepOutcome(StrEnum):
    """What a decision step decided (the steps after a "no" no longer apply)."""

    ASSESS = "assess"
    NOT_ASSESS = "not_assess"
    DRAFT_SENT = "draft_sent"
    NOT_ISSUING = "not_issuing"
    KEEP = "keep"
    AMEND = "amend"
    CEASE = "cease"


STEP_OUTCOME_LABELS = {
    StepOutcome.ASSESS: "will assess",
    StepOutcome.NOT_ASSESS: "will not assess",
    StepOutcome.DRAFT_SENT: "draft plan sent",
    StepOutcome.NOT_ISSUING: "will not issue a plan",
    StepOutcome.KEEP: "keep the plan as it is",
    StepOutcome.AMEND: "amend the plan",
    StepOutcome.CEASE: "end the plan",
}
STEP_OUTCOMES = {
    StepKind.ASSESSMENT_DECISION: (StepOutcome.ASSESS, StepOutcome.NOT_ASSESS),
    StepKind.ISSUE_DECISION: (StepOutcome.DRAFT_SENT, StepOutcome.NOT_ISSUING),
    StepKind.REVIEW_DECISION: (StepOutcome.KEEP, StepOutcome.AMEND, StepOutcome.CEASE),
}


class ExceptionKind(StrEnum):
    """When a time limit does not apply (SEND Regulations 2014, regs 10(4) and 13(3))."""

    SCHOOL_CLOSED = "school_closed"
    PERSONAL_CIRCUMSTANCES = "personal_circumstances"
    FAMILY_AWAY = "family_away"


EXCEPTION_KIND_LABELS = {
    ExceptionKind.SCHOOL_CLOSED: "the school or college was closed for 4 weeks or more",
    ExceptionKind.PERSONAL_CIRCUMSTANCES: "exceptional personal circumstances of the child or family",
    ExceptionKind.FAMILY_AWAY: "the family was away for 4 weeks or more",
}


class StatutoryStep(SQLModel, table=True):
    """One step with a statutory deadline: when it was due, when it happened and who did it."""

    __tablename__ = "statutory_step"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    assessment_id: int | None = Field(default=None, foreign_key="assessment_request.id", index=True)
    kind: StepKind = Field(sa_type=EnumText(StepKind))
    round_on: date | None = None
    """The review meeting a review step belongs to (its deadlines count from it)."""
    due_on: date = Field(index=True)
    done_on: date | None = None
    done_by_id: int | None = Field(default=None, foreign_key="person.id")
    outcome: StepOutcome | None = Field(default=None, sa_type=EnumText(StepOutcome))
    note: str | None = Field(default=None, max_length=2000)
    """For a review report: the differences of opinion it records."""
    exception: ExceptionKind | None = Field(default=None, sa_type=EnumText(ExceptionKind))
    exception_reason: str | None = Field(default=None, max_length=500)
    exception_by_id: int | None = Field(default=None, foreign_key="person.id")
    cancelled_on: date | None = None
    """A step that no longer applies (the council decided not to assess): kept, not deleted."""
    created_at: datetime = created_at_field()


class AdviceTopic(StrEnum):
    """The advice an assessment gathers (reg 6): each returned within 6 weeks of being asked (reg 8)."""

    EDUCATION = "education"
    HEALTH = "health"
    PSYCHOLOGY = "psychology"
    SOCIAL_CARE = "social_care"
    PREPARING_FOR_ADULTHOOD = "preparing_for_adulthood"
    OTHER = "other"


ADVICE_TOPIC_LABELS = {
    AdviceTopic.EDUCATION: "Educational advice",
    AdviceTopic.HEALTH: "Medical advice",
    AdviceTopic.PSYCHOLOGY: "Psychological advice",
    AdviceTopic.SOCIAL_CARE: "Social care advice",
    AdviceTopic.PREPARING_FOR_ADULTHOOD: "Preparing for adulthood advice",
    AdviceTopic.OTHER: "Other advice",
}


class AdviceRequest(SQLModel, table=True):
    """Advice asked of an organisation's team and, optionally, a named person (it survives staff leaving)."""

    __tablename__ = "advice_request"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    assessment_id: int | None = Field(default=None, foreign_key="assessment_request.id", index=True)
    topic: AdviceTopic = Field(sa_type=EnumText(AdviceTopic))
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    sent_on: date
    due_on: date = Field(index=True)
    sent_by_id: int = Field(foreign_key="person.id")
    returned_on: date | None = None
    returned_by_id: int | None = Field(default=None, foreign_key="person.id")
    advice_item_id: int | None = Field(default=None, foreign_key="item.id")
    exception: ExceptionKind | None = Field(default=None, sa_type=EnumText(ExceptionKind))
    exception_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()


class AdviceAttachment(SQLModel, table=True):
    """A file returned with advice (PDF, PNG or JPEG, checked by its content), stored outside static/
    under a random name and served only to the members of its plan."""

    __tablename__ = "advice_attachment"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    advice_request_id: int | None = Field(default=None, foreign_key="advice_request.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="item.id", index=True)
    """The advice in section K the file belongs to."""
    file_name: str = Field(max_length=80)
    """A random name in the data folder's advice/ (a carried copy shares its file)."""
    shown_name: str = Field(max_length=120)
    """What the adviser's file was called, cleaned: shown, never used as a path."""
    media_type: str = Field(max_length=40)
    byte_size: int
    uploaded_by: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()


class ReminderSent(SQLModel, table=True):
    """A reminder already sent: one per thing, threshold and recipient (`key`), never twice."""

    __tablename__ = "reminder_sent"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    """What, which threshold, to whom: "step:12:overdue:person:7"."""
    plan_id: int = Field(foreign_key="plan.id", index=True)
    recipient: str = Field(max_length=254)
    sent_at: datetime = created_at_field()
    outbox_message_id: int | None = Field(default=None, foreign_key="outbox_message.id")
    notify_reference: str | None = Field(default=None, max_length=100)
