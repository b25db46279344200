"""A plan's quality report: the golden thread (need -> outcome -> provision) and specific provision.

The thread rules (DESIGN.md, Code of Practice 9.69):
- every need leads to at least one outcome (an outcome answers it) and at least one provision (a
  provision answers it, or serves an outcome that answers it);
- every outcome answers at least one need, is served by at least one provision, and, where the plan
  has any views, answers a view (directly, or through a need that answers one);
- every provision says which outcomes it serves.
A need answered only by health or social care provision is answered: any section of provision counts.

`assess` is pure (items and links in, report out); `plan_quality` reads what it needs in three
queries whatever the plan's size and is audited as a read of the plan.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import Item, ItemContent, ItemKind, ItemLink, ItemRevision
from app.permissions import PlanAccess
from app.services import audit
from app.services.plans.content import plan_items
from app.services.plans.links import LinkEnds, plan_links
from app.services.quality.rules import (
    Flag,
    deliverer_words,
    flags_of_words,
    is_unquantified,
    provision_flags,
)

NEED_NO_OUTCOME = "This need has no outcome yet"
NEED_NO_PROVISION = "This need has no provision yet"
OUTCOME_NO_NEED = "This outcome does not say which need it answers"
OUTCOME_NO_PROVISION = "No provision serves this outcome yet"
OUTCOME_NO_VIEW = "This outcome does not answer any of the views of the child or family"
PROVISION_NO_OUTCOME = "This provision does not say which outcome it serves"


@dataclass
class ItemQuality:
    """What the checks found about one need, outcome or provision."""

    item_id: int
    kind: ItemKind
    breaks: list[str] = field(default_factory=list)
    """Where the golden thread breaks at this item."""
    flags: list[Flag] = field(default_factory=list)
    """What is unspecific about it (provision only)."""
    answers: list[int] = field(default_factory=list)
    """The items it answers (for a provision: the outcomes and needs it serves)."""
    answered_by: list[int] = field(default_factory=list)

    @property
    def unquantified(self) -> bool:
        return is_unquantified(self.flags)

    @property
    def ok(self) -> bool:
        return not self.breaks and not self.flags

    @property
    def flag_count(self) -> int:
        """What the plan's pages flag at this item: each break in the thread and each unspecific point."""
        return len(self.breaks) + len(self.flags)


@dataclass(frozen=True)
class NeedThread:
    """One need and what answers it: its outcomes and the provision that reaches it."""

    need_id: int
    outcome_ids: list[int]
    provision_ids: list[int]
    breaks: list[str]


@dataclass(frozen=True)
class QualityReport:
    plan_id: int
    items: dict[int, ItemQuality]
    threads: list[NeedThread]

    def of_kind(self, kind: ItemKind) -> list[ItemQuality]:
        return [entry for entry in self.items.values() if entry.kind is kind]

    @property
    def breaks(self) -> int:
        return sum(len(entry.breaks) for entry in self.items.values())

    @property
    def thread_unbroken(self) -> bool:
        """Every rule of the thread holds, and there is at least one need for it to start from."""
        return bool(self.threads) and self.breaks == 0

    @property
    def needs_unbroken(self) -> int:
        return sum(1 for thread in self.threads if not thread.breaks)

    @property
    def provisions(self) -> list[ItemQuality]:
        return self.of_kind(ItemKind.PROVISION)

    @property
    def unspecific(self) -> list[ItemQuality]:
        """Provision with any flag: vague wording or a missing particular."""
        return [entry for entry in self.provisions if entry.flags]

    @property
    def unquantified(self) -> list[ItemQuality]:
        return [entry for entry in self.provisions if entry.unquantified]

    @property
    def all_clear(self) -> bool:
        return self.thread_unbroken and not self.unspecific

    @property
    def flag_count(self) -> int:
        """Every flag the plan's sections show, added up (the setting's list shows it per plan)."""
        return sum(entry.flag_count for entry in self.items.values())

    @property
    def provision_specific(self) -> bool:
        """There is provision, and none of it is flagged as vague or missing a particular."""
        return bool(self.provisions) and not self.unspecific


def assess(
    plan_id: int, items: Iterable[tuple[Item, ItemContent]], links: Iterable[ItemLink]
) -> QualityReport:
    """Check the thread and the provision of one plan's items and the links standing (not removed)."""
    kinds: dict[int, ItemKind] = {}
    contents: dict[int, ItemContent] = {}
    for item, content in items:
        if item.id is not None:
            kinds[item.id] = item.kind
            contents[item.id] = content
    return assess_kinds(plan_id, kinds, lambda item_id: provision_flags(contents[item_id]), links)


