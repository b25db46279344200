"""Server-side sessions: the cookie carries a random token, the database its digest and its state.

A new token is issued at every sign-in and at the second factor, so a session id planted before
sign-in is worthless after it. Each request re-reads the person: deactivation bites at once.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import update_after_reading
from app.models import Person, SignInMethod, UserSession
from app.models.base import as_utc, id_of, utc_now
from app.services.auth.secrets import digest, new_token


@dataclass(frozen=True)
class ActiveSession:
    record: UserSession
    person: Person

    @property
    def complete(self) -> bool:
        """Signed in all the way (second factor done where one is needed)."""
        return self.record.second_factor_done


def start_session(
    db: Session,
    person: Person,
    method: SignInMethod,
    *,
    second_factor_done: bool,
    client_address: str | None,
    replaces: UserSession | None = None,
) -> str:
    """Create a session and return the cookie token; end the one it replaces."""
    if replaces is not None:
        replaces.ended_at = utc_now()
        db.add(replaces)
    token = new_token()
    db.add(
        UserSession(
            token_hash=digest(token),
            person_id=id_of(person),
            method=method,
            second_factor_done=second_factor_done,
            client_address=client_address,
        )
    )
    if second_factor_done:
        person.last_signed_in_at = utc_now()
        db.add(person)
    db.flush()
    return token


_LIVE_SESSION = (
    select(UserSession, Person)
    .join(Person, col(Person.id) == col(UserSession.person_id))
    .where(col(UserSession.token_hash) == bindparam("token_hash"), col(UserSession.ended_at).is_(None))
)
"""Built once: every request asks it, and building the statement cost more than running it."""


def find_session(db: Session, settings: Settings, token: str | None) -> ActiveSession | None:
    """The live session for a cookie token, or None when it is unknown, ended, idle or too old."""
    if not token:
        return None
    row = db.exec(_LIVE_SESSION, params={"token_hash": digest(token)}).first()
    if row is None:
        return None
    record, person = row
    now = utc_now()
    too_old = now - as_utc(record.created_at) > timedelta(hours=settings.session_absolute_hours)
    idle = now - as_utc(record.last_seen_at) > timedelta(minutes=settings.session_idle_minutes)
    if too_old or idle or not person.is_active:
        update_after_reading(db, record, ended_at=now)
        return None
    if now - as_utc(record.last_seen_at) > timedelta(minutes=1):
        update_after_reading(db, record, last_seen_at=now)
    return ActiveSession(record, person)


def end_session(db: Session, record: UserSession) -> None:
    record.ended_at = utc_now()
    db.add(record)


def end_all_sessions(db: Session, person: Person) -> None:
    for record in db.exec(
        select(UserSession).where(UserSession.person_id == person.id, col(UserSession.ended_at).is_(None))
    ):
        record.ended_at = utc_now()
        db.add(record)
