"""Sign-in throttling, per account and per client address, counted in the database.

Counting in the database (not in memory) holds across every app process. Checking and counting are
one step: on PostgreSQL each key's turn is an advisory lock held until the transaction ends, so
thirty tries at once for one account are counted one after another (the fifth failure refuses the
sixth), while other accounts and addresses go on at the same time. SQLite's write lock, taken as a
transaction begins (app/db.py), does the same there.
"""

import math
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session, col, func, select

from app.config import Settings
from app.models import SignInAttempt
from app.models.base import as_utc, utc_now

THROTTLE_LOCK_SPACE = 0x74687274
"""The first half of the throttle's PostgreSQL advisory locks ("thrt"); the second is the key's hash.

Two-part keys never meet the audit chain's one-part lock, whatever the hash."""


class Throttled(Exception):
    def __init__(self, minutes: int) -> None:
        super().__init__(f"throttled for {minutes} minutes")
        self.minutes = minutes

    @property
    def message(self) -> str:
        unit = "minute" if self.minutes == 1 else "minutes"
        return f"Too many tries to sign in. Wait {self.minutes} {unit}, then try again."


def _keys(settings: Settings, account: str | None, address: str | None) -> list[tuple[str, int]]:
    keys = []
    if account:
        keys.append((f"account:{account.strip().lower()}", settings.throttle_account_failures))
    if address:
        keys.append((f"address:{address}", settings.throttle_address_failures))
    return keys


def _take_turns(db: Session, keys: list[str]) -> None:
    """Wait for each key's turn (PostgreSQL), in one order everywhere so that two tries never deadlock.

    Taken before any audit event joins the chain, and released when the transaction ends.
    """
    if db.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(keys):
        db.execute(
            text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
            {"space": THROTTLE_LOCK_SPACE, "key": key},
        )


def check_throttle(db: Session, settings: Settings, account: str | None, address: str | None) -> None:
    """Raise Throttled while any key has used up its failures in the window.

    The caller's transaction keeps each key's turn until it ends, so the attempt it notes next is
    counted before anyone else's check of the same key.
    """
    window = timedelta(minutes=settings.throttle_window_minutes)
    since = utc_now() - window
    keys = _keys(settings, account, address)
    _take_turns(db, [key for key, _limit in keys])
    for key, limit in keys:
        count, oldest = db.exec(
            select(func.count(), func.min(SignInAttempt.attempted_at)).where(
                SignInAttempt.throttle_key == key,
                col(SignInAttempt.succeeded).is_(False),
                SignInAttempt.attempted_at >= since,
            )
        ).one()
        if count >= limit and oldest is not None:
            remaining = as_utc(oldest) + window - utc_now()
            raise Throttled(max(1, math.ceil(remaining.total_seconds() / 60)))


def note_attempt(
    db: Session, settings: Settings, account: str | None, address: str | None, *, succeeded: bool
) -> None:
    for key, _limit in _keys(settings, account, address):
        db.add(SignInAttempt(throttle_key=key, succeeded=succeeded))
    db.flush()
