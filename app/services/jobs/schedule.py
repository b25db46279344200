"""Leases on scheduled jobs, so that several workers never run one job at the same time.

A job's row says when it is next due and, while a worker runs it, until when that worker holds it.
Claiming is one short transaction: PostgreSQL skips a row another worker is claiming
(`FOR UPDATE SKIP LOCKED`), and the UPDATE only succeeds while the row is still free and due, which
is the guard on SQLite. A worker that dies mid-job holds it only until its lease lapses.
"""

from datetime import datetime, timedelta

from sqlalchemy import Engine, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select, update

from app.models import ScheduledJob
from app.models.base import utc_now


def ensure_jobs(engine: Engine, names: list[str]) -> None:
    """Add a row for each job not yet known (due at once); another worker adding it first is fine."""
    for name in names:
        with Session(engine) as db:
            if db.get(ScheduledJob, name) is not None:
                continue
            db.add(ScheduledJob(name=name, next_run_at=utc_now()))
            try:
                db.commit()
            except IntegrityError:
                db.rollback()


def claim(engine: Engine, name: str, lease: timedelta, *, even_if_not_due: bool = False) -> datetime | None:
    """Take the job for `lease` if it is due and nobody holds it; the moment it was taken, or None."""
    with Session(engine) as db:
        now = utc_now()
        free = or_(col(ScheduledJob.locked_until).is_(None), col(ScheduledJob.locked_until) <= now)
        conditions = [col(ScheduledJob.name) == name, free]
        if not even_if_not_due:
            conditions.append(col(ScheduledJob.next_run_at) <= now)
        row = db.exec(select(ScheduledJob).where(*conditions).with_for_update(skip_locked=True)).first()
        if row is None:
            return None
        taken = db.exec(
            update(ScheduledJob)
            .where(*conditions)
            .values(locked_until=now + lease, last_started_at=now)
            .execution_options(synchronize_session=False)
        )
        db.commit()
        return now if taken.rowcount == 1 else None


def release(engine: Engine, name: str, taken_at: datetime, every: timedelta, error: str | None) -> None:
    """Note the run's end and when the job is next due; only the claim that took it may release it."""
    with Session(engine) as db:
        now = utc_now()
        db.exec(
            update(ScheduledJob)
            .where(col(ScheduledJob.name) == name, col(ScheduledJob.last_started_at) == taken_at)
            .values(
                locked_until=None,
                next_run_at=now + every,
                last_finished_at=now,
                last_error=error[:500] if error else None,
            )
            .execution_options(synchronize_session=False)
        )
        db.commit()
