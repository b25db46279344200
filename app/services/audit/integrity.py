"""Checking the audit chain, and signed checkpoints of its head kept outside the database.

The chain alone shows that no event was changed, removed, inserted or reordered, but not that
someone with the database in hand did not cut it short or rewrite its tail and every hash after.
A checkpoint (a sequence number and the hash of the event there, signed with OnePlan's Ed25519 audit
key) is written to a folder outside the database regularly (`oneplan audit checkpoint`, for cron);
the LA's auditors may keep copies. Verification checks the chain against every checkpoint.

A typed reason lives beside its event (`AuditReason`), the event holding its salted digest.
Verification checks the words against the digest (changed words are a break). Once they are erased,
a form-2 event still verifies whole (its hash covers the digest); a form-1 event, whose hash covered
the words, can no longer be recomputed: it is counted as "words erased", and the next event's
`prev_hash` (its hash) still proves its place, and that nothing was inserted or removed around it.
"""

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlmodel import Session, col

from app.actor import Actor
from app.config import Settings
from app.models import AuditEvent, Outcome
from app.models.base import utc_now
from app.services.audit import events as audit
from app.services.audit.events import (
    CHAINED_FIELDS,
    GENESIS_HASH,
    HASH_VERSION,
    canonical_time,
    form_of,
    hash_of,
    with_words,
    words_match,
)
from app.services.audit.reasons import kept_for

BATCH_SIZE = 5000
CHECKPOINT_FORMAT = 1
_KEY_DERIVATION_LABEL = b"oneplan audit checkpoint signing key"


# Keys -------------------------------------------------------------------------------------------


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The configured key, or one derived from the secret key (so a development setup needs none)."""
    if settings.audit_signing_key:
        seed = base64.b64decode(settings.audit_signing_key, validate=True)
    else:
        seed = hmac.new(settings.secret_key.encode(), _KEY_DERIVATION_LABEL, hashlib.sha256).digest()
    if len(seed) != 32:
        raise ValueError("ONEPLAN_AUDIT_SIGNING_KEY must be 32 bytes in base64")
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_text(key: Ed25519PublicKey) -> str:
    """The public key as auditors are given it: base64 of its 32 raw bytes."""
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


# Checkpoints ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    head_hash: str
    made_at: str
    """When it was made (UTC, canonical text), as signed."""
    source: str = ""
    """The file it came from, to name it in a report."""

    @property
    def made_at_moment(self) -> datetime:
        """When it was made, to show in UK time."""
        return datetime.fromisoformat(self.made_at)

    def signed_content(self) -> bytes:
        return rfc8785.dumps(
            {
                "format": CHECKPOINT_FORMAT,
                "sequence": self.sequence,
                "head_hash": self.head_hash,
                "made_at": self.made_at,
            }
        )


class CheckpointProblem(Exception):
    """A checkpoint file that cannot be trusted: unreadable, or not signed with this OnePlan's key."""


def checkpoint_file_name(sequence: int) -> str:
    return f"checkpoint-{sequence:012d}.json"


def write_checkpoint(folder: Path, checkpoint: Checkpoint, key: Ed25519PrivateKey) -> Path:
    """Write the signed checkpoint atomically (a reader never sees half a file)."""
    folder.mkdir(parents=True, exist_ok=True)
    document = {
        "format": CHECKPOINT_FORMAT,
        "sequence": checkpoint.sequence,
        "head_hash": checkpoint.head_hash,
        "made_at": checkpoint.made_at,
        "key_id": key_id(key.public_key()),
        "signature": base64.b64encode(key.sign(checkpoint.signed_content())).decode(),
    }
    path = folder / checkpoint_file_name(checkpoint.sequence)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path


def read_checkpoint(path: Path, key: Ed25519PublicKey) -> Checkpoint:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        checkpoint = Checkpoint(
            sequence=int(document["sequence"]),
            head_hash=str(document["head_hash"]),
            made_at=str(document["made_at"]),
            source=str(path),
        )
        signature = base64.b64decode(document["signature"], validate=True)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CheckpointProblem(f"Checkpoint {path} cannot be read: {error}.") from error
    try:
        key.verify(signature, checkpoint.signed_content())
    except InvalidSignature as error:
        raise CheckpointProblem(f"Checkpoint {path} is not signed with this OnePlan's audit key.") from error
    return checkpoint


def read_checkpoints(folders: Iterable[Path], key: Ed25519PublicKey) -> list[Checkpoint]:
    """Every checkpoint in the folders (missing folders hold none), lowest sequence first."""
    found = [
        read_checkpoint(path, key)
        for folder in folders
        if folder.is_dir()
        for path in sorted(folder.glob("*.json"))
    ]
    return sorted(found, key=lambda checkpoint: checkpoint.sequence)


