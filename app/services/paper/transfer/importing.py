"""Bringing in a plan exported by another OnePlan: checked whole before anything is written.

The zip's signature (`signing`) is checked first, then every audit trail: each event's hash, its
order, and its link to the event before it where the trail holds that event (a plan's events are a
part of the chain they came from: see `export`). A file that fails any check is refused whole with
what is wrong, and leaves nothing behind.

Imported audit events cannot join this OnePlan's chain (each hash covers its place in the chain it
came from): they are kept as they came (`ImportedAuditTrail`), each event still verifiable on its
own, and the import is one event of this OnePlan's own chain naming the trails' digests and the
export's signature (trusted, untrusted or unsigned, and the key's fingerprint).
"""

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel, col, select

from app.actor import Actor
from app.config import Settings
from app.models import (
    AuditEvent,
    ImportedAuditTrail,
    Organisation,
    Person,
    PersonRole,
    Plan,
    PlanReview,
    ProgressWords,
    ViewPicture,
)
from app.models.base import utc_now
from app.services import audit
from app.services.audit import GENESIS_HASH, reasons
from app.services.paper.transfer import signing
from app.services.paper.transfer.export import (
    FORMAT,
    NOT_CARRIED,
    READABLE_VERSIONS,
    TABLES,
    UNLINKED_REFERENCES,
    _table,
    _target,
    trail_digest,
)
from app.services.paper.transfer.problems import ImportProblem
from app.services.paper.transfer.signing import SignatureCheck
from app.services.voices import pictures as picture_store

MAX_ARCHIVE_BYTES = 256 * 1024 * 1024
"""The largest file an import reads at all."""
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
"""export.json unpacked: a plan with years of history is a few megabytes."""
MAX_ENTRIES = 2_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024
"""Everything in the zip unpacked."""
MAX_RATIO = 200
"""Unpacked to packed, per entry: far beyond JSON's and pictures', far below a zip bomb's."""
_CHUNK = 1024 * 1024


def _unpacked(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, budget: list[int]) -> bytes:
    """An entry's bytes, read a chunk at a time and stopped at the first limit it passes.

    The sizes a zip declares are not trusted: the limits count what actually comes out.
    """
    out = bytearray()
    with archive.open(info) as entry:
        while chunk := entry.read(_CHUNK):
            out += chunk
            budget[0] -= len(chunk)
            if len(out) > limit:
                raise ImportProblem(f"{info.filename} is larger than an export can be")
            if budget[0] < 0:
                raise ImportProblem("The file unpacks to more than an export can be")
            if len(out) > _CHUNK and len(out) > MAX_RATIO * max(info.compress_size, 1):
                raise ImportProblem(f"{info.filename} unpacks to far more than it holds (a zip bomb?)")
    return bytes(out)


def _document_of(data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ImportProblem("export.json is not JSON") from None
    if not isinstance(document, dict):
        raise ImportProblem("export.json is not a OnePlan export")
    return document


@dataclass(frozen=True)
class ReadExport:
    document: dict[str, Any]
    pictures: dict[str, bytes]
    """By their names under pictures/ (a key to look a picture up by, never a path)."""
    signature: SignatureCheck


def read_export(settings: Settings, data: bytes) -> ReadExport:
    """The document, its pictures and its signature from a zip (or the document alone from JSON, unsigned).

    Read within strict limits; the signature and every file against the signed manifest are checked
    before the document is parsed. Whether its signer is trusted enough is `import_export`'s question.
    """
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ImportProblem("The file is larger than an export can be")
    if not data.startswith(b"PK"):
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ImportProblem("export.json is larger than an export can be")
        return ReadExport(_checked_document(data), {}, signing.checked_signature(settings, {}, None, None))
    files: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise ImportProblem("The zip holds more files than an export can")
            budget = [MAX_TOTAL_BYTES]
            for info in entries:
                if info.is_dir():
                    continue
                if info.filename in files:
                    raise ImportProblem(f"The zip holds {info.filename} twice")
                if info.filename == "export.json":
                    limit = MAX_DOCUMENT_BYTES
                elif info.filename in (signing.MANIFEST, signing.SIGNATURE):
                    limit = signing.MAX_MANIFEST_BYTES
                else:
                    limit = picture_store.MAX_BYTES
                files[info.filename] = _unpacked(archive, info, limit, budget)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError):
        raise ImportProblem("The zip is damaged or uses a form OnePlan cannot read") from None
    manifest, signature = files.pop(signing.MANIFEST, None), files.pop(signing.SIGNATURE, None)
    checked = signing.checked_signature(settings, files, manifest, signature)
    if "export.json" not in files:
        raise ImportProblem("The zip holds no export.json")
    pictures = {
        name.removeprefix("pictures/"): content
        for name, content in files.items()
        if name.startswith("pictures/")
    }
    return ReadExport(_checked_document(files["export.json"]), pictures, checked)


