"""The worker's schedule: one row per job that only one worker at a time may run."""

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from app.models.base import moment_field, utc_now


class ScheduledJob(SQLModel, table=True):
    """When a job is next due, and which claim (if any) holds it: a lease, so a dead worker's lapses."""

    __tablename__ = "scheduled_job"

    name: str = Field(primary_key=True, max_length=64)
    next_run_at: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))
    locked_until: datetime | None = moment_field()
    """While a worker runs the job; nobody else may start it before this moment."""
    last_started_at: datetime | None = moment_field()
    last_finished_at: datetime | None = moment_field()
    last_error: str | None = Field(default=None, max_length=500)
