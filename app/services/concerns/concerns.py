"""A family's concern raised with the setting, the setting's answer, and the family's word on it.

The family's words are kept as typed. The setting (its staff on the plan) answers within the council's
time in working days, counted on the UK's calendar from the day after the concern is raised; the
setting's staff are mailed when it is raised and the family when it is answered. Each step is audited
in the same transaction. Making a concern a complaint is in `complaints.py`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.config import Settings
from app.models import (
    DEFAULT_ANSWER_DAYS,
    FAMILY_MEMBER_ROLES,
    Complaint,
    ConcernAbout,
    ConcernOutcome,
    ConcernTime,
    Item,
    MemberRole,
    Person,
    PlanConcern,
    PlanMember,
    Section,
)
from app.models.base import PLAIN_TEXT, id_of
from app.permissions import (
    PLAN_SECTIONS,
    PlanAccess,
    concerns_go_to_council,
    may_answer_concern,
    may_raise_concern,
    may_see_concerns,
)
from app.services import audit
from app.services.concerns.rules import add_working_days
from app.services.delivery.common import tell
from app.services.plans.access import refuse, refuse_as_absent, refuse_change, row_of_plan
from app.services.plans.items import ContentProblem
from app.services.plans.plans import people_by_id
from app.services.timelines.rules import day_words

MAX_WORDS = 5000
NOT_FAMILY = (
    "The family on the plan raises a concern with the setting: a parent or carer, or the young person."
)
NOT_SETTING = "The setting's staff on the plan answer a concern."


class NewConcern(BaseModel):
    """What the concern is about (a section, an item of the plan, or its delivery) and the family's words."""

    about: ConcernAbout
    section: Section | None = None
    item_id: int | None = None
    words: str = Field(max_length=MAX_WORDS, pattern=PLAIN_TEXT)


class Words(BaseModel):
    """An answer, or why a concern is made a complaint."""

    words: str = Field(max_length=MAX_WORDS, pattern=PLAIN_TEXT)


@dataclass(frozen=True)
class ConcernsPanel:
    """The plan's concerns, newest first, with their complaints and the people named: three queries."""

    concerns: Sequence[PlanConcern]
    complaints: dict[int, Complaint]
    people: dict[int, Person]
    today: date


def answer_days_of(db: Session, local_authority_id: int) -> int:
    """The council's time for a setting to answer, in working days."""
    found = db.exec(
        select(ConcernTime.answer_days).where(col(ConcernTime.local_authority_id) == local_authority_id)
    ).first()
    return int(found) if found is not None else DEFAULT_ANSWER_DAYS


def check_readable(access: PlanAccess) -> None:
    """Concerns are between the family, the setting and the council: anyone else finds none (404)."""
    if not may_see_concerns(access):
        refuse_as_absent(access)


def panel(db: Session, access: PlanAccess) -> ConcernsPanel:
    """The plan's concerns for someone who reads them (empty for anyone else: the plan page asks)."""
    today = uk_today()
    if not may_see_concerns(access):
        return ConcernsPanel([], {}, {}, today)
    concerns = list(
        db.exec(
            select(PlanConcern)
            .where(col(PlanConcern.plan_id) == access.plan.id)
            .order_by(col(PlanConcern.id).desc())
        )
    )
    complaints: dict[int, Complaint] = {}
    if any(concern.escalated_on is not None for concern in concerns):
        complaints = {
            complaint.concern_id: complaint
            for complaint in db.exec(select(Complaint).where(col(Complaint.plan_id) == access.plan.id))
        }
    wanted: set[int | None] = {c.raised_by_id for c in concerns}
    wanted |= {c.answered_by_id for c in concerns}
    wanted |= {p for c in complaints.values() for p in (c.handler_id, c.made_by_id, c.answered_by_id)}
    return ConcernsPanel(concerns, complaints, people_by_id(db, wanted), today)


CONCERN_EVENTS = ("concern.", "concerns.", "complaint.", "complaints.")
"""The audit actions about a plan's concerns and complaints: read only by those who read them."""


