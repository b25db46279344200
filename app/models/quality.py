"""Plan quality records: differences of opinion beside the part of the plan they concern, and the
reason an EHC plan was issued with provision that is not yet quantified."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import EnumText, created_at_field
from app.models.item import Section


class PlanDifference(SQLModel, table=True):
    """People on the plan disagree about one part of it: kept beside that part, with each view.

    Recorded on a draft or at a review (`review_id`); never edited or removed, so that the export
    for a tribunal shows what was disagreed and who held each view.
    """

    __tablename__ = "plan_difference"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    version: int
    """The version of the plan being written when it was recorded."""
    section: Section | None = Field(default=None, sa_type=EnumText(Section))
    item_id: int | None = Field(default=None, foreign_key="item.id")
    review_id: int | None = Field(default=None, foreign_key="plan_review.id")
    about: str = Field(max_length=500)
    recorded_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()


class DifferenceView(SQLModel, table=True):
    """One view in a difference of opinion, in its holder's words as recorded."""

    __tablename__ = "plan_difference_view"

    id: int | None = Field(default=None, primary_key=True)
    difference_id: int = Field(foreign_key="plan_difference.id", index=True)
    holder_id: int | None = Field(default=None, foreign_key="person.id")
    """The person on the plan who holds this view, when they are on it."""
    holder_name: str = Field(max_length=120)
    """Who holds it, as the plan shows it ("Alex Taylor, parent")."""
    view: str = Field(max_length=5000)


class IssueReason(SQLModel, table=True):
    """Why the coordinator issued an EHC plan while some of its provision was not quantified."""

    __tablename__ = "plan_issue_reason"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    version: int
    reason: str = Field(max_length=500)
    unquantified: int
    """How many provisions were not quantified when it was issued."""
    recorded_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()
