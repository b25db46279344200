"""What changed: between two revisions of an item, two versions of a plan, or since a date."""

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Literal

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import (
    AREA_OF_NEED_LABELS,
    FREQUENCY_LABELS,
    GROUP_SIZE_LABELS,
    AreaOfNeed,
    GroupSize,
    Item,
    ItemContent,
    ItemRevision,
    Person,
    PlanVersion,
    PlanVersionItem,
    ProvisionFrequency,
    deliverer_label,
)
from app.models.base import as_utc
from app.permissions import PlanAccess
from app.services import audit
from app.services.plans import history, visibility
from app.services.plans.plans import PlanProblem, people_by_id

PlanState = dict[int, int]
"""Item id -> the id of the revision it had at that moment."""

PARTICULAR_LABELS = {
    "area_of_need": "Area of need",
    "achieve_by": "To achieve by",
    "delivered_by": "Delivered by",
    "delivered_by_organisation_id": "Organisation delivering it",
    "amount": "How much",
    "unit": "Unit",
    "frequency": "How often",
    "session_minutes": "Minutes a session",
    "group_size": "Group size",
    "group_of": "Children in the group",
    "deliverer_role": "Delivered by (role)",
    "expertise": "Expertise or training needed",
    "location": "Where",
    "starts_on": "From",
    "ends_on": "Until",
    "review_on": "Review date",
}


class Change(StrEnum):
    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class DiffPiece:
    change: Change
    text: str


@dataclass(frozen=True)
class ItemChange:
    """One item that is new or different in the later state (items are never deleted)."""

    item: Item
    before: ItemRevision | None
    after: ItemRevision
    words: list[DiffPiece]
    particulars: list[tuple[str, str, str]]


