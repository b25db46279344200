"""A plan's stages: SEN Support cycles and reviews; the EHC plan's draft, consultation, issue and review.

An issued EHC plan is frozen; a review opens the next version. Each freeze keeps a snapshot
(`PlanVersion`) of the revision every item had, so that any two versions can be compared.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.config import Settings, get_settings
from app.errors import Refused
from app.models import (
    MEMBER_ROLE_LABELS,
    SETTING_KINDS,
    CycleStage,
    Item,
    MemberRole,
    Outcome,
    Person,
    Plan,
    PlanMember,
    PlanReview,
    PlanStatus,
    PlanVersion,
    PlanVersionItem,
)
from app.models.base import PLAIN_TEXT, Words, id_of, utc_now
from app.permissions import PlanAccess, may_coordinate
from app.services import audit
from app.services.mail import send_mail
from app.services.plans.access import refuse, refuse_change
from app.services.plans.history import reviews, versions
from app.services.plans.plans import PlanProblem, people_by_id
from app.services.quality.issue import check_before_issue

CONSULTATION_DAYS = 15
"""The family has at least 15 days to comment on a draft EHC plan (SEND Regulations 2014, reg 13(1))."""


class Step(StrEnum):
    """What the coordinator can do next to a plan's stage."""

    SEND_FOR_CONSULTATION = "send_for_consultation"
    ISSUE = "issue"
    START_REVIEW = "start_review"
    CEASE = "cease"
    MOVE_TO_STAGE = "move_to_stage"
    CLOSE = "close"


STEP_LABELS = {
    Step.SEND_FOR_CONSULTATION: "Send the draft to the family for comment",
    Step.ISSUE: "Issue the plan",
    Step.START_REVIEW: "Start a review (opens the next version)",
    Step.CEASE: "Cease the plan",
    Step.MOVE_TO_STAGE: "Move to another stage of the cycle",
    Step.CLOSE: "Close the plan",
}

NEXT_STEPS: dict[PlanStatus, tuple[Step, ...]] = {
    PlanStatus.ACTIVE: (Step.MOVE_TO_STAGE, Step.CLOSE),
    PlanStatus.DRAFT: (Step.SEND_FOR_CONSULTATION, Step.CEASE),
    PlanStatus.CONSULTATION: (Step.ISSUE, Step.CEASE),
    PlanStatus.ISSUED: (Step.START_REVIEW, Step.CEASE),
    PlanStatus.UNDER_REVIEW: (Step.SEND_FOR_CONSULTATION, Step.CEASE),
    PlanStatus.CEASED: (),
    PlanStatus.CLOSED: (),
}


class StepRequest(BaseModel):
    step: Step
    reason: str | None = Field(default=None, max_length=500, pattern=PLAIN_TEXT)
    """Why a plan is ceased or closed (required for those), or issued with unquantified provision; kept
    as the audit event's typed reason, beside the chain and erasable (500 at most)."""
    comments_until: date | None = None
    """End of the family's consultation; at least 15 days away, 15 days if not given."""
    stage: CycleStage | None = None


class NewReview(BaseModel):
    """A review meeting's record (Code of Practice 6.65: what was agreed, given to the parents)."""

    held_on: date
    participants: Words = Field(min_length=1, max_length=2000)
    what_worked: Words = Field(min_length=1, max_length=10000)
    what_changes: Words = Field(min_length=1, max_length=10000)


@dataclass(frozen=True)
class Told:
    """Someone in the family a step tells, and what they are to the plan."""

    person: Person
    role: MemberRole

    @property
    def described(self) -> str:
        part = "young person" if self.role is MemberRole.CHILD else MEMBER_ROLE_LABELS[self.role].lower()
        return f"{self.person.display_name} ({part})"


def family_to_tell(db: Session, access: PlanAccess) -> list[Told]:
    """The parents or carers on the plan, and the young person if they decide for themselves (from 16)."""
    found = db.exec(
        select(Person, PlanMember.role)
        .join(PlanMember, col(PlanMember.person_id) == col(Person.id))
        .where(
            col(PlanMember.plan_id) == access.plan.id,
            col(PlanMember.removed_at).is_(None),
            col(PlanMember.role).in_([MemberRole.PARENT_CARER.value, MemberRole.CHILD.value]),
        )
        .order_by(col(PlanMember.id))
    )
    return [
        Told(person, MemberRole(role))
        for person, role in found
        if role != MemberRole.CHILD.value or person.makes_own_decisions
    ]


