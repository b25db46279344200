"""A tribunal bundle: the plan's whole record in one paginated PDF that a person can put in a bundle.

The plan as issued (or a chosen version), what changed from version to version, every view and piece
of advice in full, the delivery record, and the audit extract (who wrote, changed and read what, when),
with a contents page and a closing page that carries the hash of the plan's last event in the audit
chain and the signed checkpoint that covers it, with how to check both. For those who read the plan's
concerns (`permissions.may_see_concerns`), every concern and complaint too: its dates, the family's
words verbatim, the setting's answer, the complaint and its outcome. What the reader may not read on
screen is not in their bundle: views their young person shared with others only are counted, not
printed; concerns, and their events in the audit extract, are left out without a mark. Taken by the
plan's members and by the council's audit officers; each bundle is one audited download
("plan.bundle_downloaded").
"""

import itertools
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.actor import Actor
from app.config import Settings
from app.models import (
    CONCERN_ABOUT_LABELS,
    CONCERN_STATUS_LABELS,
    AuditEvent,
    DeliveryRecord,
    DeliveryStatus,
    Item,
    ItemKind,
    ItemRevision,
    Outcome,
    Person,
    PlanVersion,
    Section,
)
from app.models.base import as_utc
from app.permissions import PlanAccess, may_see_concerns, may_take_bundle
from app.services import audit
from app.services.audit import integrity, search, sentences
from app.services.audit.integrity import Checkpoint
from app.services.concerns import concerns
from app.services.concerns.concerns import ConcernsPanel
from app.services.delivery.arithmetic import in_units
from app.services.paper import pdf
from app.services.paper.document import PaperItem, PaperPlan, plan_on_paper
from app.services.plans import changes, history, visibility
from app.services.plans.access import refuse_as_absent
from app.services.plans.plans import SECTION_TITLES, people_by_id
from app.services.plans.words import words_for_plan

PARTS = (
    ("plan", "The plan"),
    ("changes", "Changes between versions"),
    ("views-and-advice", "Views and advice in full"),
    ("delivery", "Delivery record"),
    ("concerns", "Concerns and complaints"),
    ("audit", "Audit extract"),
    ("checking", "Checking this bundle"),
)
"""The bundle's parts in order, each with its anchor for the contents page ("concerns" only for those
who read the plan's concerns)."""


def parts_for(sees_concerns: bool) -> list[tuple[str, str]]:
    return [(anchor, title) for anchor, title in PARTS if sees_concerns or anchor != "concerns"]


@dataclass(frozen=True)
class ItemChange:
    item: Item
    before: ItemRevision | None
    after: ItemRevision
    author: Person | None


@dataclass(frozen=True)
class VersionChanges:
    title: str
    """"Version 1 to version 2 (still being written)"."""
    changes: list[ItemChange]


@dataclass(frozen=True)
class DeliveryLine:
    record: DeliveryRecord
    provision: str
    """The provision's words (its current revision), to say what was delivered."""
    amount: str
    recorded_by: Person | None
    corrected: bool
    """A later record of the same day replaced this one."""

    @property
    def delivered(self) -> bool:
        return self.record.status is DeliveryStatus.DELIVERED


@dataclass(frozen=True)
class AuditLine:
    sequence: int | None
    occurred_at: datetime
    who: str
    what: str
    refused: bool


@dataclass(frozen=True)
class Seal:
    """What the closing page carries: the plan's last chained event and the checkpoint covering it."""

    last_event: AuditEvent | None
    checkpoint: Checkpoint | None

    @property
    def covered(self) -> bool:
        return (
            self.last_event is not None
            and self.last_event.sequence is not None
            and self.checkpoint is not None
            and self.checkpoint.sequence >= self.last_event.sequence
        )


