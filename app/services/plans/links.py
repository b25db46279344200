"""Links between items: what each need, outcome and provision answers (views, advice, needs, outcomes).

A link is written by whoever may write the answering item's section: the outcome's writers say which
views it answers; nobody links someone else's item to something on their behalf.
"""

from collections.abc import Sequence
from typing import Any, Protocol, cast

from sqlmodel import Session, col, select

from app.actor import Actor
from app.errors import Refused
from app.models import ITEM_KIND_LABELS, LINKABLE, Item, ItemKind, ItemLink, Section
from app.models.base import id_of, utc_now
from app.permissions import PlanAccess, may_write_in
from app.services import audit
from app.services.plans import visibility
from app.services.plans.access import refuse, refuse_change, row_of_plan
from app.services.plans.content import PlanItem, plan_items
from app.services.plans.items import ContentProblem, plan_item


class LinkEnds(Protocol):
    """What the checks and the voice figure need of a link: which item answers which."""

    @property
    def item_id(self) -> int: ...

    @property
    def answers_id(self) -> int: ...


def link_ends(db: Session, plan_id: int) -> Sequence[LinkEnds]:
    """The plan's standing links as (item_id, answers_id) rows: one query, no objects built per link."""
    rows: Any = db.exec(
        select(ItemLink.item_id, ItemLink.answers_id).where(
            col(ItemLink.plan_id) == plan_id, col(ItemLink.removed_at).is_(None)
        )
    ).all()
    return cast(Sequence[LinkEnds], rows)


def links_of_plans(db: Session, plan_ids: Sequence[int]) -> dict[int, list[LinkEnds]]:
    """The standing links of many plans, by plan: one query, whatever their number."""
    found: dict[int, list[LinkEnds]] = {plan_id: [] for plan_id in plan_ids}
    if plan_ids:
        rows: Any = db.exec(
            select(ItemLink.plan_id, ItemLink.item_id, ItemLink.answers_id).where(
                col(ItemLink.plan_id).in_(plan_ids), col(ItemLink.removed_at).is_(None)
            )
        ).all()
        for row in rows:
            found[row.plan_id].append(row)
    return found


def plan_links(db: Session, plan_id: int) -> list[ItemLink]:
    """The plan's standing links, oldest first (one query, whatever the plan's size)."""
    return list(
        db.exec(
            select(ItemLink)
            .where(col(ItemLink.plan_id) == plan_id, col(ItemLink.removed_at).is_(None))
            .order_by(col(ItemLink.id))
        )
    )


def _check_may_link(access: PlanAccess, item: Item, *, action: str) -> None:
    if access.plan.is_frozen:
        refuse_change(
            access, "This plan has been issued or closed: changes are made through a review.", action=action
        )
    if not may_write_in(access, item.section):
        refuse(
            access,
            f"Only the people who write section {item.section} can say what its items answer.",
            action=action,
            object_type="item",
            object_id=item.id,
        )


def add_link(db: Session, actor: Actor, access: PlanAccess, item: Item, answers_id: int) -> ItemLink:
    """Record that `item` answers the item `answers_id` of the same plan."""
    _check_may_link(access, item, action="link.refused")
    if item.kind not in LINKABLE:
        raise ContentProblem(
            {"answers_id": f"A {ITEM_KIND_LABELS[item.kind].lower()} does not answer other items"}
        )
    try:
        answered = plan_item(db, access, answers_id)
    except Refused:
        raise ContentProblem({"answers_id": "Select an item of this plan"}) from None
    if answered.kind not in LINKABLE[item.kind]:
        allowed = ", ".join(sorted(ITEM_KIND_LABELS[kind].lower() for kind in LINKABLE[item.kind]))
        raise ContentProblem(
            {
                "answers_id": f"A {ITEM_KIND_LABELS[item.kind].lower()} can answer a {allowed}, not a "
                f"{ITEM_KIND_LABELS[answered.kind].lower()}"
            }
        )
    if any(link.answers_id == answers_id for link in links_of(db, item)):
        raise ContentProblem({"answers_id": "These two are already linked"})
    link = ItemLink(
        plan_id=item.plan_id, item_id=id_of(item), answers_id=answers_id, created_by=id_of(access.person)
    )
    db.add(link)
    db.flush()
    audit.record(
        db,
        actor,
        "link.added",
        object_type="item_link",
        object_id=link.id,
        details={"plan_id": item.plan_id, "item_id": item.id, "answers_id": answers_id},
    )
    return link


