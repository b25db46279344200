"""The portable export of a plan (format "oneplan-plan", version 1) and its import into another OnePlan.

One JSON document (docs/export-schema-v1.json) holds the whole plan: every row of its tables (every
revision, view, link, version, review, delivery record and difference of opinion) and its audit
trails, with the pictures beside it in a zip. Rows name each other by references ("item:3"), never by
database ids, so that the same plan exports to the same document from any OnePlan it has been
imported into; people and organisations are listed once and referred to ("person:2").

An export holds what its taker may read on screen: a view its young person hid from them is left out,
with everything that hangs on it (its words, pictures, readers and links). A child's or parent's copy
holds the audit trails as their audit page shows them (`as_shown`): no client addresses, nobody
else's refused tries, so no hashes either; the council's copy keeps the whole record.

Imported audit events cannot join this OnePlan's chain (each hash covers its place in the chain it
came from): they are kept as they came (`ImportedAuditTrail`), each event still verifiable on its
own, and the import is one event of this OnePlan's own chain naming the trail's digest.
"""

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.actor import Actor
from app.config import Settings
from app.models import (
    FAMILY_MEMBER_ROLES,
    AuditEvent,
    AuditReason,
    ChangeResponse,
    Child,
    DeliveryRecord,
    DifferenceView,
    ImportedAuditTrail,
    Item,
    ItemComment,
    ItemLink,
    ItemRevision,
    NeedsMapEntry,
    Organisation,
    Outcome,
    Person,
    PersonRole,
    Plan,
    PlanDifference,
    PlanMember,
    PlanReview,
    PlanVersion,
    PlanVersionItem,
    ProvisionChange,
    ReducedTimetable,
    SettingMove,
    ShortfallFlag,
    TimetableDecision,
    ViewDetail,
    ViewPicture,
    ViewReader,
)
from app.models.base import utc_now
from app.permissions import PlanAccess
from app.services import audit
from app.services.audit import canonical_json, canonical_time, fields_of, reasons
from app.services.plans import visibility
from app.services.voices import pictures as picture_store

FORMAT = "oneplan-plan"
FORMAT_VERSION = 1
SUBJECT_ACCESS_FORMAT = "oneplan-subject-access"

TABLES: tuple[type[SQLModel], ...] = (
    Child,
    Plan,
    PlanMember,
    Item,
    ItemRevision,
    ItemComment,
    ItemLink,
    ViewDetail,
    ViewReader,
    ViewPicture,
    PlanVersion,
    PlanVersionItem,
    PlanReview,
    DeliveryRecord,
    ShortfallFlag,
    ReducedTimetable,
    TimetableDecision,
    ProvisionChange,
    ChangeResponse,
    NeedsMapEntry,
    SettingMove,
    PlanDifference,
    DifferenceView,
)
"""The plan's tables, each after the tables it refers to (an item's newest revision aside)."""
UNLINKED_REFERENCES = {("item", "current_revision_id"): "item_revision"}
"""Columns that name a row without a foreign key (item and revision point at each other)."""
SHARED = ("person", "organisation")


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _target(table: Table, column: str) -> str | None:
    """The table a column refers to, if any."""
    if (table.name, column) in UNLINKED_REFERENCES:
        return UNLINKED_REFERENCES[(table.name, column)]
    for key in table.c[column].foreign_keys:
        return str(key.column.table.name)
    return None