@dataclass(frozen=True)
class Bundle:
    paper: PaperPlan
    changes: list[VersionChanges]
    statements: list[PaperItem]
    """Every view and piece of advice the reader may read, as the plan stands now."""
    views_left_out: int
    delivery: list[DeliveryLine]
    concerns: ConcernsPanel | None
    """The plan's concerns and complaints; None for a reader who may not read them."""
    audit: list[AuditLine]
    seal: Seal
    public_url: str

    @property
    def parts(self) -> list[tuple[str, str]]:
        return parts_for(self.concerns is not None)

    @property
    def part_numbers(self) -> dict[str, int]:
        return {anchor: number for number, (anchor, _title) in enumerate(self.parts, start=1)}


def check_may_take(access: PlanAccess) -> None:
    """The plan's members and the council's audit officers; anyone else is told it does not exist."""
    if not may_take_bundle(access):
        refuse_as_absent(access)


def issued_version(versions: list[PlanVersion]) -> int | None:
    """The version a bundle prints unless asked: the newest issued, else the newest agreed, else none."""
    issued = [version.number for version in versions if version.occasion == "issued"]
    if issued:
        return issued[-1]
    return versions[-1].number if versions else None


def _version_changes(db: Session, access: PlanAccess, versions: list[PlanVersion]) -> list[VersionChanges]:
    """From nothing to version 1, from each version to the next, and to the plan as it is now."""
    hidden = visibility.hidden_views(db, access)
    states: list[tuple[str, changes.PlanState]] = [("the start", {})]
    states += [(f"version {v.number}", changes.version_state(db, access, v.number)) for v in versions]
    if access.plan.version not in {v.number for v in versions}:
        states.append(
            (f"version {access.plan.version} (still being written)", changes.current_state(db, access))
        )
    pairs = list(itertools.pairwise(states))
    wanted = {
        revision_id
        for (_a, before), (_b, after) in pairs
        for revision_id in (*before.values(), *after.values())
    }
    revisions = {
        revision.id: revision
        for revision in db.exec(select(ItemRevision).where(col(ItemRevision.id).in_(wanted or {0})))
    }
    items = {
        item.id: item
        for item in db.exec(select(Item).where(col(Item.plan_id) == access.plan.id).order_by(col(Item.id)))
    }
    people = people_by_id(db, {revision.author_id for revision in revisions.values()})
    order = list(Section)
    found = []
    for (before_label, before), (after_label, after) in pairs:
        changed = sorted(
            (items[item_id] for item_id, revision_id in after.items() if before.get(item_id) != revision_id),
            key=lambda item: (order.index(item.section), item.id or 0),
        )
        found.append(
            VersionChanges(
                f"From {before_label} to {after_label}",
                [
                    ItemChange(
                        item,
                        revisions.get(before[item.id or 0]) if (item.id or 0) in before else None,
                        revisions[after[item.id or 0]],
                        people.get(revisions[after[item.id or 0]].author_id),
                    )
                    for item in changed
                    if item.id not in hidden
                ],
            )
        )
    return found


def _delivery(db: Session, access: PlanAccess) -> list[DeliveryLine]:
    """Every delivery record of the plan's provision, oldest day first; corrections marked as such."""
    records = list(
        db.exec(
            select(DeliveryRecord)
            .where(col(DeliveryRecord.plan_id) == access.plan.id)
            .order_by(col(DeliveryRecord.delivered_on), col(DeliveryRecord.item_id), col(DeliveryRecord.id))
        )
    )
    if not records:
        return []
    item_ids = {record.item_id for record in records}
    provisions = {
        item.id: revision
        for item, revision in db.exec(
            select(Item, ItemRevision)
            .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
            .where(col(Item.id).in_(item_ids))
        )
    }
    people = people_by_id(db, {record.recorded_by_id for record in records})
    latest = {(record.item_id, record.delivered_on): record.id for record in records}
    lines = []
    for record in records:
        revision = provisions.get(record.item_id)
        lines.append(
            DeliveryLine(
                record=record,
                provision=revision.text if revision is not None else "A provision",
                amount=in_units(record.amount, revision.unit if revision is not None else None),
                recorded_by=people.get(record.recorded_by_id),
                corrected=latest[(record.item_id, record.delivered_on)] != record.id,
            )
        )
    return lines


