"""Progress per outcome at a review: the team's rating and words, and each person's own words (the
child's and each family member's, kept apart, verbatim, with every earlier wording)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import EnumText, created_at_field, moment_field


class ProgressRating(StrEnum):
    """How far the child has come towards an outcome, in plain words (the team's judgement)."""

    ACHIEVED = "achieved"
    GOOD_PROGRESS = "good_progress"
    SOME_PROGRESS = "some_progress"
    NO_PROGRESS_YET = "no_progress_yet"
    NO_LONGER_RELEVANT = "no_longer_relevant"


PROGRESS_RATING_LABELS = {
    ProgressRating.ACHIEVED: "Achieved",
    ProgressRating.GOOD_PROGRESS: "Good progress",
    ProgressRating.SOME_PROGRESS: "Some progress",
    ProgressRating.NO_PROGRESS_YET: "No progress yet",
    ProgressRating.NO_LONGER_RELEVANT: "No longer relevant",
}


class ReviewProgress(SQLModel, table=True):
    """One outcome at one review, the team's rating: frozen with the review once it is finished.

    The child's and the family's own words are `ProgressWords`, one person's each.
    """

    __tablename__ = "review_progress"
    __table_args__ = (UniqueConstraint("review_id", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="plan_review.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    rating: ProgressRating | None = Field(default=None, sa_type=EnumText(ProgressRating))
    team_words: str = Field(default="", max_length=2000)
    rated_by_id: int | None = Field(default=None, foreign_key="person.id")
    rated_at: datetime | None = moment_field()


class ProgressWords(SQLModel, table=True):
    """One person's own words about one outcome at one review, exactly as they wrote them.

    Nobody's words replace anyone else's: a person correcting theirs (while the review is open) adds a
    new row and marks their earlier one `replaced_at`, which is kept as their earlier wording.
    """

    __tablename__ = "progress_words"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="plan_review.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    by_child: bool = False
    """Written by the child the plan is about (else by a member of the family)."""
    words: str = Field(max_length=2000)
    written_at: datetime = created_at_field()
    replaced_at: datetime | None = moment_field()
    """When the same person corrected these words; None for the words as they stand."""