def is_concern_event(action: str) -> bool:
    return action.startswith(CONCERN_EVENTS)


def read_concerns(db: Session, actor: Actor, access: PlanAccess) -> ConcernsPanel:
    check_readable(access)
    found = panel(db, access)
    audit.record(
        db,
        actor,
        "concerns.read",
        object_type="plan",
        object_id=access.plan.id,
        details={"concerns": len(found.concerns)},
    )
    return found


def concern_of(db: Session, access: PlanAccess, concern_id: int) -> PlanConcern:
    """A concern of this plan, for someone who reads its concerns; any other is absent (404)."""
    check_readable(access)
    return row_of_plan(
        db, access, PlanConcern, concern_id, object_type="plan_concern", action="concern.refused"
    )


def complaint_of(db: Session, concern: PlanConcern) -> Complaint | None:
    return db.exec(select(Complaint).where(col(Complaint.concern_id) == concern.id)).first()


def read_concern(db: Session, actor: Actor, access: PlanAccess, concern_id: int) -> PlanConcern:
    concern = concern_of(db, access, concern_id)
    audit.record(
        db,
        actor,
        "concern.read",
        object_type="plan_concern",
        object_id=concern_id,
        details={"plan_id": access.plan.id},
    )
    return concern


def _what(db: Session, access: PlanAccess, new: NewConcern) -> tuple[Section | None, int | None]:
    """The section or item the concern is about, checked against this plan."""
    if new.about is ConcernAbout.DELIVERY:
        return None, None
    if new.about is ConcernAbout.SECTION:
        if new.section is None or new.section not in PLAN_SECTIONS[access.plan.kind]:
            raise ContentProblem({"section": "Select the part of the plan your concern is about"})
        return new.section, None
    item = db.get(Item, new.item_id) if new.item_id is not None else None
    if item is None or item.plan_id != access.plan.id:
        raise ContentProblem({"item_id": "Select something this plan says"})
    return item.section, id_of(item)


def setting_staff(db: Session, access: PlanAccess) -> list[Person]:
    """The setting's staff on the plan: who answers a concern, and who is mailed when one is raised."""
    return list(
        db.exec(
            select(Person)
            .join(PlanMember, col(PlanMember.person_id) == col(Person.id))
            .where(
                col(PlanMember.plan_id) == access.plan.id,
                col(PlanMember.removed_at).is_(None),
                col(PlanMember.role) == MemberRole.EDUCATION.value,
            )
            .order_by(col(Person.id))
        )
    )


def family(db: Session, access: PlanAccess) -> list[Person]:
    """The family on the plan who hold the rights: parents and carers, and the young person from 16."""
    found = db.exec(
        select(Person)
        .join(PlanMember, col(PlanMember.person_id) == col(Person.id))
        .where(
            col(PlanMember.plan_id) == access.plan.id,
            col(PlanMember.removed_at).is_(None),
            col(PlanMember.role).in_([role.value for role in FAMILY_MEMBER_ROLES]),
        )
        .order_by(col(Person.id))
    )
    return [person for person in found if person.makes_own_decisions]


def check_may_raise(access: PlanAccess) -> None:
    """Refused with the reason: not the family (403; 404 to whoever reads no concerns), or an ended plan."""
    check_readable(access)
    if concerns_go_to_council(access):
        refuse_change(
            access, "This plan has ended: concerns about it go to the council.", action="concern.refused"
        )
    if not may_raise_concern(access):
        refuse(access, NOT_FAMILY, action="concern.refused")


