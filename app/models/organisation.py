"""Organisations: the schools, trusts, services and councils whose staff write plans."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import EnumText, created_at_field


class OrganisationKind(StrEnum):
    SCHOOL = "school"
    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    LOCAL_AUTHORITY = "local_authority"
    OTHER = "other"


ORGANISATION_KIND_LABELS: dict[OrganisationKind, str] = {
    OrganisationKind.SCHOOL: "School or college",
    OrganisationKind.HEALTH: "Health",
    OrganisationKind.SOCIAL_CARE: "Social care",
    OrganisationKind.LOCAL_AUTHORITY: "Local authority",
    OrganisationKind.OTHER: "Other",
}


class SettingPhase(StrEnum):
    """The phase of education a school or college teaches (as Get Information about Schools has it)."""

    EARLY_YEARS = "early_years"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SECONDARY_WITH_SIXTH_FORM = "secondary_with_sixth_form"
    POST_16 = "post_16"
    ALL_THROUGH = "all_through"


SETTING_PHASE_LABELS: dict[SettingPhase, str] = {
    SettingPhase.EARLY_YEARS: "Early years",
    SettingPhase.PRIMARY: "Primary",
    SettingPhase.SECONDARY: "Secondary",
    SettingPhase.SECONDARY_WITH_SIXTH_FORM: "Secondary with a sixth form",
    SettingPhase.POST_16: "Post-16 or college",
    SettingPhase.ALL_THROUGH: "All-through",
}


class OrganisationBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind = Field(sa_type=EnumText(OrganisationKind))


class Organisation(OrganisationBase, table=True):
    """Every organisation belongs to a local authority; an LA belongs to itself (no parent)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    local_authority_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    phase: SettingPhase | None = Field(default=None, sa_type=EnumText(SettingPhase))
    """A school's or college's phase; None for other organisations (and a school not yet told)."""
    created_at: datetime = created_at_field()


class SettingSenco(SQLModel, table=True):
    """A person designated as a setting's SENCo (a school may have more than one: an assistant SENCo).

    The designation is explicit: the council's administrator (or the setting's SENCo, for a colleague)
    makes it, and it holds only while the person is active education staff of that setting.
    """

    __tablename__ = "setting_senco"
    __table_args__ = (UniqueConstraint("setting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    setting_id: int = Field(foreign_key="organisation.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    designated_by_id: int | None = Field(default=None, foreign_key="person.id")
    designated_at: datetime = created_at_field()