def plain(value: object) -> object:
    if isinstance(value, datetime):
        return canonical_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _rows(db: Session, plan: Plan) -> dict[str, list[SQLModel]]:
    """Every row of the plan, by table, oldest first."""
    found: dict[str, list[SQLModel]] = {}
    for model in TABLES:
        table = _table(model)
        key = table.c.id if "id" in table.c else table.c.item_id
        query: SelectOfScalar[Any]
        if model is Child:
            query = select(Child).where(col(Child.id) == plan.child_id)
        elif model is Plan:
            query = select(Plan).where(col(Plan.id) == plan.id)
        elif "plan_id" in table.c:
            query = select(model).where(table.c.plan_id == plan.id)
        elif model is ItemRevision:
            query = (
                select(ItemRevision)
                .join(Item, col(Item.id) == col(ItemRevision.item_id))
                .where(col(Item.plan_id) == plan.id)
            )
        elif model is ViewReader:
            query = (
                select(ViewReader)
                .join(Item, col(Item.id) == col(ViewReader.item_id))
                .where(col(Item.plan_id) == plan.id)
            )
        elif model is PlanVersionItem:
            query = (
                select(PlanVersionItem)
                .join(PlanVersion, col(PlanVersion.id) == col(PlanVersionItem.version_id))
                .where(col(PlanVersion.plan_id) == plan.id)
            )
        elif model is DifferenceView:
            query = (
                select(DifferenceView)
                .join(PlanDifference, col(PlanDifference.id) == col(DifferenceView.difference_id))
                .where(col(PlanDifference.plan_id) == plan.id)
            )
        else:  # pragma: no cover - a table added to TABLES without saying how to find its rows
            raise LookupError(f"no query for {table.name}")
        found[table.name] = list(db.exec(query.order_by(key)))
    return found


def event_of(event: AuditEvent, words: AuditReason | None = None) -> dict[str, Any]:
    """An audit event as its hash covers it (plus the hash), with its typed reason beside it."""
    fields = {name: plain(value) for name, value in fields_of(event).items()}
    return reasons.portable({**fields, "hash": event.hash}, words)


def trail_digest(events: list[dict[str, Any]]) -> str:
    return hashlib.sha256(canonical_json(events)).hexdigest()


REDACTED_FIELDS = ("client_address", "request_id", "prev_hash", "hash")
"""Left empty in a family's copy: the addresses people worked from are not theirs to take, and a
hash would give an address back to anyone who tried each one (IPv4 has only four billion)."""


def keeps_the_trail_as_shown(access: PlanAccess) -> bool:
    """A child's or parent's copy holds the trail as their audit page shows it, not the council's record.

    The council (the plan's LA members) exports the whole trail, hashes and all, to move the plan.
    """
    return access.member_role in FAMILY_MEMBER_ROLES


def as_shown(trail: dict[str, Any], person_id: int | None) -> dict[str, Any]:
    """A trail without client addresses and request ids, and without other people's refused tries.

    Marked `redacted`: its events no longer verify against their hashes (which are left out), so it
    is a record to read, not a trail to import. `person_id` None (a trail from another OnePlan,
    whose ids are not ours): every refused try is left out.
    """
    events = [
        {**event, **dict.fromkeys(REDACTED_FIELDS)}
        for event in trail["events"]
        if event.get("outcome") != Outcome.REFUSED.value
        or (person_id is not None and event.get("actor_id") == person_id)
    ]
    return {"source": trail["source"], "digest": trail_digest(events), "events": events, "redacted": True}


@dataclass
class PlanExport:
    document: dict[str, Any]
    pictures: dict[str, bytes] = field(default_factory=dict)
    """The pictures that go in the zip beside the document, by the name the document gives them."""


def _exported_pictures(settings: Settings, rows: list[dict[str, Any]]) -> dict[str, bytes]:
    """Name each picture by its content, not by where this OnePlan keeps it (the same in every copy).

    A picture whose file is gone keeps a name of its own and is left out of the zip.
    """
    found: dict[str, bytes] = {}
    for row in rows:
        data = picture_store.stored_bytes(settings.data_dir, str(row["file_name"]))
        extension = "jpg" if row["media_type"] == "image/jpeg" else "png"
        if data is None:
            row["file_name"] = f"missing-{str(row['ref']).replace(':', '-')}.{extension}"
            continue
        row["file_name"] = f"{hashlib.sha256(data).hexdigest()[:40]}.{extension}"
        found[row["file_name"]] = data
    return found