def assess_kinds(
    plan_id: int, kinds: dict[int, ItemKind], flags_of: Callable[[int], list[Flag]], links: Iterable[LinkEnds]
) -> QualityReport:
    """The report from each item's kind and its provision's flags: the thread needs no words."""
    answers: dict[int, set[int]] = defaultdict(set)
    answered_by: dict[int, set[int]] = defaultdict(set)
    for link in links:
        if link.item_id in kinds and link.answers_id in kinds:
            answers[link.item_id].add(link.answers_id)
            answered_by[link.answers_id].add(link.item_id)

    def of(ids: Iterable[int], kind: ItemKind) -> list[int]:
        return sorted(found for found in ids if kinds[found] is kind)

    has_views = any(kind is ItemKind.VIEW for kind in kinds.values())
    report: dict[int, ItemQuality] = {}
    threads: list[NeedThread] = []
    for item_id, kind in kinds.items():
        if kind not in {ItemKind.NEED, ItemKind.OUTCOME, ItemKind.PROVISION}:
            continue
        entry = ItemQuality(
            item_id, kind, answers=sorted(answers[item_id]), answered_by=sorted(answered_by[item_id])
        )
        if kind is ItemKind.NEED:
            outcomes = of(answered_by[item_id], ItemKind.OUTCOME)
            through_outcomes = {
                provision
                for outcome in outcomes
                for provision in of(answered_by[outcome], ItemKind.PROVISION)
            }
            provisions = sorted(set(of(answered_by[item_id], ItemKind.PROVISION)) | through_outcomes)
            if not outcomes:
                entry.breaks.append(NEED_NO_OUTCOME)
            if not provisions:
                entry.breaks.append(NEED_NO_PROVISION)
            threads.append(NeedThread(item_id, outcomes, provisions, list(entry.breaks)))
        elif kind is ItemKind.OUTCOME:
            needs = of(answers[item_id], ItemKind.NEED)
            if not needs:
                entry.breaks.append(OUTCOME_NO_NEED)
            if not of(answered_by[item_id], ItemKind.PROVISION):
                entry.breaks.append(OUTCOME_NO_PROVISION)
            views = set(of(answers[item_id], ItemKind.VIEW)) | {
                view for need in needs for view in of(answers[need], ItemKind.VIEW)
            }
            if has_views and not views:
                entry.breaks.append(OUTCOME_NO_VIEW)
        else:
            if not of(answers[item_id], ItemKind.OUTCOME):
                entry.breaks.append(PROVISION_NO_OUTCOME)
            entry.flags = flags_of(item_id)
        report[item_id] = entry
    return QualityReport(plan_id, report, sorted(threads, key=lambda thread: thread.need_id))


def quality_of(
    plan_id: int, entries: Sequence[tuple[Item, ItemContent]], links: Iterable[ItemLink]
) -> QualityReport:
    """The report for items already loaded (the plan page): no query, no audit event of its own."""
    return assess(plan_id, entries, links)


def plan_quality(db: Session, actor: Actor, access: PlanAccess) -> QualityReport:
    """A plan's quality report, read as it stands now (audited as a read of the plan)."""
    plan_id = access.plan.id or 0
    found = plan_items(db, access)
    report = assess(plan_id, ((entry.item, entry.revision) for entry in found), plan_links(db, plan_id))
    audit.record(
        db,
        actor,
        "plan.quality_read",
        object_type="plan",
        object_id=plan_id,
        details={"breaks": report.breaks, "unspecific": len(report.unspecific)},
    )
    return report


PROVISION_COLUMNS = (
    "text",
    "delivered_by",
    "deliverer_role",
    "expertise",
    "delivered_by_organisation_id",
    "amount",
    "unit",
    "frequency",
)
"""What the checks of provision read of its current revision."""


def outline_quality(
    db: Session, plan_id: int, kinds: dict[int, ItemKind], links: Iterable[LinkEnds]
) -> QualityReport:
    """The report for the plan page's outline: of the words, only provision's are read (one query)."""
    return outline_qualities(db, {plan_id: kinds}, {plan_id: list(links)})[plan_id]


def outline_qualities(
    db: Session, kinds: dict[int, dict[int, ItemKind]], links: dict[int, list[LinkEnds]]
) -> dict[int, QualityReport]:
    """The reports of many plans (plan id -> its items' kinds, its links): one query for them all."""
    plan_ids = sorted(kinds)
    rows = (
        cast(
            list[tuple[Any, ...]],
            db.exec(
                select(col(Item.id), *(col(getattr(ItemRevision, name)) for name in PROVISION_COLUMNS))
                .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
                .where(col(Item.plan_id).in_(plan_ids), col(Item.kind) == ItemKind.PROVISION.value)
            ).all(),
        )
        if plan_ids
        else []
    )
    flags = {
        item_id: flags_of_words(
            text, deliverer_words(delivered_by, role, expertise), organisation_id, quantity
        )
        for item_id, text, delivered_by, role, expertise, organisation_id, *quantity in rows
    }
    return {
        plan_id: assess_kinds(
            plan_id, kinds[plan_id], lambda item_id: flags.get(item_id, []), links.get(plan_id, [])
        )
        for plan_id in plan_ids
    }
