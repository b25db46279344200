"""Experts at Hand and inclusion bases: the Targeted Plus layer of support (issue 19).

A setting asks a named service (speech and language therapy, educational psychology, ...) for advice
or direct work for a child; the reply is written into the plan as advice or as provision. Separate
from the statutory advice of an EHC needs assessment (`AdviceRequest`). An inclusion base is a named
place in a mainstream school; a child's place in it is a provision of the plan (its minutes a week),
so that its delivery is logged like any other.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import EnumText, PlainText, created_at_field, moment_field


class Specialism(StrEnum):
    SPEECH_AND_LANGUAGE_THERAPY = "speech_and_language_therapy"
    EDUCATIONAL_PSYCHOLOGY = "educational_psychology"
    SPECIALIST_TEACHING = "specialist_teaching"
    OCCUPATIONAL_THERAPY = "occupational_therapy"
    PHYSIOTHERAPY = "physiotherapy"
    SENSORY_SUPPORT = "sensory_support"


SPECIALISM_LABELS = {
    Specialism.SPEECH_AND_LANGUAGE_THERAPY: "Speech and language therapy",
    Specialism.EDUCATIONAL_PSYCHOLOGY: "Educational psychology",
    Specialism.SPECIALIST_TEACHING: "Specialist teachers",
    Specialism.OCCUPATIONAL_THERAPY: "Occupational therapy",
    Specialism.PHYSIOTHERAPY: "Physiotherapy",
    Specialism.SENSORY_SUPPORT: "Sensory support (hearing and vision)",
}


class ExpertService(SQLModel, table=True):
    """An organisation that is an Experts at Hand service: its people answer requests made to it."""

    __tablename__ = "expert_service"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", unique=True)
    specialism: Specialism = Field(sa_type=EnumText(Specialism))
    contact_email: str | None = Field(default=None, max_length=320)
    """Where requests to the service are mailed (its shared inbox); without one, to each of its people
    who answer requests."""


class RequestKind(StrEnum):
    ADVICE = "advice"
    DIRECT_WORK = "direct_work"


REQUEST_KIND_LABELS = {RequestKind.ADVICE: "Advice", RequestKind.DIRECT_WORK: "Direct work with the child"}


class ReplyKind(StrEnum):
    ADVICE = "advice"
    PROVISION = "provision"


REPLY_KIND_LABELS = {
    ReplyKind.ADVICE: "Advice (in the plan's advice section)",
    ReplyKind.PROVISION: "Provision (support the plan sets out)",
}


class ExpertRequest(SQLModel, table=True):
    """One request to a service about one child's plan; answered once, by an item written into the plan."""

    __tablename__ = "expert_request"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    service_id: int = Field(foreign_key="expert_service.id", index=True)
    kind: RequestKind = Field(sa_type=EnumText(RequestKind))
    question: PlainText = Field(max_length=2000)
    due_on: date
    asked_by_id: int = Field(foreign_key="person.id")
    asked_at: datetime = created_at_field()
    answered_at: datetime | None = moment_field()
    answered_by_id: int | None = Field(default=None, foreign_key="person.id")
    reply_kind: ReplyKind | None = Field(default=None, sa_type=EnumText(ReplyKind))
    reply_item_id: int | None = Field(default=None, foreign_key="item.id")
    """The advice or provision item the reply became."""


class InclusionBase(SQLModel, table=True):
    """A named inclusion base within a mainstream school."""

    __tablename__ = "inclusion_base"
    __table_args__ = (UniqueConstraint("setting_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    setting_id: int = Field(foreign_key="organisation.id", index=True)
    name: PlainText = Field(max_length=200)
    created_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()


class InclusionPlace(SQLModel, table=True):
    """A child's place in a base: the plan's provision item that says where and for how long a week."""

    __tablename__ = "inclusion_place"

    id: int | None = Field(default=None, primary_key=True)
    base_id: int = Field(foreign_key="inclusion_base.id", index=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    item_id: int = Field(foreign_key="item.id", unique=True)
    added_by_id: int = Field(foreign_key="person.id")
    added_at: datetime = created_at_field()
