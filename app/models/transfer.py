"""A plan brought in from another OnePlan: the audit trail it came with, kept as it was.

The imported events cannot join this OnePlan's hash chain: each one's hash covers its place in the
other OnePlan's chain (its sequence and the hash of the event before it there). So they are kept
here, byte for byte as exported, with the hash of each; `audit_integrity.verify_imported_trails`
recomputes every event's hash from its fields and checks that the trail is the one whose digest was
recorded when it was imported. The import itself is one ordinary event ("plan.imported") of this
OnePlan's own chain, which names the trail's digest.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field


class ImportedAuditTrail(SQLModel, table=True):
    __tablename__ = "imported_audit_trail"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    source: str = Field(max_length=200)
    """Which OnePlan the events were recorded by (its public address, as the export named it)."""
    position: int = 0
    """Its place among the plan's trails, oldest first (a plan may have moved more than once)."""
    events: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    digest: str = Field(max_length=64)
    """SHA-256 of the events' canonical JSON, as recorded in the "plan.imported" event."""
    imported_at: datetime = created_at_field()
    imported_by_id: int = Field(foreign_key="person.id")