def issuable_from(plan: Plan) -> date | None:
    """The first day a plan with the family may be issued: the day after their time to comment ends."""
    if plan.status is not PlanStatus.CONSULTATION or plan.consultation_ends_on is None:
        return None
    return plan.consultation_ends_on + timedelta(days=1)


def _not_yet(plan: Plan, step: Step) -> bool:
    opens = issuable_from(plan) if step is Step.ISSUE else None
    return opens is not None and uk_today() < opens


def next_steps(access: PlanAccess) -> tuple[Step, ...]:
    """The steps the coordinator may take now: a step that must wait (issue) is not offered."""
    if not may_coordinate(access):
        return ()
    return tuple(step for step in NEXT_STEPS[access.plan.status] if not _not_yet(access.plan, step))


def take_step(
    db: Session,
    actor: Actor,
    access: PlanAccess,
    request: StepRequest,
    *,
    settings: Settings | None = None,
) -> list[Told]:
    """Move the plan on; who in the family was told (sending a draft for comment tells them by mail)."""
    if not may_coordinate(access):
        refuse(access, "Only the plan's coordinator can change its stage.", action="plan.step_refused")
    plan = access.plan
    if request.step not in NEXT_STEPS[plan.status]:
        refuse_change(
            access,
            f"This plan cannot do that now: it is {plan.status.value.replace('_', ' ')}.",
            action="plan.step_refused",
        )
    before = plan.status
    frozen: PlanVersion | None = None
    waived = None
    told: list[Told] = []
    if request.step is Step.SEND_FOR_CONSULTATION:
        told = family_to_tell(db, access)
        if not told:
            refuse_change(
                access,
                "There is nobody in the family on this plan to send the draft to: add a parent or carer "
                "(or the young person, from 16) to the plan first.",
                action="plan.step_refused",
            )
        earliest = uk_today() + timedelta(days=CONSULTATION_DAYS)
        until = request.comments_until or earliest
        if until < earliest:
            raise PlanProblem(
                "comments_until",
                f"The family must have at least {CONSULTATION_DAYS} days: "
                f"choose {earliest:%-d %B %Y} or later",
            )
        plan.status, plan.consultation_ends_on = PlanStatus.CONSULTATION, until
        _tell_of_draft(db, settings or get_settings(), access, told, until)
    elif request.step is Step.ISSUE:
        opens = issuable_from(plan)
        if opens is not None and uk_today() < opens:
            refuse_change(
                access,
                f"The family has until {plan.consultation_ends_on:%-d %B %Y} to comment: "
                f"the plan can be issued from {opens:%-d %B %Y}.",
                action="plan.step_refused",
            )
        # Provision must be quantified (Code of Practice 9.69) unless the coordinator records why not.
        waived = check_before_issue(db, access, request.reason)
        frozen = freeze_version(db, access, occasion="issued")
        plan.status = PlanStatus.ISSUED
    elif request.step is Step.START_REVIEW:
        plan.status, plan.version, plan.consultation_ends_on = PlanStatus.UNDER_REVIEW, plan.version + 1, None
    elif request.step is Step.MOVE_TO_STAGE:
        if request.stage is None:
            raise PlanProblem("stage", "Select the stage of the cycle")
        plan.cycle_stage = request.stage
    else:  # cease or close: the reason is part of the record
        reason = (request.reason or "").strip()
        if not reason:
            raise PlanProblem("reason", "Enter why the plan is ending")
        plan.status = PlanStatus.CEASED if request.step is Step.CEASE else PlanStatus.CLOSED
        plan.ceased_at = utc_now()
    db.add(plan)
    db.flush()
    audit.record(
        db,
        actor,
        f"plan.{request.step.value}",
        object_type="plan",
        object_id=plan.id,
        typed_reason=request.reason or None,
        details={
            "status_before": before.value,
            "status": plan.status.value,
            "version": plan.version,
            "stage": plan.cycle_stage.value if plan.cycle_stage else None,
            "version_id": frozen.id if frozen is not None else None,
            **({"unquantified_provision": waived.unquantified} if waived is not None else {}),
            **({"told": [told_one.person.id for told_one in told]} if told else {}),
        },
    )
    return told