def _checked_document(data: bytes) -> dict[str, Any]:
    document = _document_of(data)
    version = document.get("format_version")
    if document.get("format") != FORMAT or isinstance(version, bool) or version not in READABLE_VERSIONS:
        versions = " or ".join(str(version) for version in READABLE_VERSIONS)
        raise ImportProblem(f"This is not a {FORMAT} export of version {versions}")
    return document


def verify_trail(events: list[dict[str, Any]]) -> str | None:
    """The problem with an exported trail, or None: every event matches its hash, in order, linked.

    An event whose sequence follows the one before it names that event's hash as its prev_hash; an
    event after a gap (events about other plans, left out) cannot name the hash of the one before it
    in the trail, so an event that does was re-linked over events removed.
    """
    last_sequence, last_hash = 0, GENESIS_HASH
    for event in events:
        sequence = event.get("sequence")
        if not reasons.portable_hash_matches(event):
            return f"Imported audit event {sequence} does not match its hash"
        if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence <= last_sequence:
            return f"Imported audit event {sequence} is out of order"
        if sequence == last_sequence + 1 and event.get("prev_hash") != last_hash:
            if last_sequence == 0:
                return "Imported audit event 1 does not start a chain"
            return f"Imported audit event {sequence} is not linked to event {last_sequence} before it"
        if sequence > last_sequence + 1 and event.get("prev_hash") == last_hash:
            return (
                f"Imported audit event {sequence} is linked to event {last_sequence}, but the "
                f"{sequence - last_sequence - 1} events between them are missing: events were removed"
            )
        last_sequence, last_hash = sequence, str(event.get("hash"))
    return None


FAMILY_COPY = (
    "This export was made for a family and leaves out parts of the audit trail (its hashes among them), "
    "so it cannot be imported: ask the council that holds the plan for its export"
)


def made_for_a_family(document: dict[str, Any]) -> bool:
    """A family's copy: its trails are as their audit page shows them (`export.as_shown`), redacted."""
    part = document.get("audit")
    trails = part.get("trails") if isinstance(part, dict) else None
    return isinstance(trails, list) and any(
        isinstance(trail, dict) and trail.get("redacted") for trail in trails
    )


def check_trails(trails: list[dict[str, Any]]) -> None:
    """Refuse a trail that does not verify."""
    for trail in trails:
        problem = verify_trail(trail["events"])
        if problem is not None:
            raise ImportProblem(problem)


@dataclass(frozen=True)
class Imported:
    plan: Plan
    signature: SignatureCheck


def import_plan(db: Session, settings: Settings, actor: Actor, data: bytes) -> Plan:
    """Bring a plan in (see `import_export`); the plan it became."""
    return import_export(db, settings, actor, data).plan


