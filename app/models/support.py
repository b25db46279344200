"""An Individual Support Plan's layer of support over time, and each council's words for the ISP."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import EnumText, created_at_field
from app.models.plan import SupportLayer


class SupportLayerChange(SQLModel, table=True):
    """One move of a child between layers, in any order, with the reason given (never edited)."""

    __tablename__ = "support_layer_change"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    layer: SupportLayer = Field(sa_type=EnumText(SupportLayer))
    previous_layer: SupportLayer | None = Field(default=None, sa_type=EnumText(SupportLayer))
    reason: str = Field(max_length=2000)
    changed_by_id: int | None = Field(default=None, foreign_key="person.id")
    """None when brought in from another service (`imported_by` is in the plan's audit trail)."""
    changed_at: datetime = created_at_field()


class PlanWording(SQLModel, table=True):
    """A council's words for the ISP and its layers (the statutory wording is not settled yet).

    No row: the white paper's names. Read through `app.services.plans.words.plan_words` only.
    """

    __tablename__ = "plan_wording"

    id: int | None = Field(default=None, primary_key=True)
    local_authority_id: int = Field(foreign_key="organisation.id", unique=True)
    plan_name: str = Field(max_length=80)
    targeted: str = Field(max_length=60)
    targeted_plus: str = Field(max_length=60)
    specialist: str = Field(max_length=60)
    changed_at: datetime = created_at_field()
    changed_by_id: int | None = Field(default=None, foreign_key="person.id")