def word_diff(before: str, after: str) -> list[DiffPiece]:
    """A readable difference by words (with the spaces kept), merged into runs."""
    old, new = re.split(r"(\s+)", before), re.split(r"(\s+)", after)
    pieces: list[DiffPiece] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(DiffPiece(Change.SAME, "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(DiffPiece(Change.REMOVED, "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(DiffPiece(Change.ADDED, "".join(new[j1:j2])))
    return [piece for piece in pieces if piece.text]


def particular_text(name: str, value: object) -> str:
    if value is None:
        return "not given"
    if name == "area_of_need":
        return AREA_OF_NEED_LABELS[AreaOfNeed(str(value))]
    if name == "frequency":
        return FREQUENCY_LABELS[ProvisionFrequency(str(value))]
    if name == "group_size":
        return GROUP_SIZE_LABELS[GroupSize(str(value))]
    if name == "deliverer_role":
        return deliverer_label(str(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def particulars_diff(before: ItemContent | None, after: ItemContent) -> list[tuple[str, str, str]]:
    """Each particular (area, quantity, dates) that differs: (label, before, after)."""
    changed = []
    for name, label in PARTICULAR_LABELS.items():
        old, new = (getattr(before, name) if before is not None else None), getattr(after, name)
        if old != new:
            changed.append((label, particular_text(name, old), particular_text(name, new)))
    return changed


def current_state(db: Session, access: PlanAccess) -> PlanState:
    rows = db.exec(select(Item.id, Item.current_revision_id).where(col(Item.plan_id) == access.plan.id))
    return {item_id: revision_id for item_id, revision_id in rows if item_id and revision_id}


def version_state(db: Session, access: PlanAccess, number: int) -> PlanState:
    version = db.exec(
        select(PlanVersion).where(
            col(PlanVersion.plan_id) == access.plan.id, col(PlanVersion.number) == number
        )
    ).first()
    if version is None:
        raise PlanProblem("version", f"This plan has no version {number}")
    rows = db.exec(
        select(PlanVersionItem.item_id, PlanVersionItem.revision_id).where(
            col(PlanVersionItem.version_id) == version.id
        )
    )
    return dict(rows.all())


def state_at(db: Session, access: PlanAccess, moment: datetime) -> PlanState:
    """The revision each item had at that moment (items written later are absent)."""
    moment = as_utc(moment).astimezone(UTC)  # SQLite compares the stored UTC times as text
    newest = (
        select(ItemRevision.item_id, func.max(ItemRevision.number).label("number"))
        .join(Item, col(Item.id) == col(ItemRevision.item_id))
        .where(col(Item.plan_id) == access.plan.id, col(ItemRevision.created_at) <= moment)
        .group_by(col(ItemRevision.item_id))
        .subquery()
    )
    rows = db.exec(
        select(ItemRevision.item_id, ItemRevision.id).join(
            newest,
            (col(ItemRevision.item_id) == newest.c.item_id) & (col(ItemRevision.number) == newest.c.number),
        )
    )
    return {item_id: revision_id for item_id, revision_id in rows if revision_id is not None}


def compare(
    db: Session, actor: Actor, access: PlanAccess, before: PlanState, after: PlanState, *, label: str
) -> list[ItemChange]:
    """The items new or changed from `before` to `after`, in section order (a read: audited).

    Views hidden from this person by their young person's choice are left out.
    """
    hidden = visibility.hidden_views(db, access)
    changed = {
        item_id: revision_id
        for item_id, revision_id in after.items()
        if before.get(item_id) != revision_id and item_id not in hidden
    }
    revision_ids = set(changed.values()) | {before[item_id] for item_id in changed if item_id in before}
    revisions = (
        {
            revision.id: revision
            for revision in db.exec(select(ItemRevision).where(col(ItemRevision.id).in_(revision_ids)))
        }
        if revision_ids
        else {}
    )
    items = list(db.exec(select(Item).where(col(Item.id).in_(changed)))) if changed else []
    items.sort(key=lambda item: (list(type(item.section)).index(item.section), item.id or 0))
    result = []
    for item in items:
        assert item.id is not None
        old = revisions.get(before[item.id]) if item.id in before else None
        new = revisions[changed[item.id]]
        words = word_diff(old.text if old else "", new.text)
        result.append(ItemChange(item, old, new, words, particulars_diff(old, new)))
    audit.record(
        db,
        actor,
        "plan.changes_read",
        object_type="plan",
        object_id=access.plan.id,
        details={"compared": label, "changed_items": len(result)},
    )
    return result


CURRENT: Literal["current"] = "current"
VersionChoice = int | Literal["current"]
"""A frozen version by number, or the plan as it is now."""


@dataclass(frozen=True)
class Changes:
    compared: str
    changes: list[ItemChange]
    people: dict[int, Person]


def read_changes(
    db: Session,
    actor: Actor,
    access: PlanAccess,
    *,
    since: date | None = None,
    from_version: VersionChoice | None = None,
    to_version: VersionChoice = CURRENT,
) -> Changes:
    """What changed since a day, or between two versions; by default since the latest frozen version."""
    if since is not None and from_version is not None:
        raise PlanProblem("since", "Ask for changes since a date or from a version, not both")
    if since is not None:
        if to_version != CURRENT:
            raise PlanProblem("to_version", "Changes since a date run to the plan as it is now")
        before = state_at(db, access, datetime.combine(since, time.min, UTC))
        compared = f"since {since.isoformat()}"
    else:
        if from_version is None:
            frozen = history.versions(db, access)
            from_version = frozen[-1].number if frozen else None
        before = _state_of(db, access, from_version, "from_version") if from_version is not None else {}
        compared = f"{_version_label(from_version)} to {_version_label(to_version)}"
    after = _state_of(db, access, to_version, "to_version")
    found = compare(db, actor, access, before, after, label=compared)
    authors: set[int | None] = {change.after.author_id for change in found}
    authors |= {change.before.author_id for change in found if change.before is not None}
    return Changes(compared, found, people_by_id(db, authors))


def _state_of(db: Session, access: PlanAccess, version: VersionChoice, field: str) -> PlanState:
    if version == CURRENT:
        return current_state(db, access)
    try:
        return version_state(db, access, int(version))
    except PlanProblem as problem:
        raise PlanProblem(field, str(problem)) from None


def _version_label(version: VersionChoice | None) -> str:
    if version is None:
        return "the start"
    return "the plan now" if version == CURRENT else f"version {version}"