def import_export(db: Session, settings: Settings, actor: Actor, data: bytes) -> Imported:
    """Bring a plan in with its original authors and times; one event records who imported it.

    Nothing from the file is used as a path: pictures are checked like an upload and stored under
    new names, written only once every row has gone in. A file that does not hold together (a broken
    reference, a value of the wrong kind), whose signature or audit trail does not verify, or whose
    signature the council's rule refuses, is refused whole with what is wrong, and leaves nothing behind.
    """
    export = read_export(settings, data)
    document = export.document
    if made_for_a_family(document):
        raise ImportProblem(FAMILY_COPY)  # whoever signed it: this reason comes first
    signing.check_allowed(settings, export.signature)
    importer = actor.signed_in()
    try:
        with db.begin_nested():
            check_trails(document["audit"]["trails"])
            plan, trails, stored = _import_rows(db, document, export.pictures)
    except ImportProblem:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, SQLAlchemyError) as error:
        raise ImportProblem(f"The export does not hold together ({_what_broke(error)})") from None
    for file_name, checked in stored:
        picture_store.STORE.store_as(settings.data_dir, file_name, checked.data)
    for position, trail in enumerate(trails, start=1):
        db.add(
            ImportedAuditTrail(
                plan_id=int(plan.id or 0),
                source=str(trail["source"])[:200],
                position=position,
                events=trail["events"],
                digest=trail_digest(trail["events"]),
                imported_by_id=int(importer.id or 0),
            )
        )
    db.flush()
    audit.record(
        db,
        actor,
        "plan.imported",
        object_type="plan",
        object_id=plan.id,
        details={
            "source": str(document["export"].get("source", ""))[:200],
            "source_reference": str(document["export"].get("reference", ""))[:20],
            "trails": [trail_digest(trail["events"]) for trail in trails],
            "events": sum(len(trail["events"]) for trail in trails),
            "signature": export.signature.trust.value,
            "signing_key": export.signature.key_fingerprint,
        },
    )
    return Imported(plan, export.signature)