def export_plan(db: Session, settings: Settings, access: PlanAccess) -> PlanExport:
    """The whole plan as this person may read it (not audited: `downloads.exported` records the copy)."""
    plan = access.plan
    hidden = visibility.hidden_views(db, access)
    rows = _rows(db, plan)
    refs: dict[str, dict[int, str]] = {}
    kept: dict[str, list[SQLModel]] = {}
    shared_ids: dict[str, set[int]] = {name: set() for name in SHARED}
    for model in TABLES:
        table = _table(model)
        refs[table.name] = {}
        kept[table.name] = []
        for row in rows[table.name]:
            if table.name == "item" and getattr(row, "id") in hidden:  # noqa: B009
                continue
            dropped = False
            for column in table.c.keys():
                target, value = _target(table, column), getattr(row, column)
                if target is None or value is None or (table.name, column) in UNLINKED_REFERENCES:
                    continue
                if target in SHARED:
                    shared_ids[target].add(int(value))
                elif value not in refs.get(target, {}):
                    dropped = True  # it hangs on a row left out (a hidden view)
            if dropped:
                continue
            kept[table.name].append(row)
            if "id" in table.c:
                refs[table.name][int(getattr(row, "id"))] = f"{table.name}:{len(refs[table.name]) + 1}"  # noqa: B009
    organisations = {
        organisation.id: organisation
        for organisation in db.exec(
            select(Organisation).where(col(Organisation.id).in_(shared_ids["organisation"]))
        )
    }
    people = list(
        db.exec(select(Person).where(col(Person.id).in_(shared_ids["person"])).order_by(col(Person.id)))
    )
    for person in people:
        if person.organisation_id is not None:
            shared_ids["organisation"].add(person.organisation_id)
    more = shared_ids["organisation"] - set(organisations)
    organisations.update(
        {
            organisation.id: organisation
            for organisation in db.exec(select(Organisation).where(col(Organisation.id).in_(more)))
        }
    )
    parents = {org.local_authority_id for org in organisations.values() if org.local_authority_id} - set(
        organisations
    )
    organisations.update(
        {
            organisation.id: organisation
            for organisation in db.exec(select(Organisation).where(col(Organisation.id).in_(parents)))
        }
    )
    refs["organisation"] = {
        int(organisation_id or 0): f"organisation:{number}"
        for number, organisation_id in enumerate(sorted(int(key or 0) for key in organisations), start=1)
    }
    refs["person"] = {
        int(person.id or 0): f"person:{number}" for number, person in enumerate(people, start=1)
    }

    def values(table: Table, row: SQLModel) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column in table.c.keys():
            value = getattr(row, column)
            target = _target(table, column)
            if column == "id":
                out["ref"] = refs[table.name][int(value)]
            elif target is not None and value is not None:
                out[column] = refs[target].get(int(value))
            else:
                out[column] = plain(value)
        return out

    tables = {
        _table(model).name: [values(_table(model), row) for row in kept[_table(model).name]]
        for model in TABLES
    }
    pictures = _exported_pictures(settings, tables["view_picture"])
    trails = [
        {"source": trail.source, "digest": trail.digest, "events": trail.events}
        for trail in db.exec(
            select(ImportedAuditTrail)
            .where(col(ImportedAuditTrail.plan_id) == plan.id)
            .order_by(col(ImportedAuditTrail.position))
        )
    ]
    chained = list(
        db.exec(
            # The chained events: one still waiting for the sequencer (a moment) has no hash to check yet.
            select(AuditEvent)
            .where(col(AuditEvent.plan_id) == plan.id, col(AuditEvent.sequence).is_not(None))
            .order_by(col(AuditEvent.sequence))
        )
    )
    typed = reasons.kept_for(db, (event.id for event in chained if event.reason_digest is not None))
    own = [event_of(event, typed.get(event.id or 0)) for event in chained]
    trails.append({"source": settings.public_url, "digest": trail_digest(own), "events": own})
    if keeps_the_trail_as_shown(access):
        own_trail = trails.pop()
        trails = [as_shown(trail, None) for trail in trails] + [as_shown(own_trail, access.person.id)]
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "export": {
            "source": settings.public_url,
            "reference": plan.reference,
            "exported_at": canonical_time(utc_now()),
            "exported_by": access.person.display_name,
            "views_left_out": len(hidden),
        },
        "organisations": [
            {
                "ref": refs["organisation"][int(key or 0)],
                "name": organisation.name,
                "kind": organisation.kind.value,
                "local_authority": refs["organisation"].get(int(organisation.local_authority_id or 0)),
            }
            for key, organisation in sorted(organisations.items(), key=lambda pair: int(pair[0] or 0))
        ],
        "people": [
            {
                "ref": refs["person"][int(person.id or 0)],
                "display_name": person.display_name,
                "role": person.role.value,
                "organisation": refs["organisation"].get(int(person.organisation_id or 0)),
            }
            for person in people
        ],
        "tables": tables,
        "audit": {"trails": trails},
    }
    return PlanExport(document, pictures)


