"""The officer's CSV export of a search: streamed in batches, safe to open in a spreadsheet, recorded."""

import csv
import io
import json
from collections.abc import Iterator, Sequence

from sqlalchemy import RowMapping
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import (
    AuditEvent,
    AuditReason,
    Organisation,
    Person,
)
from app.models.plan import plan_reference
from app.services.audit import events as audit
from app.services.audit.search import EXPORT_BATCH, AuditFilter, la_scope

CSV_COLUMNS = (
    "sequence",
    "occurred_at_utc",
    "person_id",
    "person",
    "role",
    "organisation_id",
    "organisation",
    "action",
    "outcome",
    "reason",
    "plan",
    "object_type",
    "object_id",
    "channel",
    "client_address",
    "request_id",
    "details",
    "hash",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet shows as text: one that could start a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


_EXPORTED = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_role",
    "actor_organisation_id",
    "action",
    "outcome",
    "reason",
    "plan_id",
    "object_type",
    "object_id",
    "channel",
    "client_address",
    "request_id",
    "details",
    "hash",
)


class _Names:
    """Names of people and organisations met so far in an export (bounded by how many there are)."""

    def __init__(self) -> None:
        self.people: dict[int, str] = {}
        self.organisations: dict[int, str] = {}

    def learn(self, db: Session, rows: Sequence[RowMapping]) -> None:
        people = {row["actor_id"] for row in rows if row["actor_id"] is not None} - self.people.keys()
        if people:
            found = db.exec(select(Person.id, Person.display_name).where(col(Person.id).in_(people)))
            self.people.update({person_id: name for person_id, name in found if person_id is not None})
        organisations = {
            row["actor_organisation_id"] for row in rows if row["actor_organisation_id"] is not None
        } - self.organisations.keys()
        if organisations:
            found_organisations = db.exec(
                select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(organisations))
            )
            self.organisations.update(
                {org_id: name for org_id, name in found_organisations if org_id is not None}
            )


def csv_row(row: RowMapping, names: _Names) -> list[str]:
    """One event as a row; its reason is the one it states or the words typed (from beside the chain)."""
    values: list[object] = [
        row["sequence"],
        audit.canonical_time(row["occurred_at"]),
        row["actor_id"],
        names.people.get(row["actor_id"]),
        row["actor_role"],
        row["actor_organisation_id"],
        names.organisations.get(row["actor_organisation_id"]),
        row["action"],
        row["outcome"],
        row["reason"] if row["reason"] is not None else row["typed_reason"],
        plan_reference(row["plan_id"]) if row["plan_id"] else None,
        row["object_type"],
        row["object_id"],
        row["channel"],
        row["client_address"],
        row["request_id"],
        json.dumps(row["details"], sort_keys=True, ensure_ascii=False),
        row["hash"],
    ]
    return [spreadsheet_safe(value) for value in values]


def start_export(db: Session, actor: Actor, filters: AuditFilter) -> None:
    """Record the export (it commits with the request, before the first row is sent)."""
    audit.record(db, actor, "audit.exported", details={"filters": filters.described()})


def export_csv(
    db: Session, council_id: int | None, filters: AuditFilter, *, batch: int = EXPORT_BATCH
) -> Iterator[str]:
    """The events of the council's plans as CSV text, newest first, a batch at a time: memory stays flat.

    It runs while the response streams, after the request's transaction has committed, in a read
    transaction of its own on the same session, which it ends (releasing the connection) at the end.
    """
    query = (
        sa_select(
            *(col(getattr(AuditEvent, name)) for name in _EXPORTED),
            col(AuditReason.words).label("typed_reason"),
        )
        .outerjoin(AuditReason, col(AuditReason.event_id) == col(AuditEvent.id))
        .where(la_scope(council_id), col(AuditEvent.sequence).is_not(None), *filters.conditions())
        .order_by(col(AuditEvent.sequence).desc())
        .limit(batch)
    )
    names = _Names()
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flushed() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + flushed()  # a byte-order mark: spreadsheets then read the file as UTF-8
    try:
        rows = db.execute(query).mappings().all()
        while rows:
            names.learn(db, rows)
            writer.writerows(csv_row(row, names) for row in rows)
            yield flushed()
            if len(rows) < batch:
                return
            rows = db.execute(query.where(col(AuditEvent.sequence) < rows[-1]["sequence"])).mappings().all()
    finally:
        db.rollback()
