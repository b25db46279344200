"""A concern made a complaint to the council, the council's handling of it, and its time to answer concerns.

The family makes a concern a complaint when the setting did not answer it in time, or when they say its
answer does not resolve it; the complaint keeps its own record (stage, who handles it at the council,
the answer, the dates), which the family reads beside their concern. The council's case officers take
complaints on and answer them; its audit officers read them.
"""

from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.config import Settings
from app.errors import Refused
from app.models import Child, Complaint, ComplaintStage, ConcernTime, Person, PersonRole, Plan, PlanConcern
from app.models.base import PLAIN_TEXT, id_of, utc_now
from app.permissions import PlanAccess, may_handle_complaints_of, may_raise_concern, may_see_complaints_of
from app.services import audit
from app.services.concerns.concerns import MAX_WORDS, NOT_FAMILY, Words, answer_days_of, why_not_escalate
from app.services.delivery.common import tell
from app.services.plans.access import refuse, refuse_change
from app.services.plans.items import ContentProblem
from app.services.plans.plans import people_by_id

MOST_ANSWER_DAYS = 60


def escalate(
    db: Session, settings: Settings, actor: Actor, access: PlanAccess, concern: PlanConcern, why: Words
) -> Complaint:
    """Make the concern a complaint: only once it is overdue, or the family says it is not resolved.

    The council's case officers are mailed (no words of the complaint): one of them takes it on."""
    if not may_raise_concern(access):
        refuse(access, NOT_FAMILY, action="concern.refused", object_type="plan_concern", object_id=concern.id)
    today = uk_today()
    reason = why_not_escalate(concern, today)
    if reason is not None:
        refuse_change(access, reason, action="concern.refused")
    if not why.words.strip():
        raise ContentProblem({"words": "Enter why you are making your concern a complaint"})
    complaint = Complaint(
        concern_id=id_of(concern),
        plan_id=id_of(access.plan),
        local_authority_id=access.plan.local_authority_id,
        made_by_id=id_of(access.person),
        reason=why.words,
        made_on=today,
    )
    concern.escalated_on = today
    db.add_all([complaint, concern])
    db.flush()
    audit.record(
        db,
        actor,
        "complaint.made",
        object_type="complaint",
        object_id=complaint.id,
        details={"plan_id": access.plan.id, "concern_id": concern.id, "overdue": concern.answer is None},
    )
    officers = db.exec(
        select(Person).where(
            col(Person.role) == PersonRole.LA_CASE_OFFICER.value,
            col(Person.organisation_id) == complaint.local_authority_id,
            col(Person.deactivated_at).is_(None),
        )
    )
    tell(
        db,
        settings,
        list(officers),
        f"A complaint about plan {access.plan.reference}",
        f"A family made their concern about plan {access.plan.reference} a complaint to the council. "
        "One of the council's case officers takes it on:\n\n"
        f"{settings.public_url}/la/complaints/{complaint.id}\n",
    )
    return complaint


@dataclass(frozen=True)
class ComplaintRow:
    complaint: Complaint
    concern: PlanConcern
    plan: Plan
    child: Child


@dataclass(frozen=True)
class CouncilComplaints:
    rows: list[ComplaintRow]
    people: dict[int, Person]


def _rows(db: Session, local_authority_id: int, complaint_id: int | None = None) -> list[ComplaintRow]:
    query = (
        select(Complaint, PlanConcern, Plan, Child)
        .join(PlanConcern, col(PlanConcern.id) == col(Complaint.concern_id))
        .join(Plan, col(Plan.id) == col(Complaint.plan_id))
        .join(Child, col(Child.id) == col(Plan.child_id))
        .where(col(Complaint.local_authority_id) == local_authority_id)
    )
    if complaint_id is not None:
        query = query.where(col(Complaint.id) == complaint_id)
    return [ComplaintRow(*found) for found in db.exec(query.order_by(col(Complaint.id).desc()))]


def _people(db: Session, rows: list[ComplaintRow]) -> dict[int, Person]:
    wanted: set[int | None] = set()
    for row in rows:
        wanted |= {row.complaint.made_by_id, row.complaint.handler_id, row.complaint.answered_by_id}
        wanted |= {row.concern.raised_by_id, row.concern.answered_by_id}
    return people_by_id(db, wanted)


def council_complaints(db: Session, actor: Actor, person: Person) -> CouncilComplaints:
    """Every complaint about the council's plans, newest first: for its case and audit officers."""
    council = person.organisation_id
    rows = _rows(db, council) if council is not None and may_see_complaints_of(person, council) else []
    audit.record(
        db,
        actor,
        "complaints.listed",
        object_type="organisation",
        object_id=council,
        details={"complaints": len(rows)},
    )
    return CouncilComplaints(rows, _people(db, rows))


