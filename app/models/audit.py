"""Audit events: who did what, to what, when, where, why and with what outcome.

Events hold identifiers and digests, never content. The hash chain and the LA officer's pages
build on this table (the audit trail issue); `app.services.audit.record` is the only writer.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.models.base import EnumText, created_at_field


class Channel(StrEnum):
    PAGE = "page"
    API = "api"
    COMMAND = "command"


class Outcome(StrEnum):
    DONE = "done"
    REFUSED = "refused"


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = created_at_field()
    actor_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    actor_role: str | None = Field(default=None, max_length=32)
    actor_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    action: str = Field(max_length=64, index=True)
    object_type: str | None = Field(default=None, max_length=64)
    object_id: str | None = Field(default=None, max_length=64)
    channel: Channel = Field(sa_type=EnumText(Channel))
    client_address: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=64)
    outcome: Outcome = Field(sa_type=EnumText(Outcome))
    reason: str | None = Field(default=None, max_length=500)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
