"""Requesting an EHC needs assessment and the council taking it on: the steps it sets going."""

from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.errors import Refused
from app.models import (
    ENDED_STATUSES,
    SETTING_KINDS,
    MemberRole,
    PlanMember,
)
from app.models.base import PLAIN_TEXT, id_of
from app.models.timeline import (
    AssessmentRequest,
    RequesterKind,
    StatutoryStep,
)
from app.permissions import (
    PlanAccess,
    is_case_officer_of,
)
from app.services import audit
from app.services.plans.access import refuse, refuse_change
from app.services.plans.plans import PlanProblem
from app.services.timelines import rules

LATEST_RECORDED_REQUEST_WEEKS = 26
"""A request made earlier (by letter) may be recorded up to 26 weeks after it was made."""


class NewAssessmentRequest(BaseModel):
    requested_on: date | None = None
    """The day the request was made (a letter sent earlier); today if not given."""
    reason: str | None = Field(default=None, max_length=2000, pattern=PLAIN_TEXT)


def requester_kind(access: PlanAccess) -> RequesterKind | None:
    """Who may ask: a parent or carer, a young person from 16, or the school (Code of Practice 9.8)."""
    role = access.member_role
    if role is MemberRole.PARENT_CARER:
        return RequesterKind.PARENT_CARER
    if role is MemberRole.CHILD and access.person.makes_own_decisions:
        return RequesterKind.YOUNG_PERSON
    if role is MemberRole.EDUCATION:
        return RequesterKind.SCHOOL
    return None


def open_request(db: Session, plan_id: int) -> AssessmentRequest | None:
    return db.exec(
        select(AssessmentRequest).where(
            AssessmentRequest.plan_id == plan_id, col(AssessmentRequest.closed_on).is_(None)
        )
    ).first()


def open_request_of_child(db: Session, child_id: int) -> AssessmentRequest | None:
    """The child's assessment under way, wherever it now belongs (its EHC draft, once made)."""
    return db.exec(
        select(AssessmentRequest).where(
            AssessmentRequest.child_id == child_id, col(AssessmentRequest.closed_on).is_(None)
        )
    ).first()


def may_request_assessment(db: Session, access: PlanAccess) -> bool:
    return (
        requester_kind(access) is not None
        and access.plan.kind in SETTING_KINDS
        and access.plan.status not in ENDED_STATUSES
        and open_request_of_child(db, access.plan.child_id) is None
    )


def request_assessment(
    db: Session, actor: Actor, access: PlanAccess, new: NewAssessmentRequest
) -> AssessmentRequest:
    """Ask the council for an EHC needs assessment: no earlier cycles of support are needed."""
    kind = requester_kind(access)
    if kind is None:
        refuse(
            access,
            "A parent or carer, a young person of 16 or over, or the school can ask for an assessment.",
            action="assessment.request_refused",
        )
    plan = access.plan
    if plan.kind not in SETTING_KINDS or plan.status in ENDED_STATUSES:
        refuse_change(
            access,
            "An assessment is asked for from a child's SEN Support plan or Individual Support Plan.",
            action="assessment.request_refused",
        )
    if open_request_of_child(db, plan.child_id) is not None:
        refuse_change(
            access,
            "An assessment has already been asked for: see its timeline.",
            action="assessment.request_refused",
        )
    today = uk_today()
    requested_on = new.requested_on or today
    if requested_on > today:
        raise PlanProblem("requested_on", "The day of the request must be today or in the past")
    if requested_on < rules.add_weeks(today, -LATEST_RECORDED_REQUEST_WEEKS):
        raise PlanProblem(
            "requested_on",
            f"A request can be recorded up to {LATEST_RECORDED_REQUEST_WEEKS} weeks after it was made",
        )
    request = AssessmentRequest(
        plan_id=id_of(plan),
        child_id=plan.child_id,
        local_authority_id=plan.local_authority_id,
        requested_by_id=id_of(access.person),
        requester_kind=kind,
        requested_on=requested_on,
        reason=(new.reason or "").strip() or None,
    )
    db.add(request)
    db.flush()
    db.add_all(
        StatutoryStep(plan_id=id_of(plan), assessment_id=id_of(request), kind=kind_, due_on=due)
        for kind_, due in rules.assessment_due_dates(requested_on).items()
    )
    db.flush()
    audit.record(
        db,
        actor,
        "assessment.requested",
        object_type="assessment_request",
        object_id=request.id,
        details={"plan_id": plan.id, "requester": kind.value, "requested_on": requested_on.isoformat()},
    )
    return request


def take_on(db: Session, actor: Actor, request_id: int) -> AssessmentRequest:
    """A case officer of the council takes the request on: they join the plan for the council."""
    person = actor.signed_in()
    request = db.get(AssessmentRequest, request_id)
    if request is None or not is_case_officer_of(person, request.local_authority_id):
        raise Refused(
            404,
            "Not Found",
            action="assessment.take_on_refused",
            person=person,
            object_type="assessment_request",
            object_id=request_id,
        )
    if request.case_officer_id is not None or request.closed_on is not None:
        raise Refused(
            409,
            "Another case officer has already taken this request on.",
            action="assessment.take_on_refused",
            person=person,
            object_type="assessment_request",
            object_id=request_id,
        )
    request.case_officer_id = id_of(person)
    membership = db.exec(
        select(PlanMember).where(
            PlanMember.plan_id == request.plan_id,
            PlanMember.person_id == person.id,
            col(PlanMember.removed_at).is_(None),
        )
    ).first()
    if membership is None:
        membership = PlanMember(
            plan_id=request.plan_id,
            person_id=id_of(person),
            role=MemberRole.LOCAL_AUTHORITY,
            added_by_id=person.id,
        )
        db.add(membership)
    db.add(request)
    db.flush()
    audit.record(
        db,
        actor,
        "assessment.taken_on",
        object_type="assessment_request",
        object_id=request.id,
        details={"plan_id": request.plan_id, "member_id": membership.id},
    )
    return request