def _audit_extract(
    db: Session, access: PlanAccess, *, sees_concerns: bool
) -> tuple[list[AuditLine], AuditEvent | None]:
    """The plan's events in the order of the chain (those not yet linked last), in words and UK time;
    without those about concerns for a reader who may not read them."""
    events = [
        event
        for event in db.exec(
            select(AuditEvent)
            .where(col(AuditEvent.plan_id) == access.plan.id)
            .order_by(col(AuditEvent.sequence).is_(None), col(AuditEvent.sequence), col(AuditEvent.id))
        )
        if sees_concerns or not concerns.is_concern_event(event.action)
    ]
    names = search.names_for(db, events)
    a_plan_name = words_for_plan(db, access.plan).a_plan_name
    lines = [
        AuditLine(
            event.sequence,
            as_utc(event.occurred_at),
            sentences.who(event, names),
            sentences.what(event, names, a_plan_name),
            event.outcome is Outcome.REFUSED,
        )
        for event in events
    ]
    chained = [event for event in events if event.sequence is not None]
    return lines, (chained[-1] if chained else None)


def build_bundle(db: Session, settings: Settings, access: PlanAccess, version: int | None = None) -> Bundle:
    """The bundle's content as this person may read it (not audited: `tribunal_bundle` records it)."""
    check_may_take(access)
    versions = history.versions(db, access)
    paper = plan_on_paper(db, access, settings.data_dir, version if version else issued_version(versions))
    now = plan_on_paper(db, access, settings.data_dir) if paper.frozen is not None else paper
    statements = [
        entry
        for section in now.sections
        for entry in section.items
        if entry.item.kind in (ItemKind.VIEW, ItemKind.ADVICE)
    ] + now.appendices
    sees_concerns = may_see_concerns(access)
    lines, last_event = _audit_extract(db, access, sees_concerns=sees_concerns)
    return Bundle(
        paper=paper,
        changes=_version_changes(db, access, versions),
        statements=statements,
        views_left_out=len(visibility.hidden_views(db, access)),
        delivery=_delivery(db, access),
        concerns=concerns.panel(db, access) if sees_concerns else None,
        audit=lines,
        seal=Seal(last_event, integrity.latest_checkpoint(settings)),
        public_url=settings.public_url,
    )


def tribunal_bundle(
    db: Session, settings: Settings, actor: Actor, access: PlanAccess, version: int | None = None
) -> tuple[Bundle, bytes]:
    """The bundle as a paginated, tagged PDF; the download is one audited event."""
    bundle = build_bundle(db, settings, access, version)
    plan = access.plan
    words = words_for_plan(db, plan)
    document = pdf.render_pdf(
        "paper/bundle.html",
        {
            "bundle": bundle,
            "paper": bundle.paper,
            "plan": plan,
            "plan_words": words,
            "parts": bundle.parts,
            "number": bundle.part_numbers,
            "concern_about": CONCERN_ABOUT_LABELS,
            "concern_status": CONCERN_STATUS_LABELS,
            "section_titles": SECTION_TITLES[plan.kind],
            "section_k_title": SECTION_TITLES[plan.kind].get(Section.K, "Advice"),
        },
        pdf.margin_text(
            f"{bundle.paper.child.full_name}: tribunal bundle",
            f"{words.kind_name(plan.kind)}, {bundle.paper.version_label}",
            plan.reference,
        ),
    )
    audit.record(
        db,
        actor,
        "plan.bundle_downloaded",
        object_type="plan",
        object_id=plan.id,
        details={
            "version": bundle.paper.version,
            "events": len(bundle.audit),
            "last_sequence": bundle.seal.last_event.sequence if bundle.seal.last_event else None,
            "checkpoint": bundle.seal.checkpoint.sequence if bundle.seal.checkpoint else None,
            "bytes": len(document),
        },
    )
    return bundle, document