# Verification -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first place where the trail is not whole."""

    sequence: int
    event_id: int | None
    message: str


@dataclass(frozen=True)
class Verification:
    events: int
    checkpoints: int
    seconds: float
    head_sequence: int
    head_hash: str
    problem: Break | None
    words_erased: int = 0
    """Events whose typed reason has been erased (the end of its retention): not a break."""

    @property
    def whole(self) -> bool:
        return self.problem is None

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float(self.events)


_COLUMNS = [col(getattr(AuditEvent, name)) for name in ("id", "hash", "hash_version", *CHAINED_FIELDS)]


def stream_events(
    db: Session, *, from_sequence: int = 1, batch_size: int = BATCH_SIZE, with_reasons: bool = False
) -> Iterator[Mapping[str, Any]]:
    """Every event from a sequence number on, in order, a batch at a time (memory stays flat).

    `with_reasons`: each event with a typed reason also gets `words` and `salt` (None once erased).
    """
    after = from_sequence - 1
    while True:
        rows = (
            db.execute(
                select(*_COLUMNS)
                .where(col(AuditEvent.sequence) > after)
                .order_by(col(AuditEvent.sequence))
                .limit(batch_size)
            )
            .mappings()
            .all()
        )
        kept = (
            kept_for(db, (row["id"] for row in rows if row["reason_digest"] is not None))
            if with_reasons
            else {}
        )
        for row in rows:
            event = dict(row)
            if with_reasons and event["reason_digest"] is not None:
                words = kept.get(event["id"])
                event["words"], event["salt"] = (words.words, words.salt) if words else (None, None)
            yield event
        if len(rows) < batch_size:
            return
        after = rows[-1]["sequence"]


def _describe(row: Mapping[str, Any]) -> str:
    when = canonical_time(row["occurred_at"])
    return f"event {row['sequence']} (id {row['id']}, {row['action']} at {when})"


def _fault(
    row: Mapping[str, Any], expected: int, previous_hash: str, checkpoints: list[Checkpoint]
) -> str | None:
    """What is wrong with this event, coming after `previous_hash` in the chain; None if nothing."""
    if row["sequence"] != expected:
        return f"The event numbered {expected} is missing: the chain goes on at {_describe(row)}."
    if row["prev_hash"] != previous_hash:
        return (
            f"The chain is broken at {_describe(row)}: it does not follow the event before it "
            "(events were removed, inserted or reordered)."
        )
    words = row.get("words")
    if words is not None and not words_match(row, row["salt"], words):
        return f"The reason kept for {_describe(row)} is not the one it recorded: its words were changed."
    hashed = with_words(row, words)
    if hashed is not None and hash_of(hashed) != row["hash"]:
        return f"The chain is broken at {_describe(row)}: it was altered after it was written."
    for checkpoint in checkpoints:
        if checkpoint.head_hash != row["hash"]:
            return (
                f"The chain was rewritten at or before {_describe(row)}: it differs from the "
                f"checkpoint made at {checkpoint.made_at} ({checkpoint.source})."
            )
    return None


def _out_of_form(row: Mapping[str, Any], form: int) -> str | None:
    """Forms only move on: a newer event put back in form 1 would escape the check of its words."""
    if form <= form_of(row) <= HASH_VERSION:
        return None
    return f"The chain is broken at {_describe(row)}: it is in hash form {form_of(row)} after form {form}."


@dataclass(frozen=True)
class Walk:
    events: int
    head_sequence: int
    head_hash: str
    problem: Break | None
    words_erased: int = 0


def check_events(
    rows: Iterable[Mapping[str, Any]], checkpoints: Sequence[Checkpoint], *, start: Checkpoint | None = None
) -> Walk:
    """Walk the events in sequence order up to the first fault.

    From `start` (a checkpoint already trusted) the walk begins at that checkpoint's event, whose
    hash the checkpoint vouches for.
    """
    by_sequence: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        by_sequence.setdefault(checkpoint.sequence, []).append(checkpoint)
    expected = start.sequence if start else 1
    previous_hash = GENESIS_HASH
    count = erased = 0
    form = 1
    for row in rows:
        if start is not None and count == 0 and row["sequence"] == start.sequence:
            previous_hash = row["prev_hash"]
        fault = _out_of_form(row, form) or _fault(
            row, expected, previous_hash, by_sequence.get(row["sequence"], [])
        )
        if fault is not None:
            return Walk(count, expected - 1, previous_hash, Break(expected, row["id"], fault), erased)
        form = form_of(row)
        if row.get("reason_digest") is not None and "words" in row and row["words"] is None:
            erased += 1
        count += 1
        previous_hash = row["hash"]
        expected += 1
    head = expected - 1
    beyond = [checkpoint for checkpoint in checkpoints if checkpoint.sequence > head]
    if beyond:
        fault = (
            f"The chain stops before event {beyond[0].sequence}, which the checkpoint made at "
            f"{beyond[0].made_at} ({beyond[0].source}) records: events were removed from the end."
        )
        return Walk(count, head, previous_hash, Break(head + 1, None, fault), erased)
    return Walk(count, head, previous_hash, None, erased)


