"""Statutory steps: who may record them, recording one done (and what follows) or an exception."""

from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.models import PlanKind, PlanStatus
from app.models.base import PLAIN_TEXT, Words, id_of
from app.models.timeline import (
    ASSESSMENT_STEPS,
    STEP_OUTCOMES,
    AssessmentRequest,
    ExceptionKind,
    StatutoryStep,
    StepKind,
    StepOutcome,
)
from app.permissions import (
    PlanAccess,
    may_manage_assessment,
    may_manage_reviews,
)
from app.services import audit
from app.services.plans.access import refuse, refuse_change, row_of_plan
from app.services.plans.plans import PlanProblem

EARLIEST = date(2000, 1, 1)


class StepDone(BaseModel):
    done_on: date
    outcome: StepOutcome | None = None
    note: str | None = Field(default=None, max_length=2000, pattern=PLAIN_TEXT)
    """The review report's differences of opinion (required for that step: "None" if there were none)."""


class StepException(BaseModel):
    exception: ExceptionKind
    reason: Words = Field(min_length=1, max_length=500)


def plan_step(db: Session, access: PlanAccess, step_id: int) -> StatutoryStep:
    return row_of_plan(
        db, access, StatutoryStep, step_id, object_type="statutory_step", action="step.refused"
    )


def may_manage_step(access: PlanAccess, step: StatutoryStep) -> bool:
    return may_manage_assessment(access) if step.kind in ASSESSMENT_STEPS else may_manage_reviews(access)


# Who may: asked by the services and, before a form is read, by the pages (a refusal tells nothing of
# the form's errors); one message each.


def check_may_manage_step(access: PlanAccess, step: StatutoryStep) -> None:
    if not may_manage_step(access, step):
        refuse(
            access,
            "Only the council's case officer or the plan's coordinator records this.",
            action="step.refused",
        )


def check_day(day: date, field_name: str, *, not_before: date | None = None) -> None:
    today = uk_today()
    if day > today:
        raise PlanProblem(field_name, "The date must be today or in the past")
    if day < max(EARLIEST, not_before or EARLIEST):
        earliest = max(EARLIEST, not_before or EARLIEST)
        raise PlanProblem(field_name, f"The date must be {earliest.day} {earliest:%B %Y} or later")


def _start_of(db: Session, step: StatutoryStep) -> date | None:
    if step.assessment_id is not None:
        request = db.get(AssessmentRequest, step.assessment_id)
        return request.requested_on if request else None
    return None


NO_DRAFT = "There is no draft plan to send: make the draft plan from the assessment first (on the timeline)."
DRAFT_NOT_SENT = (
    "The draft plan has not been sent to the family yet: send it for comment from the plan's stage page "
    "(that records this step)."
)
NO_FINAL_PLAN = (
    "There is no final plan yet: issue the EHC plan from its stage page once the family's time to "
    "comment has ended (that records this step)."
)


def missing_thing(access: PlanAccess, step: StatutoryStep, outcome: StepOutcome | None) -> str | None:
    """What a step needs to exist before it can be recorded, when it does not: a draft to send, a plan
    to issue. The assessment belongs to the EHC plan once its draft is made (timelines.drafting)."""
    plan = access.plan
    if step.kind is StepKind.ISSUE_DECISION and outcome is StepOutcome.DRAFT_SENT:
        if plan.kind is not PlanKind.EHC:
            return NO_DRAFT
        if plan.status is PlanStatus.DRAFT:
            return DRAFT_NOT_SENT
    if step.kind is StepKind.FINAL_PLAN and step.assessment_id is not None:
        if plan.kind is not PlanKind.EHC or plan.status in {PlanStatus.DRAFT, PlanStatus.CONSULTATION}:
            return NO_FINAL_PLAN
    return None


