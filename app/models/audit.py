"""Audit events: who did what, to what, when, where, why and with what outcome.

Events hold identifiers and digests, never content. Words someone typed as a reason live beside the
chain in `AuditReason` (erasable at the end of their retention); the event holds their digest.
Each event is a link of one hash chain: `sequence` numbers the events without gaps, `prev_hash` is
the hash of the event before, and `hash` is the SHA-256 of the event's canonical JSON form
(RFC 8785), prev_hash included.
`app.services.audit.record` writes an event with its change, unchained (those three empty); the
sequencer (`app.services.audit.sequencer`) fills them in once, soon after the commit. On PostgreSQL
a trigger refuses every other UPDATE, and every DELETE.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, SmallInteger, text
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
    # The LA officer's pages list newest first within a filter: each filter has its own index ending
    # in the sequence, so that a page is one index range however many events there are.
    __table_args__ = (
        Index("ix_audit_event_plan_id_sequence", "plan_id", "sequence"),
        Index("ix_audit_event_actor_id_sequence", "actor_id", "sequence"),
        Index("ix_audit_event_actor_organisation_id_sequence", "actor_organisation_id", "sequence"),
        Index("ix_audit_event_action_sequence", "action", "sequence"),
        Index("ix_audit_event_occurred_at", "occurred_at"),
        # The sequencer's queue: events committed and not yet chained, oldest first.
        Index(
            "ix_audit_event_unchained",
            "id",
            postgresql_where=text("sequence IS NULL"),
            sqlite_where=text("sequence IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    sequence: int | None = Field(default=None, sa_type=BigInteger, unique=True)
    """1, 2, 3, ... in the order the events joined the chain, no gaps; None until the sequencer links it."""
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)
    occurred_at: datetime = created_at_field()
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    actor_role: str | None = Field(default=None, max_length=32)
    actor_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    action: str = Field(max_length=64)
    object_type: str | None = Field(default=None, max_length=64)
    object_id: str | None = Field(default=None, max_length=64)
    plan_id: int | None = Field(default=None)
    """The plan the event is about, if any (no foreign key: a refusal may name a plan that is not there)."""
    channel: Channel = Field(sa_type=EnumText(Channel))
    client_address: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=64)
    outcome: Outcome = Field(sa_type=EnumText(Outcome))
    reason: str | None = Field(default=None, max_length=500)
    """What the code states (a refusal's message, "throttled"); never words a person typed."""
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    reason_digest: str | None = Field(default=None, max_length=64)
    """The salted SHA-256 of the typed reason kept in `AuditReason`, if one was given."""
    hash_version: int | None = Field(default=None, sa_type=SmallInteger)
    """The form the hash covers (`app.services.audit.events.HASH_VERSION`): 2 since typed reasons left
    the chain; None for the events chained before (form 1)."""


class AuditReason(SQLModel, table=True):
    """Words a person typed as an event's reason (why a plan ended, why agreed provision changed).

    Kept outside the chain so that they can be erased at the end of their retention: the event holds
    `reason_digest`, SHA-256 of `salt` then the words, which the chain's hash covers. Changing the
    words here is caught by verification; deleting the row erases them, and verification reports the
    event as "words erased" instead of failing.
    """

    __tablename__ = "audit_reason"

    event_id: int = Field(
        primary_key=True, foreign_key="audit_event.id", sa_column_kwargs={"autoincrement": False}
    )
    salt: str = Field(max_length=32)
    """16 random bytes in hex: without them the digest of a short reason could be guessed."""
    words: str = Field(max_length=2000)


CONTRIBUTING_ACTIONS = frozenset(
    {
        # Writing in the plan
        "item.added",
        "item.revised",
        "comment.added",
        "link.added",
        "review.recorded",
        "review.progress_rated",
        "review.finished",
        "views.sent",
        # Moving its statutory steps on (the council's part, above all)
        "assessment.taken_on",
        "advice.requested",
        "advice.returned",
        "timeline.step_done",
        "timeline.exception_recorded",
        "review.arranged",
    }
)
"""What counts as an agency contributing to a plan."""


class PlanContribution(SQLModel, table=True):
    """How many times, and when last, an organisation's people contributed to a plan.

    Kept by `audit.record` in the transaction of the event it counts, so that the LA's "quiet
    agencies" summary reads one small row per plan and agency instead of scanning every event.
    Derived from the trail (it can be rebuilt from it); the chain does not include it.
    """

    __tablename__ = "plan_contribution"

    plan_id: int = Field(primary_key=True)
    organisation_id: int = Field(primary_key=True)
    contributions: int
    last_at: datetime
