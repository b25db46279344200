"""Views as evidence: which question a view answers, who its young person lets see it, its pictures.

A view itself is an `Item` of kind VIEW in section A (its words are revisions like any item's); these
tables hold what only views have, keyed by the item, so that nothing about items changes.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import EnumText, created_at_field


class ViewPrompt(StrEnum):
    """The question a view answers (the young person's page asks them one a screen)."""

    LIKE = "like"
    GOOD_AT = "good_at"
    HARD = "hard"
    HELPS = "helps"
    FUTURE = "future"
    TEAM_KNOW = "team_know"
    """Parents only: what I want the team to know."""
    OTHER = "other"
    """A view written on the plan page, not in answer to one of the questions."""


VIEW_PROMPT_LABELS = {
    ViewPrompt.LIKE: "What they like",
    ViewPrompt.GOOD_AT: "What they are good at",
    ViewPrompt.HARD: "What is hard",
    ViewPrompt.HELPS: "What helps",
    ViewPrompt.FUTURE: "Hopes for the future",
    ViewPrompt.TEAM_KNOW: "What the family wants the team to know",
    ViewPrompt.OTHER: "A view",
}
"""How the plan page names the question a view answers (the family's own pages ask it in their words)."""


class ViewAudience(StrEnum):
    """Who may read a view: everyone on the plan, or only the people its young person (or parent) picks."""

    EVERYONE = "everyone"
    CHOSEN = "chosen"


class ViewDetail(SQLModel, table=True):
    """What a view answers and who may see it (a view without a row here is for everyone on the plan)."""

    __tablename__ = "view_detail"

    item_id: int = Field(foreign_key="item.id", primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    prompt: ViewPrompt = Field(sa_type=EnumText(ViewPrompt))
    audience: ViewAudience = Field(default=ViewAudience.EVERYONE, sa_type=EnumText(ViewAudience))
    created_at: datetime = created_at_field()


class ViewReader(SQLModel, table=True):
    """One person picked to read a view whose audience is CHOSEN (its voice and recorder always may)."""

    __tablename__ = "view_reader"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)


class ViewPicture(SQLModel, table=True):
    """A drawing or photo with a view: checked, re-encoded without metadata, stored outside static/.

    Until its view is sent it belongs to no item and only the person who uploaded it may see it.
    """

    __tablename__ = "view_picture"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="item.id", index=True)
    file_name: str = Field(max_length=80, unique=True)
    """A random name in the data folder's pictures/ (never what the uploader called it)."""
    media_type: str = Field(max_length=20)
    byte_size: int
    width: int
    height: int
    uploaded_by: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()


class ViewDraft(SQLModel, table=True):
    """A parent's answers saved to finish later: theirs alone (no one else reads it, nothing is sent),
    one per person and plan, gone once they send their views."""

    __tablename__ = "view_draft"
    __table_args__ = (UniqueConstraint("plan_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    """The screens' values: answer_<prompt>, picture_<prompt>, audience and readers."""
    saved_at: datetime = created_at_field()
