"""Typed reasons: the words a person gave as an event's reason, kept beside the chain, never in it.

`audit.record(typed_reason=...)` keeps the words in `AuditReason` and their salted digest in the
event, which the chain's hash covers (hash form 2). The pages and exports that show a reason read
the words from here; the words are erased at the end of their retention (`erase_reasons`), and the
chain still verifies: a form-2 event's hash covers the digest alone, and a form-1 event (chained
while its hash still covered the words) is reported as "words erased" (see docs/audit.md).
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import AuditEvent, AuditReason
from app.services.audit.events import hash_of, record, with_words, words_match


def kept_for(db: Session, event_ids: Iterable[int | None]) -> dict[int, AuditReason]:
    """The words kept for these events, by event id (an event whose words were erased is absent)."""
    ids = sorted({event_id for event_id in event_ids if event_id is not None})
    if not ids:
        return {}
    found = db.exec(select(AuditReason).where(col(AuditReason.event_id).in_(ids)))
    return {words.event_id: words for words in found}


def typed_reasons(db: Session, events: Sequence[AuditEvent]) -> dict[int, str]:
    """The words typed as these events' reasons, by event id."""
    kept = kept_for(db, (event.id for event in events if event.reason_digest is not None))
    return {event_id: words.words for event_id, words in kept.items()}


def portable(fields: Mapping[str, Any], words: AuditReason | None) -> dict[str, Any]:
    """An event for an export: its chained fields, and its typed reason beside them (not hashed).

    `typed_reason` holds the words and their salt, so that whoever reads the export can check the
    words against `reason_digest` (and, for a form-1 event, recompute its hash).
    """
    typed = {"salt": words.salt, "words": words.words} if words is not None else None
    return {**fields, "typed_reason": typed}


def portable_hash_matches(event: Mapping[str, Any]) -> bool:
    """Whether an exported event is the one its hash names, its typed reason included.

    A form-1 event whose words were erased cannot be recomputed: it passes (its place is proved by
    the next event's `prev_hash`). An export made before hash form 2 has no `typed_reason`.
    """
    typed = event.get("typed_reason")
    if typed is not None and not words_match(event, str(typed["salt"]), str(typed["words"])):
        return False
    hashed = with_words(event, str(typed["words"]) if typed is not None else None)
    return hashed is None or hash_of(hashed) == event.get("hash")


def erase_reasons(db: Session, actor: Actor, *, before: datetime) -> int:
    """Erase the typed reasons of events that occurred before `before` (the end of their retention).

    The events keep their digests; the chain still verifies. One event records the erasure.
    """
    old_events = select(AuditEvent.id).where(col(AuditEvent.occurred_at) < before)
    erased = db.execute(delete(AuditReason).where(col(AuditReason.event_id).in_(old_events)))
    count = int(erased.rowcount or 0)  # type: ignore[attr-defined]
    record(db, actor, "audit.reasons_erased", details={"before": before.isoformat(), "events": count})
    return count
