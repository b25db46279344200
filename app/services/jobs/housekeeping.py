"""Housekeeping: remove sign-in sessions and sign-in attempts that can no longer count for anything.

A session is over once it was ended or has gone idle or too old (`find_session` would refuse it);
an attempt only counts within the throttle window (and a used second-factor step for a minute or
two), so anything older than the window, and never less than an hour, is kept no longer. The run is
recorded in the audit trail with what it removed.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, delete

from app.actor import Actor
from app.config import Settings
from app.models import SignInAttempt, UserSession
from app.models.base import utc_now
from app.services import audit

SHORTEST_ATTEMPT_KEEPING = timedelta(hours=1)


@dataclass(frozen=True)
class Swept:
    sessions: int
    attempts: int


def sweep(db: Session, settings: Settings) -> Swept:
    """Delete expired sessions and old sign-in attempts, with one audit event if anything went."""
    now = utc_now()
    sessions = db.exec(
        delete(UserSession).where(
            or_(
                col(UserSession.ended_at).is_not(None),
                col(UserSession.last_seen_at) < now - timedelta(minutes=settings.session_idle_minutes),
                col(UserSession.created_at) < now - timedelta(hours=settings.session_absolute_hours),
            )
        )
    ).rowcount
    keep_attempts = max(timedelta(minutes=settings.throttle_window_minutes), SHORTEST_ATTEMPT_KEEPING)
    old_attempts = col(SignInAttempt.attempted_at) < now - keep_attempts
    attempts = db.exec(delete(SignInAttempt).where(old_attempts)).rowcount
    swept = Swept(sessions=sessions, attempts=attempts)
    if sessions or attempts:
        audit.record(
            db,
            Actor.command(),
            "housekeeping.swept",
            details={"sessions_removed": sessions, "sign_in_attempts_removed": attempts},
        )
    return swept
