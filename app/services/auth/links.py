"""One-time links sent by e-mail: invitations (7 days) and password resets (1 hour).

The database keeps only the digest of a link's token, so a copy of it opens no account. A link
works once: using it marks it, atomically, and closes the person's other open links, so that an
older e-mail cannot set the password again. Every refusal of a link is audited with its reason.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlmodel import Session, col, select, update

from app.actor import Actor
from app.config import Settings
from app.models import LinkPurpose, OneTimeLink, OutboxMessage, Outcome, Person, SignInMethod, UserSession
from app.models.base import as_utc, id_of, utc_now
from app.services import audit
from app.services.auth.passwords import hash_password, password_problem
from app.services.auth.secrets import digest, new_token
from app.services.auth.sessions import end_all_sessions, start_session
from app.services.auth.sign_in import find_by_email, needs_second_factor
from app.services.auth.throttle import Throttled, check_throttle, note_attempt
from app.services.mail import send_mail

LIFETIMES: dict[LinkPurpose, timedelta] = {
    LinkPurpose.INVITATION: timedelta(days=7),
    LinkPurpose.PASSWORD_RESET: timedelta(hours=1),
}
# Audit actions by purpose: "<prefix>.refused" for a dead link, and so on.
_AUDIT_PREFIX = {LinkPurpose.INVITATION: "invitation", LinkPurpose.PASSWORD_RESET: "password_reset"}
# Reset requests are counted apart from sign-in attempts, so that one never locks out the other.
_RESET_THROTTLE_PREFIX = "password-reset:"
_LONGEST_TOKEN = 100


class LinkRefusal(StrEnum):
    UNKNOWN = "unknown link"
    USED = "link already used"
    EXPIRED = "link expired"
    CLOSED = "account closed"


class LinkRefused(Exception):
    """The link cannot be used; `reason` says why, for the page and the audit trail."""

    def __init__(self, reason: LinkRefusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


class LinkProblem(ValueError):
    """A link cannot be sent to this person (no e-mail address, or a closed account)."""


class PasswordRejected(ValueError):
    """A new password that will not do; `field` names the form field to show it beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class LiveLink:
    link: OneTimeLink
    person: Person


@dataclass(frozen=True)
class AcceptedInvitation:
    person: Person
    session_token: str
    needs_second_factor: bool