def zipped(exports: Iterable[PlanExport], document: dict[str, Any], *, name: str = "export.json") -> bytes:
    """The document (export.json) with the pictures under pictures/ (a missing file is left out)."""
    buffer = io.BytesIO()
    written: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True))
        for export in exports:
            for picture_name, data in export.pictures.items():
                if picture_name not in written:
                    written.add(picture_name)
                    archive.writestr(f"pictures/{picture_name}", data)
    return buffer.getvalue()


# Import -------------------------------------------------------------------------------------------


class ImportProblem(ValueError):
    """A file that is not a OnePlan export this version understands, or whose audit trail does not verify."""


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


def read_export(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The document and its pictures from a zip (or the document alone from JSON), within strict limits."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ImportProblem("The file is larger than an export can be")
    pictures: dict[str, bytes] = {}
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                entries = archive.infolist()
                if len(entries) > MAX_ENTRIES:
                    raise ImportProblem("The zip holds more files than an export can")
                budget = [MAX_TOTAL_BYTES]
                document_bytes: bytes | None = None
                for info in entries:
                    if info.is_dir():
                        continue
                    if info.filename == "export.json":
                        document_bytes = _unpacked(archive, info, MAX_DOCUMENT_BYTES, budget)
                    elif info.filename.startswith("pictures/"):
                        # A key to look the picture up by, never a path: it is stored under a new name.
                        key = info.filename.removeprefix("pictures/")
                        pictures[key] = _unpacked(archive, info, picture_store.MAX_BYTES, budget)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError):
            raise ImportProblem("The zip is damaged or uses a form OnePlan cannot read") from None
        if document_bytes is None:
            raise ImportProblem("The zip holds no export.json")
        document = _document_of(document_bytes)
    else:
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ImportProblem("export.json is larger than an export can be")
        document = _document_of(data)
    if document.get("format") != FORMAT or document.get("format_version") != FORMAT_VERSION:
        raise ImportProblem(f"This is not a {FORMAT} export of version {FORMAT_VERSION}")
    return document, pictures


def verify_trail(events: list[dict[str, Any]]) -> str | None:
    """The problem with an exported trail, or None: every event's hash is its fields', in order."""
    last = 0
    for event in events:
        if not reasons.portable_hash_matches(event):
            return f"Imported audit event {event.get('sequence')} does not match its hash"
        if int(event["sequence"]) <= last:
            return f"Imported audit event {event.get('sequence')} is out of order"
        last = int(event["sequence"])
    return None


def import_plan(db: Session, settings: Settings, actor: Actor, data: bytes) -> Plan:
    """Bring a plan in with its original authors and times; one event records who imported it.

    Nothing from the file is used as a path: pictures are checked like an upload and stored under
    new names, written only once every row has gone in. A file that does not hold together (a broken
    reference, a value of the wrong kind) is refused whole with what is wrong, and leaves nothing behind.
    """
    document, pictures = read_export(data)
    importer = actor.signed_in()
    try:
        with db.begin_nested():
            plan, trails, stored = _import_rows(db, document, pictures)
    except ImportProblem:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, SQLAlchemyError) as error:
        raise ImportProblem(f"The export does not hold together ({_what_broke(error)})") from None
    for file_name, checked in stored:
        picture_store.store_as(settings.data_dir, file_name, checked)
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
        },
    )
    return plan


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
    for trail in trails:
        problem = verify_trail(trail["events"])
        if problem is not None:
            raise ImportProblem(problem)
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
                if column == "id":
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
    if plan is None:
        raise ImportProblem("The export holds no plan")
    db.flush()
    return plan, trails, stored


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
