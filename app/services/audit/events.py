"""The one function that writes audit events, in the caller's transaction; and the chain's form.

Events name objects by kind and id and never copy their content (a digest at most), so that content
can be erased at the end of its retention while the chain still verifies. Each event's hash is the
SHA-256 of its canonical JSON form (RFC 8785), which includes the hash of the event before it; the
sequence numbers run 1, 2, 3, ... without gaps. A request commits its event unchained, so that no
request waits for another to join the chain; the sequencer (`app.services.audit.sequencer`) links
committed events within `CHAIN_DELAY_BOUND`. Verification and checkpoints are in
`app.services.audit.integrity`; the officer's searches in `app.services.audit.search`.
"""

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import rfc8785
from sqlalchemy import insert
from sqlmodel import Session

from app.actor import Actor
from app.db import is_reading, write_after_reading
from app.models import AuditEvent, Outcome, Person
from app.models.base import as_utc, utc_now
from app.plan_stamp import note_change

GENESIS_HASH = "0" * 64
"""The `prev_hash` of the first event."""
HASH_VERSION = 1
"""Part of every hashed form, so that a later change of form can be told apart."""
CHAINED_FIELDS = (
    "sequence",
    "prev_hash",
    "occurred_at",
    "actor_id",
    "actor_role",
    "actor_organisation_id",
    "action",
    "object_type",
    "object_id",
    "plan_id",
    "channel",
    "client_address",
    "request_id",
    "outcome",
    "reason",
    "details",
)
"""Every column of an event except its id (a storage detail) and its own hash."""
UNCHAINED_FIELDS = ("sequence", "prev_hash", "hash")
"""Empty when an event commits; the sequencer fills them in."""
_MAX_ROW_ID = 2_147_483_647


def canonical_time(moment: datetime) -> str:
    """UTC to the microsecond, the same whichever database hands it back."""
    return as_utc(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_SAFE_INTEGER = 2**53 - 1


def _writes_canonically(value: object) -> bool:
    """Whether `json.dumps` (sorted keys, no spaces, UTF-8) writes this value exactly as RFC 8785 does.

    It does for null, booleans, strings, integers within JSON's safe range, and lists and objects
    of those whose keys are ASCII (RFC 8785 sorts keys by UTF-16 code units, Python by code points:
    the same order for ASCII). Floats and unusual keys take the slower `rfc8785` serialiser.
    """
    if type(value) is str or value is None or type(value) is bool:
        return True
    if type(value) is int:
        return -_SAFE_INTEGER <= value <= _SAFE_INTEGER
    if type(value) is list:
        return all(_writes_canonically(item) for item in value)
    if type(value) is dict:
        return all(type(key) is str and key.isascii() for key in value) and all(
            _writes_canonically(item) for item in value.values()
        )
    return False


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JSON Canonicalization Scheme) bytes of a JSON value."""
    if _writes_canonically(value):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return rfc8785.dumps(value)


def canonical_form(fields: Mapping[str, Any]) -> bytes:
    """The bytes that an event's hash covers: its chained fields as RFC 8785 canonical JSON."""
    content: dict[str, Any] = {"v": HASH_VERSION}
    for name in CHAINED_FIELDS:
        value = fields[name]
        if isinstance(value, datetime):
            value = canonical_time(value)
        elif isinstance(value, Enum):
            value = value.value
        content[name] = value
    return canonical_json(content)


def hash_of(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_form(fields)).hexdigest()


def fields_of(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in CHAINED_FIELDS}


def plan_id_of(
    object_type: str | None, object_id: int | str | None, details: Mapping[str, Any]
) -> int | None:
    """The plan an event is about: the object itself, or the plan named in its details."""
    candidate: object = object_id if object_type == "plan" else details.get("plan_id")
    if isinstance(candidate, str) and candidate.isdigit():
        candidate = int(candidate)
    if isinstance(candidate, int) and not isinstance(candidate, bool) and 1 <= candidate <= _MAX_ROW_ID:
        return candidate
    return None


def record(
    db: Session,
    actor: Actor,
    action: str,
    *,
    subject: Person | None = None,
    object_type: str | None = None,
    object_id: int | str | None = None,
    outcome: Outcome = Outcome.DONE,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one event; it commits or rolls back with the change it records, and joins the chain later.

    `subject` names who acted when no one is signed in yet (a sign-in, a reset by link).
    """
    person = actor.person or subject
    # Stored as the JSON column hands it back, so that the hash verifies after the round trip.
    plain_details: dict[str, Any] = json.loads(json.dumps(details or {}))
    event = AuditEvent(
        occurred_at=utc_now(),
        actor_id=person.id if person is not None else None,
        actor_role=person.role if person is not None else None,
        actor_organisation_id=person.organisation_id if person is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        plan_id=plan_id_of(object_type, object_id, plain_details),
        channel=actor.channel,
        client_address=actor.client_address,
        request_id=actor.request_id,
        outcome=outcome,
        reason=reason,
        details=plain_details,
    )
    if is_reading(db):
        # A reading request's event waits for the read to end, then goes in as a plain row: no one
        # holds the object, and the ORM's unit of work would cost more than the read it records.
        row = event.model_dump(exclude={"id", *UNCHAINED_FIELDS})
        write_after_reading(db, lambda writer: writer.execute(insert(AuditEvent.__table__), [row]))  # type: ignore[attr-defined]
        return event
    if event.plan_id is not None:
        note_change(db, event.plan_id)
    db.add(event)
    db.flush()
    return event
