"""The one function that writes audit events, in the caller's transaction; and the chain's form.

Events name objects by kind and id and never copy their content (a digest at most), so that content
can be erased at the end of its retention while the chain still verifies. Each event's hash is the
SHA-256 of its canonical JSON form (RFC 8785), which includes the hash of the event before it; the
sequence numbers run 1, 2, 3, ... without gaps. A request commits its event unchained, so that no
request waits for another to join the chain; the sequencer (`app.services.audit.sequencer`) links
committed events within `CHAIN_DELAY_BOUND`. Verification and checkpoints are in
`app.services.audit.integrity`; the officer's searches in `app.services.audit.search`.

Words someone typed (why a plan ended, why agreed provision changed, why a time limit does not apply)
are never in an event: `record(typed_reason=...)` keeps them in `audit_reason`, beside the event and
erasable, and the event holds their salted digest (`reason_digest`), which its hash covers (hash form
2). `reason=` is for what the code itself states ("throttled", a refusal's message), never typed
words. Events chained before form 2 (form 1) covered the words themselves: migration 8c3f0a7d2e61
moved them out, and verification puts them back to recompute such an event's hash; once they are
erased it reports the event as "words erased" (see docs/audit.md).
"""

import hashlib
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import rfc8785
from sqlalchemy import insert
from sqlmodel import Session

from app.actor import Actor
from app.db import InsertRow, is_reading, write_after_reading
from app.models import AuditEvent, AuditReason, Outcome, Person
from app.models.base import as_utc, id_of, utc_now
from app.plan_stamp import note_change

GENESIS_HASH = "0" * 64
"""The `prev_hash` of the first event."""
HASH_VERSION = 2
"""The form new events are hashed in; part of every hashed form (as "v"), so forms can be told apart.

Form 1 (events chained before December 2026) covered a typed reason's words in `reason`; form 2 adds
`reason_digest`, so that the words themselves can live outside the chain.
"""
FORM_1_FIELDS = (
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
CHAINED_FIELDS = (*FORM_1_FIELDS, "reason_digest")
"""Every column of an event except its id (a storage detail), its own hash and its form's number."""
FORM_FIELDS = {1: FORM_1_FIELDS, 2: CHAINED_FIELDS}
_INSERT_EVENT = insert(AuditEvent.__table__)  # type: ignore[attr-defined]
"""One statement for every event a reading request records: built once, its rows passed apart."""
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


def form_of(fields: Mapping[str, Any]) -> int:
    """The form an event is hashed in: its `hash_version` (1 for an event written before there was one)."""
    return int(fields.get("hash_version") or 1)


def canonical_form(fields: Mapping[str, Any]) -> bytes:
    """The bytes that an event's hash covers: its chained fields, in its form, as RFC 8785 canonical JSON.

    A form-1 event whose typed words were moved out (`reason_digest` set) is hashed with `reason`
    holding those words: the caller puts them back (`with_words`).
    """
    version = form_of(fields)
    content: dict[str, Any] = {"v": version}
    for name in FORM_FIELDS[version]:
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
    return {name: getattr(event, name) for name in ("hash_version", *CHAINED_FIELDS)}


def reason_digest(salt: str, words: str) -> str:
    """SHA-256 of the salt's 16 bytes then the words in UTF-8: a short reason cannot be guessed from it."""
    return hashlib.sha256(bytes.fromhex(salt) + words.encode()).hexdigest()


def words_match(fields: Mapping[str, Any], salt: str, words: str) -> bool:
    """Whether the words kept for an event are the ones its `reason_digest` names."""
    return reason_digest(salt, words) == fields.get("reason_digest")


def with_words(fields: Mapping[str, Any], words: str | None) -> dict[str, Any] | None:
    """The fields whose hash the event's `hash` is: a form-1 event with moved words gets them back.

    None when that cannot be known: a form-1 event whose words have been erased (its place in the
    chain still shows, as the next event's `prev_hash` is its hash).
    """
    if form_of(fields) != 1 or fields.get("reason_digest") is None:
        return dict(fields)
    if words is None:
        return None
    return {**fields, "reason": words}


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
    typed_reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent | None:
    """Write one event; it commits or rolls back with the change it records, and joins the chain later.

    `subject` names who acted when no one is signed in yet (a sign-in, a reset by link). `reason` is
    what the code states; `typed_reason`, words a person typed, is kept outside the chain (erasable)
    and the event holds its digest. `details` hold identifiers and digests, never typed words.
    Returns the event, or None in a reading request: its event is written when the read ends.
    """
    person = actor.person or subject
    # Stored as the JSON column hands it back, so that the hash verifies after the round trip.
    plain_details: dict[str, Any] = json.loads(json.dumps(details or {}))
    fields: dict[str, Any] = {
        "occurred_at": utc_now(),
        "actor_id": person.id if person is not None else None,
        "actor_role": person.role if person is not None else None,
        "actor_organisation_id": person.organisation_id if person is not None else None,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else None,
        "plan_id": plan_id_of(object_type, object_id, plain_details),
        "channel": actor.channel,
        "client_address": actor.client_address,
        "request_id": actor.request_id,
        "outcome": outcome,
        "reason": reason,
        "details": plain_details,
        "reason_digest": None,
        "hash_version": HASH_VERSION,
    }
    if typed_reason is None and is_reading(db):
        # A reading request's event waits for the read to end, then goes in as a plain row, with the
        # rows of other requests ending at once: no one holds the object, and building the model or
        # the ORM's unit of work would cost more than the read it records.
        write_after_reading(db, InsertRow(_INSERT_EVENT, fields))
        return None
    event = AuditEvent(**fields)
    salt = secrets.token_hex(16)
    if typed_reason is not None:
        event.reason_digest = reason_digest(salt, typed_reason)
    if event.plan_id is not None and not is_reading(db):
        note_change(db, event.plan_id)  # a reading request records reads only
    write_after_reading(db, lambda writer: _add(writer, event, salt, typed_reason))
    return event


def _add(db: Session, event: AuditEvent, salt: str = "", words: str | None = None) -> None:
    db.add(event)
    db.flush()
    if words is not None:
        db.add(AuditReason(event_id=id_of(event), salt=salt, words=words))
        db.flush()