def links_of(db: Session, item: Item) -> list[ItemLink]:
    """The standing links from this item (what it answers)."""
    return list(
        db.exec(select(ItemLink).where(col(ItemLink.item_id) == item.id, col(ItemLink.removed_at).is_(None)))
    )


def plan_link(db: Session, access: PlanAccess, link_id: int, *, from_item: int | None = None) -> ItemLink:
    """A standing link of this plan (from `from_item`, when given) whose two ends this person may read;
    any other is absent (404).

    A link to a view hidden from them would tell them the view exists: for them it does not either.
    """
    link = row_of_plan(
        db, access, ItemLink, link_id, object_type="item_link", action="link.refused", standing_only=True
    )
    hidden = visibility.hidden_views(db, access)
    if {link.item_id, link.answers_id} & hidden or from_item not in (None, link.item_id):
        raise Refused(
            404,
            "Not Found",
            action="link.refused",
            person=access.person,
            object_type="item_link",
            object_id=link_id,
        )
    return link


def remove_link(db: Session, actor: Actor, access: PlanAccess, link: ItemLink) -> None:
    """End a link; the row stays, with who ended it and when."""
    item = plan_item(db, access, link.item_id)
    _check_may_link(access, item, action="link.refused")
    link.removed_by = id_of(access.person)
    link.removed_at = utc_now()
    db.add(link)
    db.flush()
    audit.record(
        db,
        actor,
        "link.removed",
        object_type="item_link",
        object_id=link.id,
        details={"plan_id": link.plan_id, "item_id": link.item_id, "answers_id": link.answers_id},
    )


def link_options(
    db: Session,
    access: PlanAccess,
    kind: ItemKind,
    *,
    leaving_out: int | None = None,
    shown_to: Actor | None = None,
) -> list[tuple[Section, list[PlanItem]]]:
    """What an item of this kind may answer, as its add and edit forms offer it: the items of the plan
    this person may read, grouped by section in the plan's order, newest first within each.

    Shown in a form (`shown_to`), their first words are a read of the plan, audited as the linking
    page's is."""
    allowed = LINKABLE.get(kind, frozenset())
    if not allowed:
        return []
    grouped: dict[Section, list[PlanItem]] = {}
    for entry in reversed(plan_items(db, access)):
        if entry.item.kind in allowed and entry.item.id != leaving_out:
            grouped.setdefault(entry.item.section, []).append(entry)
    if grouped and shown_to is not None:
        plan_id = id_of(access.plan)
        audit.record(
            db,
            shown_to,
            "links.read",
            object_type="item" if leaving_out else "plan",
            object_id=leaving_out or plan_id,
            details={"plan_id": plan_id},
        )
    return [(section, grouped[section]) for section in Section if section in grouped]


def offered_ids(options: list[tuple[Section, list[PlanItem]]]) -> set[int]:
    """The ids of the items a form offers."""
    return {id_of(entry.item) for _section, entries in options for entry in entries}


def check_chosen(options: list[tuple[Section, list[PlanItem]]], chosen: set[int]) -> None:
    """Every item chosen is one the form offered (of this plan, readable, of a kind it may answer)."""
    if chosen - offered_ids(options):
        raise ContentProblem({"answers": "Select only items of this plan that it can answer"})


def set_links(
    db: Session,
    actor: Actor,
    access: PlanAccess,
    item: Item,
    chosen: set[int],
    options: list[tuple[Section, list[PlanItem]]],
) -> None:
    """Make what `item` answers the items chosen among those offered: each link added or ended is
    audited as on the linking page. Links to items the form did not offer (a view hidden from this
    person) stay as they are."""
    check_chosen(options, chosen)
    offered = offered_ids(options)
    standing = links_of(db, item)
    linked = {link.answers_id for link in standing}
    for answers_id in sorted(chosen - linked):
        add_link(db, actor, access, item, answers_id)
    for link in standing:
        if link.answers_id in offered and link.answers_id not in chosen:
            remove_link(db, actor, access, link)