def _verification(walk: Walk, checkpoints: int, started: float) -> Verification:
    seconds = time.perf_counter() - started
    return Verification(
        walk.events, checkpoints, seconds, walk.head_sequence, walk.head_hash, walk.problem, walk.words_erased
    )


def _unreadable(problem: CheckpointProblem, started: float) -> Verification:
    return _verification(Walk(0, 0, GENESIS_HASH, Break(0, None, str(problem))), 0, started)


def verify_chain(
    db: Session, checkpoints: Sequence[Checkpoint] = (), *, batch_size: int = BATCH_SIZE
) -> Verification:
    """Check the whole chain, and check it against every checkpoint."""
    started = time.perf_counter()
    walk = check_events(stream_events(db, batch_size=batch_size, with_reasons=True), checkpoints)
    return _verification(walk, len(checkpoints), started)


def verify_trail(db: Session, settings: Settings, folders: Sequence[Path] = ()) -> Verification:
    """What `oneplan audit verify` does: the chain against the checkpoints in the folders."""
    started = time.perf_counter()
    try:
        checkpoints = read_checkpoints(
            folders or [settings.audit_checkpoints_path], signing_key(settings).public_key()
        )
    except CheckpointProblem as problem:
        return _unreadable(problem, started)
    walk = check_events(stream_events(db, with_reasons=True), checkpoints)
    return _verification(walk, len(checkpoints), started)


@dataclass(frozen=True)
class CheckpointMade:
    checkpoint: Checkpoint | None
    """The new checkpoint (or the latest, when no event came since); None when the chain is broken."""
    verification: Verification
    """Of the events since the latest checkpoint: only a chain that is whole gets a checkpoint."""
    new: bool = False


def make_checkpoint(db: Session, settings: Settings) -> CheckpointMade:
    """Check the events since the latest checkpoint, then sign and write the head."""
    started = time.perf_counter()
    key = signing_key(settings)
    folder = settings.audit_checkpoints_path
    try:
        existing = read_checkpoints([folder], key.public_key())
    except CheckpointProblem as problem:
        return CheckpointMade(None, _unreadable(problem, started))
    latest = existing[-1] if existing else None
    walk = check_events(
        stream_events(db, from_sequence=latest.sequence if latest else 1, with_reasons=True),
        existing,
        start=latest,
    )
    verification = _verification(walk, len(existing), started)
    if walk.problem is not None or walk.head_sequence == 0:
        return CheckpointMade(None, verification)
    if latest is not None and latest.sequence == walk.head_sequence:
        return CheckpointMade(latest, verification)
    checkpoint = Checkpoint(walk.head_sequence, walk.head_hash, canonical_time(utc_now()))
    path = write_checkpoint(folder, checkpoint, key)
    written = Checkpoint(checkpoint.sequence, checkpoint.head_hash, checkpoint.made_at, str(path))
    return CheckpointMade(written, verification, new=True)


def publish_checkpoint(db: Session, settings: Settings, actor: Actor) -> CheckpointMade:
    """On demand (the audit officer's button): check the new events, sign the head, record who asked."""
    made = make_checkpoint(db, settings)
    problem = made.verification.problem
    audit.record(
        db,
        actor,
        "audit.checkpoint_published",
        outcome=Outcome.DONE if problem is None else Outcome.REFUSED,
        reason=problem.message if problem is not None else None,
        details={
            "sequence": made.checkpoint.sequence if made.checkpoint else None,
            "new": made.new,
            "events_checked": made.verification.events,
        },
    )
    return made


def latest_checkpoint(settings: Settings) -> Checkpoint | None:
    """The newest checkpoint in the store, or None (an unreadable store shows as none)."""
    try:
        found = read_checkpoints([settings.audit_checkpoints_path], signing_key(settings).public_key())
    except CheckpointProblem:
        return None
    return found[-1] if found else None


def download_latest_checkpoint(db: Session, settings: Settings, actor: Actor) -> Checkpoint | None:
    """The newest checkpoint, for the officer to keep with her own records; who took it is recorded."""
    latest = latest_checkpoint(settings)
    if latest is not None:
        audit.record(
            db,
            actor,
            "audit.checkpoint_downloaded",
            object_type="audit_checkpoint",
            object_id=latest.sequence,
            details={"sequence": latest.sequence},
        )
    return latest
