"""Who is on a plan: the coordinator invites, removes (words stay) and hands the role on."""

from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, select

from app.actor import Actor
from app.config import Settings
from app.models import (
    MEMBER_ROLE_LABELS,
    Child,
    FamilyLink,
    MemberRole,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    Person,
    PersonRole,
    PlanMember,
)
from app.models.base import PLAIN_TEXT, Words, id_of, utc_now
from app.permissions import COORDINATOR_ROLES, MEMBER_ROLE_FITS, PlanAccess, may_coordinate
from app.services import audit
from app.services.auth.links import send_invitation
from app.services.mail import send_mail
from app.services.plans.access import refuse, row_of_plan
from app.services.plans.plans import PlanProblem

NEW_ACCOUNT_ROLES: dict[MemberRole, PersonRole] = {
    MemberRole.PARENT_CARER: PersonRole.PARENT_CARER,
    MemberRole.CHILD: PersonRole.CHILD,
    MemberRole.EDUCATION: PersonRole.EDUCATION,
    MemberRole.HEALTH: PersonRole.HEALTH,
    MemberRole.SOCIAL_CARE: PersonRole.SOCIAL_CARE,
}
"""The parts for which the coordinator may invite someone who has no account yet."""
STAFF_ORGANISATION_KINDS = {
    MemberRole.EDUCATION: OrganisationKind.SCHOOL,
    MemberRole.HEALTH: OrganisationKind.HEALTH,
    MemberRole.SOCIAL_CARE: OrganisationKind.SOCIAL_CARE,
}


class NewMember(BaseModel):
    """Someone to add: an existing person by id (API), or anyone by e-mail address."""

    role: MemberRole
    person_id: int | None = None
    email: str | None = Field(default=None, max_length=254, pattern=PLAIN_TEXT)
    display_name: str | None = Field(default=None, max_length=120, pattern=PLAIN_TEXT)
    """Needed only when nobody has this e-mail address yet: they are invited to make an account."""
    organisation_id: int | None = None
    """Needed only when inviting a new member of staff: their organisation."""


@dataclass(frozen=True)
class Membership:
    member: PlanMember
    person: Person


def members(db: Session, access: PlanAccess, *, include_removed: bool = False) -> list[Membership]:
    """The plan's members with their people, in one query."""
    query = (
        select(PlanMember, Person)
        .join(Person, col(Person.id) == col(PlanMember.person_id))
        .where(col(PlanMember.plan_id) == access.plan.id)
        .order_by(col(PlanMember.is_coordinator).desc(), col(PlanMember.id))
    )
    if not include_removed:
        query = query.where(col(PlanMember.removed_at).is_(None))
    return [Membership(member, person) for member, person in db.exec(query)]


def _must_coordinate(access: PlanAccess, action: str) -> None:
    if not may_coordinate(access):
        refuse(access, "Only the plan's coordinator can change who is on the plan.", action=action)


def add_member(
    db: Session, settings: Settings, actor: Actor, access: PlanAccess, new: NewMember
) -> PlanMember:
    """Add someone with an account at once (they are told by e-mail); invite anyone else to make one."""
    _must_coordinate(access, "member.refused")
    person, invited = _person_to_add(db, actor, access, new)
    fits = MEMBER_ROLE_FITS[new.role]
    if person.role not in fits or not person.is_active:
        raise PlanProblem(
            "role", f"{person.display_name} cannot be on a plan as {MEMBER_ROLE_LABELS[new.role].lower()}"
        )
    current = db.exec(
        select(PlanMember).where(
            col(PlanMember.plan_id) == access.plan.id,
            col(PlanMember.person_id) == person.id,
            col(PlanMember.removed_at).is_(None),
        )
    ).first()
    if current is not None:
        raise PlanProblem("email", f"{person.display_name} is already on this plan")
    if new.role is MemberRole.CHILD and _childs_account(db, access) not in {None, person.id}:
        raise PlanProblem("role", f"{person.display_name} is not the child or young person this plan is for")
    message: OutboxMessage | None = None
    if invited:
        message = send_invitation(db, settings, actor, person)
    elif person.email:
        message = send_mail(
            db,
            settings,
            person.email,
            f"You have been added to plan {access.plan.reference}",
            f"{access.person.display_name} has added you to plan {access.plan.reference} on "
            f"{settings.service_name}.\n\nSign in to read it: {settings.public_url}/plans/{access.plan.id}\n",
        )
    return enrol(db, actor, access, person, new.role, invited=invited, told_by=message)


def enrol(
    db: Session,
    actor: Actor,
    access: PlanAccess,
    person: Person,
    role: MemberRole,
    *,
    invited: bool = False,
    told_by: OutboxMessage | None = None,
) -> PlanMember:
    """Put the person on the plan (the caller has checked who may); family links follow the child.

    One event records it all: a new account made for them (`invited`) and the e-mail that told them.
    """
    member = PlanMember(
        plan_id=id_of(access.plan), person_id=id_of(person), role=role, added_by_id=access.person.id
    )
    db.add(member)
    db.flush()
    child = db.get(Child, access.plan.child_id)
    if role is MemberRole.CHILD and child is not None and child.person_id is None:
        child.person_id = person.id
        person.date_of_birth = person.date_of_birth or child.date_of_birth
        db.add_all([child, person])
        for parent in _family_on_plan(db, access):  # parents added before the child had an account
            _link_family(db, parent=parent, child_id=id_of(person))
    if role is MemberRole.PARENT_CARER and child is not None and child.person_id is not None:
        _link_family(db, parent=person, child_id=child.person_id)
    audit.record(
        db,
        actor,
        "member.added",
        object_type="plan_member",
        object_id=member.id,
        details={
            "plan_id": access.plan.id,
            "person_id": person.id,
            "role": role.value,
            "invited": invited,
            "outbox_message_id": told_by.id if told_by is not None else None,
        },
    )
    return member


