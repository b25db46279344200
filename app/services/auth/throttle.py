"""Sign-in throttling, per account and per client address, counted in the database.

Counting in the database (not in memory) holds across every app process.
"""

import math
from datetime import timedelta

from sqlmodel import Session, col, func, select

from app.config import Settings
from app.models import SignInAttempt
from app.models.base import as_utc, utc_now


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


def check_throttle(db: Session, settings: Settings, account: str | None, address: str | None) -> None:
    """Raise Throttled while any key has used up its failures in the window."""
    window = timedelta(minutes=settings.throttle_window_minutes)
    since = utc_now() - window
    for key, limit in _keys(settings, account, address):
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