def record_done(
    db: Session, actor: Actor, access: PlanAccess, step: StatutoryStep, done: StepDone
) -> StatutoryStep:
    """Record that a step happened, when and by whom; a "no" decision ends the steps after it."""
    check_may_manage_step(access, step)
    if step.done_on is not None or step.cancelled_on is not None:
        refuse_change(access, "This step has already been recorded.", action="step.refused")
    check_day(done.done_on, "done_on", not_before=_start_of(db, step))
    choices = STEP_OUTCOMES.get(step.kind, ())
    if choices and done.outcome not in choices:
        raise PlanProblem("outcome", "Select what was decided")
    if not choices and done.outcome is not None:
        raise PlanProblem("outcome", "This step has no decision to record")
    missing = missing_thing(access, step, done.outcome)
    if missing is not None:
        raise PlanProblem("outcome" if choices else "done_on", missing)
    note = (done.note or "").strip() or None
    if step.kind is StepKind.REVIEW_REPORT and note is None:
        raise PlanProblem("note", "Enter the differences of opinion the report records, or None")
    return close_step(db, actor, access, step, done.done_on, done.outcome, note)


def close_step(
    db: Session,
    actor: Actor,
    access: PlanAccess,
    step: StatutoryStep,
    done_on: date,
    outcome: StepOutcome | None,
    note: str | None = None,
    *,
    audited: bool = True,
) -> StatutoryStep:
    """Write a step done (checked by the caller, or the plan's own stage) and what follows from it."""
    step.done_on, step.done_by_id, step.outcome, step.note = done_on, id_of(access.person), outcome, note
    db.add(step)
    _follow_on(db, step)
    db.flush()
    if not audited:  # part of a plan's stage: that action's one event names the step
        return step
    audit.record(
        db,
        actor,
        "timeline.step_done",
        object_type="statutory_step",
        object_id=step.id,
        details={
            "plan_id": step.plan_id,
            "kind": step.kind.value,
            "due_on": step.due_on.isoformat(),
            "done_on": step.done_on.isoformat() if step.done_on else None,
            "outcome": step.outcome.value if step.outcome else None,
        },
    )
    return step


def _follow_on(db: Session, step: StatutoryStep) -> None:
    """What a decision ends: later steps no longer apply (kept, so marked); a final plan ends the request."""
    ended: tuple[StepKind, ...] = ()
    if step.outcome is StepOutcome.NOT_ASSESS:
        ended = (StepKind.ISSUE_DECISION, StepKind.FINAL_PLAN)
    elif step.outcome is StepOutcome.NOT_ISSUING:
        ended = (StepKind.FINAL_PLAN,)
    elif step.outcome in {StepOutcome.KEEP, StepOutcome.CEASE}:
        ended = (StepKind.AMENDED_DRAFT, StepKind.AMENDED_FINAL)
    closes = step.kind is StepKind.FINAL_PLAN or step.outcome in {
        StepOutcome.NOT_ASSESS,
        StepOutcome.NOT_ISSUING,
    }
    if ended:
        later = select(StatutoryStep).where(
            StatutoryStep.plan_id == step.plan_id,
            col(StatutoryStep.kind).in_(ended),
            col(StatutoryStep.done_on).is_(None),
            col(StatutoryStep.cancelled_on).is_(None),
        )
        if step.assessment_id is not None:
            later = later.where(StatutoryStep.assessment_id == step.assessment_id)
        else:
            later = later.where(StatutoryStep.round_on == step.round_on)
        for other in db.exec(later):
            other.cancelled_on = step.done_on
            db.add(other)
    if closes and step.assessment_id is not None:
        request = db.get(AssessmentRequest, step.assessment_id)
        if request is not None:
            request.closed_on = step.done_on
            db.add(request)


def record_exception(
    db: Session, actor: Actor, access: PlanAccess, step: StatutoryStep, given: StepException
) -> StatutoryStep:
    """An exception to a time limit, with its reason: shown on the timeline, never silent."""
    check_may_manage_step(access, step)
    if step.kind not in ASSESSMENT_STEPS:
        raise PlanProblem("exception", "The exceptions apply to the time limits of an assessment")
    if step.cancelled_on is not None:
        refuse_change(access, "This step no longer applies.", action="step.refused")
    step.exception, step.exception_reason, step.exception_by_id = (
        given.exception,
        given.reason,
        id_of(access.person),
    )
    db.add(step)
    db.flush()
    audit.record(
        db,
        actor,
        "timeline.exception_recorded",
        object_type="statutory_step",
        object_id=step.id,
        typed_reason=given.reason,
        details={"plan_id": step.plan_id, "kind": step.kind.value, "exception": given.exception.value},
    )
    return step