def _what_broke(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"nothing called {error.args[0]!r}"
    if isinstance(error, SQLAlchemyError):
        return "a row this OnePlan cannot keep"
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__


def _import_rows(
    db: Session, document: dict[str, Any], pictures: dict[str, bytes]
) -> tuple[Plan, list[dict[str, Any]], list[tuple[str, picture_store.CheckedPicture]]]:
    """Every row of the document, with new ids; the pictures to store, each checked, under new names."""
    trails = document["audit"]["trails"]
    ids: dict[str, int] = {}
    for entry in document["organisations"]:
        found = db.exec(select(Organisation).where(col(Organisation.name) == entry["name"])).first()
        if found is None:
            found = Organisation(
                name=entry["name"],
                kind=entry["kind"],
                local_authority_id=ids[entry["local_authority"]] if entry["local_authority"] else None,
            )
            db.add(found)
            db.flush()
        ids[entry["ref"]] = int(found.id or 0)
    for entry in document["people"]:
        if PersonRole(entry["role"]) is PersonRole.ADMINISTRATOR:
            raise ImportProblem(f"{entry['ref']} is an administrator, who never writes in a plan")
        # Authors from another OnePlan: kept by name and part, with no e-mail address, password or card,
        # so no way to sign in until the receiving council invites them (their words stay theirs).
        person = Person(
            display_name=entry["display_name"],
            role=entry["role"],
            organisation_id=ids[entry["organisation"]] if entry["organisation"] else None,
        )
        db.add(person)
        db.flush()
        ids[entry["ref"]] = int(person.id or 0)
    later: list[tuple[type[SQLModel], str, str]] = []
    plan: Plan | None = None
    stored: list[tuple[str, picture_store.CheckedPicture]] = []
    for model in TABLES:
        table = _table(model)
        for entry in document["tables"].get(table.name, []):
            values: dict[str, Any] = {}
            for column in table.c.keys():
                if column == "id" or (table.name, column) in NOT_CARRIED:
                    continue
                value = entry.get(column)
                target = _target(table, column)
                if (table.name, column) in UNLINKED_REFERENCES:
                    if value is not None:
                        later.append((model, entry["ref"], value))
                    value = None
                elif target is not None and value is not None:
                    value = ids[value]
                values[column] = value
            if model is ViewPicture:
                values["file_name"], checked = _imported_picture(pictures, values)
                if checked is not None:
                    stored.append((values["file_name"], checked))
            row = model.model_validate(values)
            db.add(row)
            db.flush()
            if "ref" in entry:
                ids[entry["ref"]] = int(getattr(row, "id"))  # noqa: B009
            if isinstance(row, Plan):
                plan = row
    for later_model, ref, value in later:
        pointing = db.get(later_model, ids[ref])
        setattr(pointing, "current_revision_id", ids[value])  # noqa: B010
        db.add(pointing)
    _earlier_own_words(db, document, ids)
    if plan is None:
        raise ImportProblem("The export holds no plan")
    db.flush()
    return plan, trails, stored


LEGACY_OWN_WORDS = (("child_words", "child_words_by_id", True), ("family_words", "family_words_by_id", False))
"""An export made before each person's words were kept apart held one child's and one family member's
words in the outcome's review_progress row."""


def _earlier_own_words(db: Session, document: dict[str, Any], ids: dict[str, int]) -> None:
    """Words an earlier export kept in review_progress become their writers' own rows, as they stand."""
    for entry in document["tables"].get("review_progress", []):
        for words, by, by_child in LEGACY_OWN_WORDS:
            if entry.get(words) is None or entry.get(by) is None:
                continue
            review = db.get(PlanReview, ids[entry["review_id"]])
            db.add(
                ProgressWords(
                    review_id=ids[entry["review_id"]],
                    item_id=ids[entry["item_id"]],
                    person_id=ids[entry[by]],
                    by_child=by_child,
                    words=entry[words],
                    written_at=review.created_at if review is not None else utc_now(),
                )
            )


def _imported_picture(
    pictures: dict[str, bytes], values: dict[str, Any]
) -> tuple[str, picture_store.CheckedPicture | None]:
    """A new stored name for a picture row, and its checked picture when the zip holds one."""
    data = pictures.get(str(values.get("file_name")))
    if data is None:
        return picture_store.new_name(str(values.get("media_type"))), None
    try:
        checked = picture_store.checked_picture(data)
    except picture_store.PictureProblem as problem:
        raise ImportProblem(f"A picture in the export cannot be kept: {problem}") from None
    values.update(
        media_type=checked.media_type, byte_size=len(checked.data), width=checked.width, height=checked.height
    )
    return picture_store.new_name(checked.media_type), checked


def verify_imported_trails(db: Session) -> list[str]:
    """Every imported trail's problems: an event that does not match its hash, or a changed trail.

    A trail's digest must be one that its plan's `plan.imported` event names: that event is in this
    OnePlan's chain, so a trail rewritten with its digest recomputed is caught too.
    """
    recorded: dict[int | None, set[str]] = {}
    imports = select(AuditEvent).where(
        col(AuditEvent.action) == "plan.imported", col(AuditEvent.sequence).is_not(None)
    )
    for event in db.exec(imports):
        recorded.setdefault(event.plan_id, set()).update(event.details.get("trails", []))
    problems = []
    for trail in db.exec(select(ImportedAuditTrail).order_by(col(ImportedAuditTrail.id))):
        problem = verify_trail(trail.events)
        if problem is None and trail_digest(trail.events) != trail.digest:
            problem = "the trail is not the one imported"
        elif problem is None and trail.digest not in recorded.get(trail.plan_id, set()):
            problem = "the trail is not the one that the chained plan.imported event records"
        if problem is not None:
            problems.append(f"Imported trail {trail.id} (plan {trail.plan_id}): {problem}")
    return problems
