"""Review meetings and phase transfers: arranged by the plan's coordinator."""

from datetime import date, timedelta

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.models import (
    ENDED_STATUSES,
    PlanKind,
    PlanStatus,
)
from app.models.base import id_of
from app.models.timeline import (
    StatutoryStep,
    StepKind,
)
from app.permissions import (
    PlanAccess,
    may_manage_reviews,
)
from app.services import audit
from app.services.plans.access import refuse, refuse_change
from app.services.plans.plans import PlanProblem
from app.services.timelines import rules


class NewReviewMeeting(BaseModel):
    meeting_on: date


class NewPhaseTransfer(BaseModel):
    transfer_year: int = Field(ge=2000, le=2100)
    into_post_16: bool = False


def check_may_manage_reviews(access: PlanAccess) -> None:
    if not may_manage_reviews(access):
        refuse(
            access,
            "Only the plan's coordinator arranges reviews and phase transfers.",
            action="review.refused",
        )


def arrange_review(
    db: Session, actor: Actor, access: PlanAccess, new: NewReviewMeeting
) -> list[StatutoryStep]:
    """Arrange an EHC plan's annual review meeting: its deadlines before and after are set from its day."""
    check_may_manage_reviews(access)
    plan = access.plan
    if plan.kind is not PlanKind.EHC or plan.status not in {PlanStatus.ISSUED, PlanStatus.UNDER_REVIEW}:
        refuse_change(
            access,
            "Annual review meetings are arranged for an issued EHC plan; a SEN Support review is recorded "
            "when it has been held.",
            action="review.refused",
        )
    pending = db.exec(
        select(StatutoryStep).where(
            StatutoryStep.plan_id == plan.id,
            StatutoryStep.kind == StepKind.REVIEW_MEETING,
            col(StatutoryStep.done_on).is_(None),
            col(StatutoryStep.cancelled_on).is_(None),
        )
    ).first()
    if pending is not None:
        refuse_change(
            access, "A review meeting is already arranged: record it first.", action="review.refused"
        )
    today = uk_today()
    if not today - timedelta(days=rules.REVIEW_NOTICE_DAYS) <= new.meeting_on <= rules.add_months(today, 12):
        raise PlanProblem("meeting_on", "The meeting must be within the next 12 months")
    steps = [
        StatutoryStep(plan_id=id_of(plan), kind=kind, round_on=new.meeting_on, due_on=due)
        for kind, due in rules.review_due_dates(new.meeting_on).items()
    ]
    db.add_all(steps)
    db.flush()
    audit.record(
        db,
        actor,
        "review.arranged",
        object_type="plan",
        object_id=plan.id,
        details={"meeting_on": new.meeting_on.isoformat(), "steps": [step.id for step in steps]},
    )
    return steps


def add_phase_transfer(db: Session, actor: Actor, access: PlanAccess, new: NewPhaseTransfer) -> StatutoryStep:
    """Naming the next school: by 15 February of the year of the move (31 March into post-16)."""
    check_may_manage_reviews(access)
    plan = access.plan
    if plan.kind is not PlanKind.EHC or plan.status in ENDED_STATUSES:
        refuse_change(access, "Phase transfers are part of an EHC plan.", action="phase_transfer.refused")
    existing = db.exec(
        select(StatutoryStep).where(
            StatutoryStep.plan_id == plan.id,
            StatutoryStep.kind == StepKind.PHASE_TRANSFER,
            col(StatutoryStep.done_on).is_(None),
            col(StatutoryStep.cancelled_on).is_(None),
        )
    ).first()
    if existing is not None:
        refuse_change(access, "A phase transfer is already on the timeline.", action="phase_transfer.refused")
    step = StatutoryStep(
        plan_id=id_of(plan),
        kind=StepKind.PHASE_TRANSFER,
        due_on=rules.phase_transfer_due(new.transfer_year, into_post_16=new.into_post_16),
    )
    db.add(step)
    db.flush()
    audit.record(
        db,
        actor,
        "timeline.phase_transfer_added",
        object_type="statutory_step",
        object_id=step.id,
        details={"plan_id": plan.id, "due_on": step.due_on.isoformat(), "into_post_16": new.into_post_16},
    )
    return step
