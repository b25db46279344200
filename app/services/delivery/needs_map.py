"""The needs map: each need against the support the setting offers and the family's confidence at home,
across the five areas (the four of the Code of Practice and independence), dated, so that it shows change.
"""

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today as today
from app.models import (
    AREA_OF_NEED_LABELS,
    AreaOfNeed,
    Confidence,
    Item,
    ItemKind,
    ItemRevision,
    NeedsMapEntry,
    SupportLevel,
)
from app.models.base import PLAIN_TEXT, id_of
from app.permissions import PlanAccess, may_comment
from app.services import audit
from app.services.delivery.common import plan_is_open
from app.services.plans.access import refuse
from app.services.plans.items import ContentProblem


class NewNeedsMapEntry(BaseModel):
    item_id: int = Field(ge=1, le=2_147_483_647)
    setting_support: SupportLevel
    support_offered: str = Field(max_length=1000, pattern=PLAIN_TEXT)
    family_confidence: Confidence


@dataclass(frozen=True)
class NeedRow:
    item: Item
    revision: ItemRevision
    entries: list[NeedsMapEntry]
    """Newest first."""

    @property
    def latest(self) -> NeedsMapEntry | None:
        return self.entries[0] if self.entries else None

    @property
    def previous(self) -> NeedsMapEntry | None:
        return self.entries[1] if len(self.entries) > 1 else None


@dataclass(frozen=True)
class NeedsMap:
    areas: list[tuple[AreaOfNeed, str, list[NeedRow]]]

    @property
    def rows(self) -> list[NeedRow]:
        return [row for _area, _label, rows in self.areas for row in rows]

    @property
    def mapped(self) -> int:
        return sum(1 for row in self.rows if row.entries)


def needs_map(db: Session, access: PlanAccess) -> NeedsMap:
    """Every need of the plan by area, with its map entries: two queries."""
    needs = list(
        db.exec(
            select(Item, ItemRevision)
            .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
            .where(col(Item.plan_id) == access.plan.id, col(Item.kind) == ItemKind.NEED.value)
            .order_by(col(Item.id))
        )
    )
    entries = list(
        db.exec(
            select(NeedsMapEntry)
            .where(col(NeedsMapEntry.plan_id) == access.plan.id)
            .order_by(col(NeedsMapEntry.recorded_on).desc(), col(NeedsMapEntry.id).desc())
        )
    )
    areas = []
    for area in AreaOfNeed:
        rows = [
            NeedRow(item, revision, [entry for entry in entries if entry.item_id == item.id])
            for item, revision in needs
            if revision.area_of_need is area
        ]
        areas.append((area, AREA_OF_NEED_LABELS[area], rows))
    return NeedsMap(areas)


def read_needs_map(db: Session, actor: Actor, access: PlanAccess) -> NeedsMap:
    found = needs_map(db, access)
    audit.record(
        db,
        actor,
        "needs_map.read",
        object_type="plan",
        object_id=access.plan.id,
        details={"needs": len(found.rows)},
    )
    return found


def may_map(access: PlanAccess) -> bool:
    """Anyone writing on the plan, the family included (it is their confidence at home)."""
    return may_comment(access) and plan_is_open(access)


def record_entry(db: Session, actor: Actor, access: PlanAccess, new: NewNeedsMapEntry) -> NeedsMapEntry:
    if not may_map(access):
        refuse(access, "Only members of this plan add to its needs map.", action="needs_map.refused")
    item = db.get(Item, new.item_id)
    if item is None or item.plan_id != access.plan.id or item.kind is not ItemKind.NEED:
        raise ContentProblem({"item_id": "Select a need of this plan"})
    offered = new.support_offered.strip()
    if not offered:
        raise ContentProblem({"support_offered": "Enter the support the setting offers for this need"})
    entry = NeedsMapEntry(
        plan_id=id_of(access.plan),
        item_id=id_of(item),
        recorded_on=today(),
        setting_support=new.setting_support,
        support_offered=offered,
        family_confidence=new.family_confidence,
        recorded_by_id=id_of(access.person),
    )
    db.add(entry)
    db.flush()
    audit.record(
        db,
        actor,
        "needs_map.recorded",
        object_type="needs_map_entry",
        object_id=entry.id,
        details={
            "plan_id": access.plan.id,
            "item_id": item.id,
            "setting_support": new.setting_support.value,
            "family_confidence": new.family_confidence.value,
        },
    )
    return entry


def recorded_on(entry: NeedsMapEntry) -> date:
    return entry.recorded_on
