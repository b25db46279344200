"""How far each person has read each plan: what is new to them is what changed after it."""

from datetime import datetime

from sqlalchemy import DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel


class PlanSeen(SQLModel, table=True):
    """The last time a person opened a plan that had changed since they last looked.

    Written as the plan is read (`app.db.write_after_reading`), only when the plan's content stamp
    differs from the one last seen, so looking again at a plan that has not changed writes nothing.
    """

    __tablename__ = "plan_seen"
    __table_args__ = (UniqueConstraint("person_id", "plan_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    seen_at: datetime = Field(sa_type=DateTime(timezone=True))
    stamp: str = Field(max_length=32)
    """The plan's content stamp when it was seen."""