def _tell_of_draft(
    db: Session, settings: Settings, access: PlanAccess, told: list[Told], until: date
) -> None:
    """Mail each family member with an address; the rest read it on the plan when they sign in."""
    plan = access.plan
    for told_one in told:
        if told_one.person.email:
            send_mail(
                db,
                settings,
                told_one.person.email,
                f"The draft of plan {plan.reference} is ready for your comments",
                f"{access.person.display_name} has sent you the draft of plan {plan.reference} on "
                f"{settings.service_name}. You can comment on every part of it, and say which school or "
                f"college you would like, until {until.day} {until:%B %Y}.\n\n"
                f"Sign in to read it: {settings.public_url}/plans/{plan.id}\n",
            )


def try_step(
    db: Session, actor: Actor, access: PlanAccess, request: StepRequest, *, settings: Settings
) -> tuple[list[Told], str | None]:
    """For a page: the step taken, or why the plan's state does not allow it now (the refusal is
    audited, nothing else is written) so that the page can say so beside what was typed."""
    try:
        return take_step(db, actor, access, request, settings=settings), None
    except Refused as refusal:
        if refusal.status_code != 409:
            raise
        audit.record(
            db,
            actor,
            refusal.action,
            object_type=refusal.object_type,
            object_id=refusal.object_id,
            outcome=Outcome.REFUSED,
            reason=refusal.reason,
            details={"step": request.step.value},
        )
        return [], refusal.detail


def record_review(db: Session, actor: Actor, access: PlanAccess, new: NewReview) -> PlanReview:
    """A SEN Support review closes the cycle: its plan is kept as a version and the next cycle starts."""
    if not may_coordinate(access):
        refuse(access, "Only the plan's coordinator records reviews.", action="review.refused")
    plan = access.plan
    if plan.status in {PlanStatus.CEASED, PlanStatus.CLOSED}:
        refuse_change(access, "This plan has ended.", action="review.refused")
    if new.held_on > uk_today():
        raise PlanProblem("held_on", "The date of the meeting must be today or in the past")
    review = PlanReview(
        plan_id=id_of(plan),
        cycle_number=plan.cycle_number,
        recorded_by_id=id_of(access.person),
        **new.model_dump(),
    )
    db.add(review)
    db.flush()
    frozen: PlanVersion | None = None
    if plan.kind in SETTING_KINDS:
        frozen = freeze_version(db, access, occasion="review")
        plan.version += 1
        plan.cycle_number += 1
        plan.cycle_stage = CycleStage.ASSESS
        db.add(plan)
    audit.record(
        db,
        actor,
        "review.recorded",
        object_type="plan_review",
        object_id=review.id,
        details={
            "plan_id": plan.id,
            "cycle": review.cycle_number,
            "version": frozen.number if frozen is not None else None,
            "version_id": frozen.id if frozen is not None else None,
        },
    )
    return review


def freeze_version(db: Session, access: PlanAccess, *, occasion: str) -> PlanVersion:
    """Keep which revision each item has now, as the plan's current version number.

    Part of an issue or a review: that action's one audit event names the version.
    """
    plan = access.plan
    version = PlanVersion(
        plan_id=id_of(plan), number=plan.version, made_by_id=id_of(access.person), occasion=occasion
    )
    db.add(version)
    db.flush()
    items = db.exec(select(Item.id, Item.current_revision_id).where(col(Item.plan_id) == plan.id)).all()
    db.add_all(
        PlanVersionItem(version_id=id_of(version), item_id=item_id, revision_id=revision_id)
        for item_id, revision_id in items
        if item_id is not None and revision_id is not None
    )
    db.flush()
    return version


@dataclass(frozen=True)
class Versions:
    versions: list[PlanVersion]
    people: dict[int, Person]


@dataclass(frozen=True)
class Reviews:
    reviews: list[PlanReview]
    people: dict[int, Person]


def read_versions(db: Session, actor: Actor, access: PlanAccess) -> Versions:
    """The plan's frozen versions with who made them (audited as a read of the plan)."""
    found = versions(db, access)
    people = people_by_id(db, {version.made_by_id for version in found})
    audit.record(
        db,
        actor,
        "plan.versions_read",
        object_type="plan",
        object_id=access.plan.id,
        details={"versions": len(found)},
    )
    return Versions(found, people)


def read_reviews(db: Session, actor: Actor, access: PlanAccess) -> Reviews:
    """The plan's review records with who recorded them (audited as a read of the plan)."""
    found = reviews(db, access)
    people = people_by_id(db, {review.recorded_by_id for review in found})
    audit.record(
        db,
        actor,
        "plan.reviews_read",
        object_type="plan",
        object_id=access.plan.id,
        details={"reviews": len(found)},
    )
    return Reviews(found, people)
