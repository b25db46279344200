"""The portable export of a plan (format "oneplan-plan", version 2), signed (`signing`).

One JSON document (docs/export-schema-v2.json) holds the whole plan: every row of its tables (every
revision, view, link, version, review, delivery record and difference of opinion) and its audit
trails, with the pictures beside it in a zip. Rows name each other by references ("item:3"), never by
database ids, so that the same plan exports to the same document from any OnePlan it has been
imported into; people and organisations are listed once and referred to ("person:2").

An export holds what its taker may read on screen: a view its young person hid from them is left out,
with everything that hangs on it (its words, pictures, readers and links). A child's or parent's copy
holds the audit trails as their audit page shows them (`as_shown`): no client addresses, nobody
else's refused tries, so no hashes either; the council's copy keeps the whole record.

A trail holds only chained events (an event waiting for the sequencer has no hash yet), in the
order of the chain: a plan's events are a part of it, so two of them with sequences that follow
each other are linked, and between others are events about other plans that the export leaves out.
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
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

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
    Plan,
    PlanDifference,
    PlanMember,
    PlanReview,
    PlanVersion,
    PlanVersionItem,
    ProgressWords,
    ProvisionChange,
    ReducedTimetable,
    ReviewProgress,
    SettingMove,
    ShortfallFlag,
    SupportLayerChange,
    TimetableDecision,
    ViewDetail,
    ViewPicture,
    ViewReader,
)
from app.models.base import utc_now
from app.permissions import PlanAccess
from app.services.audit import canonical_json, canonical_time, fields_of, reasons
from app.services.paper.transfer import signing
from app.services.plans import visibility
from app.services.voices import pictures as picture_store

FORMAT = "oneplan-plan"
FORMAT_VERSION = 2
"""Version 2 adds structured provision to each item revision (minutes a session, group size, the
deliverer's role, expertise, where, end date); version 1 has the same tables without them."""
READABLE_VERSIONS = (1, FORMAT_VERSION)
"""What an import reads: a version 1 export is provision without its structured particulars."""
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
    ReviewProgress,
    ProgressWords,
    SupportLayerChange,
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
NOT_CARRIED = {("plan", "content_stamp")}
"""Columns about this service's own memory, not the plan: the importing service makes its own."""


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
        elif model is ReviewProgress:
            query = (
                select(ReviewProgress)
                .join(PlanReview, col(PlanReview.id) == col(ReviewProgress.review_id))
                .where(col(PlanReview.plan_id) == plan.id)
            )
        elif model is ProgressWords:
            query = (
                select(ProgressWords)
                .join(PlanReview, col(PlanReview.id) == col(ProgressWords.review_id))
                .where(col(PlanReview.plan_id) == plan.id)
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
        data = picture_store.STORE.stored_bytes(settings.data_dir, str(row["file_name"]))
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
            if (table.name, column) in NOT_CARRIED:
                continue
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


def files_of(
    exports: Iterable[PlanExport], document: dict[str, Any], *, name: str = "export.json"
) -> dict[str, bytes]:
    """The document (export.json) and the pictures under pictures/, by their names in the zip."""
    files = {name: json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True).encode()}
    for export in exports:
        for picture_name, data in export.pictures.items():
            files.setdefault(f"pictures/{picture_name}", data)
    return files


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zipped(exports: Iterable[PlanExport], document: dict[str, Any], *, name: str = "export.json") -> bytes:
    """The document with the pictures beside it (a missing file is left out), unsigned."""
    return zip_of(files_of(exports, document, name=name))


def signed_zip(settings: Settings, export: PlanExport) -> bytes:
    """A plan's zip with a manifest of its files signed by this OnePlan's audit key (`signing`)."""
    files = files_of([export], export.document)
    return zip_of(signing.signed_files(settings, files, export.document["audit"]["trails"]))
