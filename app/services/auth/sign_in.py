"""Signing in by e-mail and password: throttled, audited whether it works or not."""

from dataclasses import dataclass

from sqlmodel import Session, select

from app.actor import Actor
from app.config import Settings
from app.models import Outcome, Person, SignInMethod, UserSession
from app.services import audit
from app.services.auth.passwords import verify_password
from app.services.auth.secrets import digest
from app.services.auth.sessions import end_session, start_session
from app.services.auth.throttle import Throttled, check_throttle, note_attempt

WRONG_DETAILS = "Enter a correct e-mail address and password"


class SignInProblem(Exception):
    """A refusal to show beside the form; it never says which half was wrong."""


@dataclass(frozen=True)
class SignedIn:
    person: Person
    session_token: str
    needs_second_factor: bool


def find_by_email(db: Session, email: str) -> Person | None:
    return db.exec(select(Person).where(Person.email == email.strip().lower())).first()


def needs_second_factor(person: Person) -> bool:
    """Staff signing in with a local password prove a second factor; families do not."""
    return person.is_staff


def sign_in_with_password(
    db: Session,
    settings: Settings,
    actor: Actor,
    email: str,
    password: str,
    *,
    replaces: UserSession | None = None,
) -> SignedIn:
    address = actor.client_address
    try:
        check_throttle(db, settings, email, address)
    except Throttled as throttled:
        audit.record(
            db,
            actor,
            "sign_in.failed",
            outcome=Outcome.REFUSED,
            reason="throttled",
            details={"email_digest": digest(email.strip().lower())},
        )
        raise SignInProblem(throttled.message) from throttled
    person = find_by_email(db, email)
    password_ok = verify_password(person.password_hash if person else None, password)
    if person is None or not password_ok or not person.is_active:
        note_attempt(db, settings, email, address, succeeded=False)
        reason = "unknown account" if person is None else "deactivated" if password_ok else "wrong password"
        audit.record(
            db,
            actor,
            "sign_in.failed",
            subject=person,
            object_type="person",
            object_id=person.id if person else None,
            outcome=Outcome.REFUSED,
            reason=reason,
            details={} if person else {"email_digest": digest(email.strip().lower())},
        )
        if reason == "deactivated":
            raise SignInProblem("This account has been closed. Ask your organisation's administrator.")
        raise SignInProblem(WRONG_DETAILS)
    note_attempt(db, settings, email, address, succeeded=True)
    second_factor = needs_second_factor(person)
    token = start_session(
        db,
        person,
        SignInMethod.PASSWORD,
        second_factor_done=not second_factor,
        client_address=address,
        replaces=replaces,
    )
    audit.record(
        db,
        actor,
        "sign_in.password_accepted" if second_factor else "sign_in.succeeded",
        subject=person,
        object_type="person",
        object_id=person.id,
        details={"method": SignInMethod.PASSWORD.value},
    )
    return SignedIn(person, token, second_factor)


def sign_out(db: Session, actor: Actor, session: UserSession) -> None:
    end_session(db, session)
    audit.record(db, actor, "sign_out", object_type="person", object_id=session.person_id)
