"""Progress per outcome at a review: the team's rating and words, the child's and family's own words."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import EnumText, moment_field


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
    """One outcome at one review: frozen with the review once it is finished.

    The child's and the family's words are kept as they wrote them, like their views.
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
    child_words: str | None = Field(default=None, max_length=2000)
    child_words_by_id: int | None = Field(default=None, foreign_key="person.id")
    family_words: str | None = Field(default=None, max_length=2000)
    family_words_by_id: int | None = Field(default=None, foreign_key="person.id")