def council_complaint(db: Session, person: Person, complaint_id: int) -> CouncilComplaints:
    """One complaint of the person's council; any other is absent (404)."""
    council = person.organisation_id
    rows = (
        _rows(db, council, complaint_id)
        if council is not None and may_see_complaints_of(person, council)
        else []
    )
    if not rows:
        raise Refused(
            404,
            "Not Found",
            action="complaint.refused",
            person=person,
            object_type="complaint",
            object_id=complaint_id,
        )
    return CouncilComplaints(rows, _people(db, rows))


def read_complaint(db: Session, actor: Actor, person: Person, complaint_id: int) -> CouncilComplaints:
    found = council_complaint(db, person, complaint_id)
    row = found.rows[0]
    audit.record(
        db,
        actor,
        "complaint.read",
        object_type="complaint",
        object_id=complaint_id,
        details={"plan_id": row.plan.id},
    )
    return found


class Handling(BaseModel):
    """The complaint's stage, and the council's answer when it gives one."""

    stage: ComplaintStage
    answer: str = Field(default="", max_length=MAX_WORDS, pattern=PLAIN_TEXT)


def handle(db: Session, actor: Actor, person: Person, row: ComplaintRow, handling: Handling) -> Complaint:
    """A case officer takes the complaint on (the first to act handles it), moves its stage, answers it."""
    complaint = row.complaint
    if not may_handle_complaints_of(person, complaint.local_authority_id):
        raise Refused(
            403,
            "The council's SEND case officers handle complaints.",
            action="complaint.refused",
            person=person,
            object_type="complaint",
            object_id=complaint.id,
        )
    if complaint.closed_on is not None:
        raise Refused(
            409,
            "This complaint is closed.",
            action="complaint.refused",
            person=person,
            object_type="complaint",
            object_id=complaint.id,
        )
    if handling.stage is ComplaintStage.CLOSED and not (handling.answer.strip() or complaint.answer):
        raise ContentProblem({"answer": "Enter the council's answer before closing the complaint"})
    if complaint.handler_id is not None and handling.stage is complaint.stage and not handling.answer.strip():
        raise ContentProblem({"stage": "Choose another stage, or enter the council's answer"})
    today = uk_today()
    details: dict[str, object] = {
        "plan_id": complaint.plan_id,
        "from": complaint.stage.value,
        "to": handling.stage.value,
        "taken_on": complaint.handler_id is None,
    }
    if complaint.handler_id is None:
        complaint.handler_id = id_of(person)
        complaint.taken_on = today
    moved = handling.stage is not complaint.stage
    complaint.stage = handling.stage
    complaint.closed_on = today if handling.stage is ComplaintStage.CLOSED else None
    if handling.answer.strip():
        complaint.answer = handling.answer
        complaint.answered_by_id = id_of(person)
        complaint.answered_on = today
        audit.record(
            db, actor, "complaint.answered", object_type="complaint", object_id=complaint.id, details=details
        )
    elif moved:
        audit.record(
            db,
            actor,
            "complaint.stage_changed",
            object_type="complaint",
            object_id=complaint.id,
            details=details,
        )
    else:
        audit.record(
            db, actor, "complaint.taken_on", object_type="complaint", object_id=complaint.id, details=details
        )
    db.add(complaint)
    db.flush()
    return complaint


def set_answer_days(db: Session, actor: Actor, person: Person, days: int) -> ConcernTime:
    """The council's time for settings to answer a concern (its case officers set it); for new concerns."""
    council = person.organisation_id
    if council is None or not may_handle_complaints_of(person, council):
        raise Refused(
            403,
            "The council's SEND case officers set this time.",
            action="concern_time.refused",
            person=person,
        )
    if not 1 <= days <= MOST_ANSWER_DAYS:
        raise ContentProblem({"answer_days": f"Enter a number of working days from 1 to {MOST_ANSWER_DAYS}"})
    before = answer_days_of(db, council)
    found = db.exec(select(ConcernTime).where(col(ConcernTime.local_authority_id) == council)).first()
    found = found or ConcernTime(local_authority_id=council, answer_days=days, changed_by_id=id_of(person))
    found.answer_days = days
    found.changed_by_id = id_of(person)
    found.changed_at = utc_now()
    db.add(found)
    db.flush()
    audit.record(
        db,
        actor,
        "concern_time.changed",
        object_type="organisation",
        object_id=council,
        details={"from": before, "to": days},
    )
    return found