def raise_concern(
    db: Session, settings: Settings, actor: Actor, access: PlanAccess, new: NewConcern
) -> PlanConcern:
    """Raise a concern with the setting; it has the council's time to answer; its staff are mailed."""
    check_may_raise(access)
    section, item_id = _what(db, access, new)
    words = new.words.strip()
    if not words:
        raise ContentProblem({"words": "Enter your concern"})
    today = uk_today()
    days = answer_days_of(db, access.plan.local_authority_id)
    concern = PlanConcern(
        plan_id=id_of(access.plan),
        raised_by_id=id_of(access.person),
        about=new.about,
        section=section,
        item_id=item_id,
        words=new.words,
        raised_on=today,
        answer_days=days,
        due_on=add_working_days(today, days),
    )
    db.add(concern)
    db.flush()
    audit.record(
        db,
        actor,
        "concern.raised",
        object_type="plan_concern",
        object_id=concern.id,
        details={"plan_id": access.plan.id, "about": new.about.value, "due_on": concern.due_on.isoformat()},
    )
    plan = access.plan
    tell(
        db,
        settings,
        setting_staff(db, access),
        f"A concern about plan {plan.reference}",
        f"The family raised a concern about plan {plan.reference}. Please answer it by "
        f"{day_words(concern.due_on, today)} ({days} working days):\n\n"
        f"{settings.public_url}/plans/{plan.id}/concerns/{concern.id}\n",
    )
    return concern


def answer(
    db: Session, settings: Settings, actor: Actor, access: PlanAccess, concern: PlanConcern, given: Words
) -> PlanConcern:
    """The setting's answer (once); the family is mailed and says whether it resolves their concern."""
    if not may_answer_concern(access):
        refuse(
            access, NOT_SETTING, action="concern.refused", object_type="plan_concern", object_id=concern.id
        )
    if concern.escalated_on is not None:
        refuse_change(
            access, "This concern is now a complaint: the council answers it.", action="concern.refused"
        )
    if concern.answer is not None:
        refuse_change(access, "This concern has been answered already.", action="concern.refused")
    words = given.words.strip()
    if not words:
        raise ContentProblem({"words": "Enter your answer"})
    concern.answer = given.words
    concern.answered_by_id = id_of(access.person)
    concern.answered_on = uk_today()
    db.add(concern)
    db.flush()
    audit.record(
        db,
        actor,
        "concern.answered",
        object_type="plan_concern",
        object_id=concern.id,
        details={"plan_id": access.plan.id, "late": concern.answered_on > concern.due_on},
    )
    plan = access.plan
    tell(
        db,
        settings,
        family(db, access),
        f"Your concern about plan {plan.reference} has been answered",
        f"The setting answered your concern about plan {plan.reference}. Read the answer and tell them "
        f"whether it resolves your concern:\n\n{settings.public_url}/plans/{plan.id}/concerns/{concern.id}\n",
    )
    return concern


def say_outcome(
    db: Session, actor: Actor, access: PlanAccess, concern: PlanConcern, outcome: ConcernOutcome
) -> PlanConcern:
    """The family says whether the answer resolves their concern (they may say again, until a complaint)."""
    if not may_raise_concern(access):
        refuse(access, NOT_FAMILY, action="concern.refused", object_type="plan_concern", object_id=concern.id)
    if concern.escalated_on is not None:
        refuse_change(access, "This concern is now a complaint.", action="concern.refused")
    if concern.answer is None:
        refuse_change(access, "The setting has not answered this concern yet.", action="concern.refused")
    concern.outcome = outcome
    concern.outcome_on = uk_today()
    db.add(concern)
    db.flush()
    audit.record(
        db,
        actor,
        "concern.outcome_given",
        object_type="plan_concern",
        object_id=concern.id,
        details={"plan_id": access.plan.id, "outcome": outcome.value},
    )
    return concern


def why_not_escalate(concern: PlanConcern, today: date) -> str | None:
    """Why the concern cannot be made a complaint today, in the family's words (None: it can)."""
    if concern.escalated_on is not None:
        return "This concern is already a complaint."
    if concern.outcome is ConcernOutcome.NOT_RESOLVED or concern.is_overdue(today):
        return None
    if concern.answer is None:
        return (
            f"The setting has until {day_words(concern.due_on, today)} to answer. If it has not answered "
            "by then, you can make your concern a complaint."
        )
    if concern.outcome is ConcernOutcome.RESOLVED:
        return "You said the setting's answer resolves your concern."
    return "Tell the setting whether its answer resolves your concern first."