def create_link(db: Session, purpose: LinkPurpose, person: Person, created_by: Person | None) -> str:
    """Store a new link for the person and return its token, which only the e-mail will hold."""
    token = new_token()
    now = utc_now()
    db.add(
        OneTimeLink(
            purpose=purpose,
            token_hash=digest(token),
            person_id=id_of(person),
            created_by_id=created_by.id if created_by is not None else None,
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    db.flush()
    return token


def link_url(settings: Settings, purpose: LinkPurpose, token: str) -> str:
    folder = "invitations" if purpose is LinkPurpose.INVITATION else "password-reset"
    return f"{settings.public_url.rstrip('/')}/{folder}/{token}"


def find_live_link(db: Session, actor: Actor, purpose: LinkPurpose, token: str) -> LiveLink:
    """The link and its person, or LinkRefused (audited) when it is unknown, used or expired."""
    row = None
    if 0 < len(token) <= _LONGEST_TOKEN:
        row = db.exec(
            select(OneTimeLink, Person)
            .join(Person, col(Person.id) == col(OneTimeLink.person_id))
            .where(OneTimeLink.token_hash == digest(token), OneTimeLink.purpose == purpose)
        ).first()
    if row is None:
        raise _refuse(db, actor, purpose, LinkRefusal.UNKNOWN, token=token)
    link, person = row
    if link.used_at is not None:
        raise _refuse(db, actor, purpose, LinkRefusal.USED, link=link, person=person)
    if as_utc(link.expires_at) <= utc_now():
        raise _refuse(db, actor, purpose, LinkRefusal.EXPIRED, link=link, person=person)
    if not person.is_active:
        raise _refuse(db, actor, purpose, LinkRefusal.CLOSED, link=link, person=person)
    return LiveLink(link, person)


def consume(db: Session, actor: Actor, purpose: LinkPurpose, token: str) -> LiveLink:
    """Use the link once: refuse it (LinkRefused, audited) if unknown, used or expired."""
    live = find_live_link(db, actor, purpose, token)
    _mark_used(db, actor, purpose, live)
    return live


def _mark_used(db: Session, actor: Actor, purpose: LinkPurpose, live: LiveLink) -> None:
    """A conditional UPDATE, so that two requests racing with one link cannot both win.

    The person's other open links close with it: an older e-mail cannot set the password again.
    """
    now = utc_now()
    marked = db.exec(
        update(OneTimeLink)
        .where(col(OneTimeLink.id) == live.link.id, col(OneTimeLink.used_at).is_(None))
        .values(used_at=now)
    )
    if marked.rowcount != 1:
        raise _refuse(db, actor, purpose, LinkRefusal.USED, link=live.link, person=live.person)
    db.exec(
        update(OneTimeLink)
        .where(col(OneTimeLink.person_id) == live.person.id, col(OneTimeLink.used_at).is_(None))
        .values(used_at=now)
    )


def send_invitation(db: Session, settings: Settings, actor: Actor, person: Person) -> OutboxMessage:
    """E-mail the person a link to set their password and sign in (works once, for 7 days).

    Not audited here: the invitation is part of the action that made it (inviting staff, adding
    someone new to a plan), whose one event names the message.
    """
    if not person.email or not person.is_active:
        raise LinkProblem("Only an active person with an e-mail address can be invited")
    token = create_link(db, LinkPurpose.INVITATION, person, actor.person)
    inviter = actor.person.display_name if actor.person is not None else f"The {settings.service_name} team"
    message = send_mail(
        db,
        settings,
        person.email,
        f"You are invited to {settings.service_name}",
        f"{inviter} has invited you to {settings.service_name}, where everyone around a child with "
        "special educational needs writes one plan together.\n\n"
        "To set your password and sign in, open this link:\n"
        f"{link_url(settings, LinkPurpose.INVITATION, token)}\n\n"
        "The link works once, within 7 days. If it has expired, ask whoever invited you to send "
        "a new one.\n\n"
        "If you did not expect this e-mail, you can ignore it.\n",
    )
    return message


def accept_invitation(
    db: Session,
    actor: Actor,
    token: str,
    password: str,
    confirmation: str,
    *,
    replaces: UserSession | None = None,
) -> AcceptedInvitation:
    """Set the invited person's password and sign them in; staff still owe their second factor."""
    live = find_live_link(db, actor, LinkPurpose.INVITATION, token)
    _check_new_password(password, confirmation)
    _mark_used(db, actor, LinkPurpose.INVITATION, live)
    person = live.person
    person.password_hash = hash_password(password)
    db.add(person)
    second_factor = needs_second_factor(person)
    session_token = start_session(
        db,
        person,
        SignInMethod.INVITATION,
        second_factor_done=not second_factor,
        client_address=actor.client_address,
        replaces=replaces,
    )
    audit.record(
        db,
        actor,
        "invitation.accepted",
        subject=person,
        object_type="person",
        object_id=person.id,
        details={"link_id": live.link.id, "signed_in": not second_factor},
    )
    return AcceptedInvitation(person, session_token, second_factor)


def request_password_reset(db: Session, settings: Settings, actor: Actor, email: str) -> None:
    """E-mail a reset link (works once, for 1 hour) if the address is an active person's.

    Says nothing either way, so that nobody can find out which addresses have accounts; every
    request counts towards the throttle, for the address asked about and for the asker's address.
    """
    address = email.strip().lower()
    account_key = _RESET_THROTTLE_PREFIX + address
    client_key = _RESET_THROTTLE_PREFIX + actor.client_address if actor.client_address else None
    try:
        check_throttle(db, settings, account_key, client_key)
    except Throttled:
        _record_request(db, actor, None, address, reason="throttled")
        return
    note_attempt(db, settings, account_key, client_key, succeeded=False)
    person = find_by_email(db, address) if address else None
    if person is None or not person.email:
        _record_request(db, actor, None, address, reason="unknown account")
        return
    if not person.is_active:
        _record_request(db, actor, person, address, reason="account closed")
        return
    token = create_link(db, LinkPurpose.PASSWORD_RESET, person, None)
    message = send_mail(
        db,
        settings,
        person.email,
        f"Reset your {settings.service_name} password",
        f"Someone asked to reset the password of the {settings.service_name} account for this "
        "e-mail address.\n\n"
        "To choose a new password, open this link:\n"
        f"{link_url(settings, LinkPurpose.PASSWORD_RESET, token)}\n\n"
        "The link works once, within 1 hour.\n\n"
        "If you did not ask for this, you can ignore this e-mail: your password has not changed.\n",
    )
    audit.record(
        db,
        actor,
        "password_reset.requested",
        subject=person,
        object_type="person",
        object_id=person.id,
        details={"outbox_message_id": message.id},
    )


def reset_password(db: Session, actor: Actor, token: str, password: str, confirmation: str) -> Person:
    """Set a new password by a reset link, and end every session the person had."""
    live = find_live_link(db, actor, LinkPurpose.PASSWORD_RESET, token)
    _check_new_password(password, confirmation)
    _mark_used(db, actor, LinkPurpose.PASSWORD_RESET, live)
    person = live.person
    person.password_hash = hash_password(password)
    db.add(person)
    end_all_sessions(db, person)
    audit.record(
        db,
        actor,
        "password_reset.completed",
        subject=person,
        object_type="person",
        object_id=person.id,
        details={"link_id": live.link.id, "sessions_ended": True},
    )
    return person


def _check_new_password(password: str, confirmation: str) -> None:
    if not password:
        raise PasswordRejected("password", "Enter a new password")
    problem = password_problem(password)
    if problem is not None:
        raise PasswordRejected("password", problem)
    if confirmation != password:
        raise PasswordRejected("confirm_password", "Enter the same password twice")


def _record_request(db: Session, actor: Actor, person: Person | None, address: str, *, reason: str) -> None:
    audit.record(
        db,
        actor,
        "password_reset.requested",
        subject=person,
        object_type="person" if person is not None else None,
        object_id=person.id if person is not None else None,
        outcome=Outcome.REFUSED,
        reason=reason,
        details={"email_digest": digest(address)},
    )


def _refuse(
    db: Session,
    actor: Actor,
    purpose: LinkPurpose,
    reason: LinkRefusal,
    *,
    link: OneTimeLink | None = None,
    person: Person | None = None,
    token: str = "",
) -> LinkRefused:
    """Audit a refused link and return the exception to raise."""
    audit.record(
        db,
        actor,
        f"{_AUDIT_PREFIX[purpose]}.refused",
        subject=person,
        object_type="person" if person is not None else None,
        object_id=person.id if person is not None else None,
        outcome=Outcome.REFUSED,
        reason=reason.value,
        details={"link_id": link.id} if link is not None else {"token_digest": digest(token)},
    )
    return LinkRefused(reason)
