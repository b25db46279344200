"""People: administrators invite staff, and deactivate or reactivate anyone.

A deactivated person can no longer sign in (their sessions end and their tokens stop working at
once); everything they wrote stays, attributed to them.
"""

from sqlmodel import Session, col, delete, select

from app.actor import Actor
from app.config import Settings
from app.models import InviteStaff, Organisation, OrganisationKind, Person, PersonRole, RecoveryCode
from app.models.base import utc_now
from app.services import audit
from app.services.auth.links import send_invitation
from app.services.auth.sessions import end_all_sessions

# Which kind of organisation each staff role works in.
ROLE_ORGANISATION_KINDS: dict[PersonRole, set[OrganisationKind]] = {
    PersonRole.EDUCATION: {OrganisationKind.SCHOOL, OrganisationKind.OTHER},
    PersonRole.HEALTH: {OrganisationKind.HEALTH, OrganisationKind.OTHER},
    PersonRole.SOCIAL_CARE: {OrganisationKind.SOCIAL_CARE, OrganisationKind.OTHER},
    PersonRole.LA_CASE_OFFICER: {OrganisationKind.LOCAL_AUTHORITY},
    PersonRole.LA_AUDIT_OFFICER: {OrganisationKind.LOCAL_AUTHORITY},
}
INVITABLE_ROLES = tuple(ROLE_ORGANISATION_KINDS)


class PersonProblem(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class PersonNotFound(LookupError):
    pass


def list_people(db: Session) -> list[tuple[Person, Organisation | None]]:
    rows = db.exec(
        select(Person, Organisation)
        .join(Organisation, col(Organisation.id) == col(Person.organisation_id), isouter=True)
        .order_by(col(Person.display_name))
    )
    return [(person, organisation) for person, organisation in rows]


def invite_staff(db: Session, settings: Settings, actor: Actor, invitation: InviteStaff) -> Person:
    """Create the person (no password yet) and e-mail them the invitation link: one event for both."""
    email = invitation.email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise PersonProblem("email", "Enter an e-mail address in the right format, like name@example.org")
    if db.exec(select(Person).where(Person.email == email)).first() is not None:
        raise PersonProblem("email", "Someone with this e-mail address already has an account")
    if invitation.role not in ROLE_ORGANISATION_KINDS:
        raise PersonProblem("role", "Select the person's role")
    organisation = db.get(Organisation, invitation.organisation_id)
    if organisation is None or organisation.kind not in ROLE_ORGANISATION_KINDS[invitation.role]:
        raise PersonProblem("organisation_id", "Select an organisation of the right kind for this role")
    person = Person(
        display_name=" ".join(invitation.display_name.split()),
        email=email,
        role=invitation.role,
        organisation_id=organisation.id,
    )
    db.add(person)
    db.flush()
    message = send_invitation(db, settings, actor, person)
    audit.record(
        db,
        actor,
        "person.invited",
        object_type="person",
        object_id=person.id,
        details={
            "role": person.role.value,
            "organisation_id": person.organisation_id,
            "outbox_message_id": message.id,
        },
    )
    return person


def get_person(db: Session, person_id: int) -> Person:
    person = db.get(Person, person_id)
    if person is None:
        raise PersonNotFound(person_id)
    return person


def deactivate(db: Session, actor: Actor, person_id: int) -> Person:
    person = get_person(db, person_id)
    if actor.person is not None and actor.person.id == person.id:
        raise PersonProblem("person", "You cannot deactivate your own account")
    if person.deactivated_at is None:
        person.deactivated_at = utc_now()
        db.add(person)
        end_all_sessions(db, person)
        audit.record(db, actor, "person.deactivated", object_type="person", object_id=person.id)
    return person


def reactivate(db: Session, actor: Actor, person_id: int) -> Person:
    person = get_person(db, person_id)
    if person.deactivated_at is not None:
        person.deactivated_at = None
        db.add(person)
        audit.record(db, actor, "person.reactivated", object_type="person", object_id=person.id)
    return person


def reset_second_factor(db: Session, actor: Actor, person_id: int) -> Person:
    """For a member of staff who lost their phone and their recovery codes.

    They set up a new authenticator app at their next sign-in; their sessions end now.
    """
    person = get_person(db, person_id)
    if not person.is_staff:
        raise PersonProblem("person", "Only staff have a second factor to reset")
    person.totp_secret = None
    person.totp_confirmed_at = None
    db.add(person)
    db.exec(delete(RecoveryCode).where(col(RecoveryCode.person_id) == person.id))
    end_all_sessions(db, person)
    audit.record(db, actor, "person.second_factor_reset", object_type="person", object_id=person.id)
    return person
