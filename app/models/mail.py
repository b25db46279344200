"""The mail outbox: every message OnePlan sends, with its delivery state, relayed by `oneplan worker`."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Index
from sqlmodel import Field, SQLModel

from app.models.base import EnumText, created_at_field, moment_field, utc_now


class DeliveryState(StrEnum):
    """Where a message is on its way; the administrator's outbox page shows it, never the content."""

    QUEUED = "queued"
    """Waiting for the worker: the first try, or the next after a refusal (at `next_attempt_at`)."""
    SENDING = "sending"
    """Claimed by one worker; if that worker dies, another takes it again after `next_attempt_at`."""
    SENT = "sent"
    FAILED = "failed"
    """Given up: refused for good, or after the last of ONEPLAN_MAIL_MAX_ATTEMPTS tries."""
    KEPT = "kept"
    """Kept in the outbox only: no way of sending mail is configured (a demo)."""


class OutboxMessage(SQLModel, table=True):
    """One e-mail: written in the transaction of the change it tells about, delivered by the worker."""

    __tablename__ = "outbox_message"
    # The worker's question: which messages are waiting (queued, or sending but abandoned) and due.
    __table_args__ = (Index("ix_outbox_message_state_next_attempt_at", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=200)
    body: str
    created_at: datetime = created_at_field()
    state: DeliveryState = Field(default=DeliveryState.QUEUED, sa_type=EnumText(DeliveryState))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))
    """When a worker may try next; while `sending`, when the claim lapses."""
    sent_at: datetime | None = moment_field()
    last_error: str | None = Field(default=None, max_length=500)