def _person_to_add(db: Session, actor: Actor, access: PlanAccess, new: NewMember) -> tuple[Person, bool]:
    """The person named, or a new account for an e-mail address nobody has yet (then `True`)."""
    if new.person_id is not None:
        person = db.get(Person, new.person_id)
        if person is None:
            raise PlanProblem("person_id", "There is nobody with that id")
        return person, False
    email = (new.email or "").strip()
    if "@" not in email[1:-1]:
        raise PlanProblem("email", "Enter an e-mail address in the correct format, like name@example.com")
    person = db.exec(select(Person).where(func.lower(Person.email) == email.lower())).first()
    if person is not None:
        return person, False
    if new.role not in NEW_ACCOUNT_ROLES:
        raise PlanProblem("email", "Nobody has this e-mail address yet: readers must already have an account")
    if new.role is MemberRole.CHILD and _childs_account(db, access) is not None:
        raise PlanProblem("email", "The child or young person this plan is for already has an account")
    name = (new.display_name or "").strip()
    if not name:
        raise PlanProblem(
            "display_name",
            "Enter their full name: nobody has this e-mail address yet, so we will invite them",
        )
    person = Person(display_name=name, email=email, role=NEW_ACCOUNT_ROLES[new.role])
    if person.is_staff:
        organisation = db.get(Organisation, new.organisation_id) if new.organisation_id else None
        if organisation is None or organisation.kind is not STAFF_ORGANISATION_KINDS[new.role]:
            raise PlanProblem("organisation_id", "Select their organisation")
        person.organisation_id = organisation.id
    db.add(person)
    db.flush()
    return person, True


def _childs_account(db: Session, access: PlanAccess) -> int | None:
    """The account of the child the plan is for, once they have one: the only person in the child's part."""
    child = db.get(Child, access.plan.child_id)
    return child.person_id if child is not None else None


def _family_on_plan(db: Session, access: PlanAccess) -> list[Person]:
    """The plan's current parents and carers."""
    return list(
        db.exec(
            select(Person)
            .join(PlanMember, col(PlanMember.person_id) == col(Person.id))
            .where(
                col(PlanMember.plan_id) == access.plan.id,
                col(PlanMember.role) == MemberRole.PARENT_CARER.value,
                col(PlanMember.removed_at).is_(None),
            )
        )
    )


def _link_family(db: Session, *, parent: Person, child_id: int) -> None:
    """A parent on the child's plan may also set up the child's sign-in card."""
    linked = db.exec(
        select(FamilyLink).where(col(FamilyLink.parent_id) == parent.id, col(FamilyLink.child_id) == child_id)
    ).first()
    if linked is None:
        db.add(FamilyLink(parent_id=id_of(parent), child_id=child_id))
        db.flush()


def plan_member(db: Session, access: PlanAccess, member_id: int) -> PlanMember:
    return row_of_plan(
        db,
        access,
        PlanMember,
        member_id,
        object_type="plan_member",
        action="member.refused",
        standing_only=True,
    )


class Removal(BaseModel):
    """Why someone leaves the plan: kept in the audit trail and shown in the plan's history."""

    reason: Words = Field(min_length=1, max_length=2000)


def remove_member(
    db: Session, actor: Actor, access: PlanAccess, member: PlanMember, removal: Removal
) -> None:
    """Their access ends at once; everything they wrote stays, with their name on it."""
    _must_coordinate(access, "member.refused")
    if member.is_coordinator:
        raise PlanProblem("member", "Hand the coordinator role to someone else before removing its holder")
    if member.removed_at is not None:
        raise PlanProblem("member", "They have already been removed from the plan")
    if access.plan.duty_holder_id == member.person_id:
        raise PlanProblem("member", "Name another duty holder for the plan before removing this one")
    member.removed_at = utc_now()
    member.removed_by_id = access.person.id
    db.add(member)
    db.flush()
    audit.record(
        db,
        actor,
        "member.removed",
        object_type="plan_member",
        object_id=member.id,
        typed_reason=removal.reason,
        details={"plan_id": access.plan.id, "person_id": member.person_id},
    )


def hand_on_coordinator(db: Session, actor: Actor, access: PlanAccess, member: PlanMember) -> None:
    """The SENCo (SEN Support) or LA case officer (EHC plan) passes the plan to a colleague of that part."""
    _must_coordinate(access, "coordinator.refused")
    wanted = COORDINATOR_ROLES[access.plan.kind]
    if member.role is not wanted:
        raise PlanProblem(
            "member", f"The coordinator of this plan must be on it as {MEMBER_ROLE_LABELS[wanted].lower()}"
        )
    if member.is_coordinator:
        raise PlanProblem("member", "They are already the coordinator")
    previous = access.membership
    if previous is not None:
        previous.is_coordinator = False
        db.add(previous)
    member.is_coordinator = True
    db.add(member)
    db.flush()
    audit.record(
        db,
        actor,
        "coordinator.handed_on",
        object_type="plan_member",
        object_id=member.id,
        details={
            "plan_id": access.plan.id,
            "from_person_id": access.person.id,
            "to_person_id": member.person_id,
        },
    )


def read_members(db: Session, actor: Actor, access: PlanAccess) -> list[Membership]:
    """Who is on the plan now, as a read of the plan (audited: a family can see who looked)."""
    found = members(db, access)
    audit.record(
        db,
        actor,
        "plan.members_read",
        object_type="plan",
        object_id=access.plan.id,
        details={"members": len(found)},
    )
    return found
