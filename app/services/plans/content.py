"""The plan as one API answer, as its page's outline and one section at a time: a fixed number of queries.

The plan page is an outline (header, what needs attention, the sections with their counts); each
section is its own page. Neither grows with the plan: the outline counts items without reading them.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import String, func, type_coerce
from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import (
    Child,
    Item,
    ItemComment,
    ItemKind,
    ItemRevision,
    Organisation,
    Person,
    PlanKind,
    PlanReview,
    PlanVersion,
    Section,
)
from app.permissions import PlanAccess, may_comment, may_revise, may_write_in
from app.services import audit
from app.services.plans import history, visibility
from app.services.plans.members import Membership, members
from app.services.plans.plans import SECTION_TITLES, organisations_by_id, people_by_id

_ASSESS_PLAN_DO = (
    ("Assess: what we know", (Section.A, Section.B, Section.C, Section.D, Section.K)),
    ("Plan: what we want to achieve", (Section.E,)),
    ("Do: the support", (Section.F, Section.G, Section.H1)),
)
STAGE_GROUPS: dict[PlanKind, tuple[tuple[str, tuple[Section, ...]], ...]] = {
    PlanKind.SEN_SUPPORT: _ASSESS_PLAN_DO,
    PlanKind.ISP: _ASSESS_PLAN_DO,
    PlanKind.EHC: (("", tuple(Section)),),
}
"""How the plan page reads: SEN Support and the ISP around Assess, Plan, Do (then Review); EHC plans
A to K."""


@dataclass
class PlanItem:
    item: Item
    revision: ItemRevision
    comments: list[ItemComment] = field(default_factory=list)


@dataclass(frozen=True)
class SectionContent:
    section: Section
    title: str
    items: list[PlanItem]
    writable: bool


@dataclass(frozen=True)
class PlanContent:
    access: PlanAccess
    child: Child
    members: list[Membership]
    groups: list[tuple[str, list[SectionContent]]]
    reviews: list[PlanReview]
    versions: list[PlanVersion]
    people: dict[int, Person]
    organisations: dict[int, Organisation]

    @property
    def sections(self) -> list[SectionContent]:
        return [section for _title, sections in self.groups for section in sections]

    def may_revise(self, plan_item: PlanItem) -> bool:
        return may_revise(self.access, plan_item.item)

    @property
    def may_comment(self) -> bool:
        return may_comment(self.access)


def plan_items(db: Session, access: PlanAccess, *, section: Section | None = None) -> list[PlanItem]:
    """Every item this person may read with its current revision and comments: four queries at most.

    Views hidden from this person by their young person's choice are left out (visibility.hidden_views).
    """
    query = (
        select(Item, ItemRevision)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.plan_id) == access.plan.id)
        .order_by(col(Item.id))
    )
    comments_query = select(ItemComment).where(col(ItemComment.plan_id) == access.plan.id)
    if section is not None:
        query = query.where(col(Item.section) == section.value)
        comments_query = comments_query.join(Item, col(Item.id) == col(ItemComment.item_id)).where(
            col(Item.section) == section.value
        )
    hidden = visibility.hidden_views(db, access)
    found = [PlanItem(item, revision) for item, revision in db.exec(query) if item.id not in hidden]
    by_id = {entry.item.id: entry for entry in found}
    comments = db.exec(comments_query.order_by(col(ItemComment.id)))
    for comment in comments:
        if comment.item_id in by_id:
            by_id[comment.item_id].comments.append(comment)
    return found


def record_plan_read(db: Session, actor: Actor, access: PlanAccess) -> None:
    """Each look at the plan's content is audited, whether worked out now or kept (app.page_cache)."""
    plan = access.plan
    audit.record(
        db, actor, "plan.read", object_type="plan", object_id=plan.id, details={"version": plan.version}
    )


def load_plan(db: Session, actor: Actor, access: PlanAccess) -> PlanContent:
    """Read the whole plan for this person (audited as a read of plan content)."""
    found = plan_content(db, access)
    record_plan_read(db, actor, access)
    return found


def plan_content(db: Session, access: PlanAccess) -> PlanContent:
    """Work out the whole plan for this person (the caller records the read: `record_plan_read`)."""
    plan = access.plan
    child = db.get(Child, plan.child_id)
    if child is None:
        raise LookupError(f"plan {plan.id} has no child")
    items = plan_items(db, access)
    by_section: dict[Section, list[PlanItem]] = defaultdict(list)
    for entry in items:
        by_section[entry.item.section].append(entry)
    groups = _groups(
        access, lambda section, title, writable: SectionContent(section, title, by_section[section], writable)
    )
    on_plan = members(db, access)
    reviews = history.reviews(db, access)
    people = people_by_id(
        db,
        {entry.item.author_id for entry in items}
        | {entry.item.voice_id for entry in items}
        | {entry.revision.author_id for entry in items}
        | {comment.author_id for entry in items for comment in entry.comments}
        | {review.recorded_by_id for review in reviews},
    )
    people.update({membership.person.id: membership.person for membership in on_plan if membership.person.id})
    organisations = organisations_by_id(
        db,
        {plan.local_authority_id, plan.setting_id}
        | {entry.revision.delivered_by_organisation_id for entry in items}
        | {membership.person.organisation_id for membership in on_plan},
    )
    return PlanContent(
        access, child, on_plan, groups, reviews, history.versions(db, access), people, organisations
    )


@dataclass(frozen=True)
class ItemHead:
    """One item as the plan's outline counts it: where it is, what it is, how many comments; no words."""

    id: int
    section: Section
    kind: ItemKind
    comments: int


@dataclass(frozen=True)
class SectionSummary:
    section: Section
    title: str
    items: int
    comments: int
    writable: bool


@dataclass(frozen=True)
class PlanOutline:
    """The plan page: who and where the plan is, and each section counted, not read."""

    access: PlanAccess
    child: Child
    members: list[Membership]
    groups: list[tuple[str, list[SectionSummary]]]
    heads: list[ItemHead]
    reviews: list[PlanReview]
    versions: list[PlanVersion]
    people: dict[int, Person]
    organisations: dict[int, Organisation]

    @property
    def sections(self) -> list[SectionSummary]:
        return [section for _title, sections in self.groups for section in sections]

    @property
    def may_comment(self) -> bool:
        return may_comment(self.access)


_SECTIONS = {section.value: section for section in Section}
_KINDS = {kind.value: kind for kind in ItemKind}


def item_heads(db: Session, access: PlanAccess) -> list[ItemHead]:
    """Every item this person may read, counted with its comments: three queries, no words read."""
    comments = (
        select(col(ItemComment.item_id).label("item_id"), func.count().label("comments"))
        .where(col(ItemComment.plan_id) == access.plan.id)
        .group_by(col(ItemComment.item_id))
        .subquery()
    )
    # Section and kind as their text, turned into the enums by a lookup rather than a call per item.
    rows: Any = db.exec(
        select(
            Item.id,
            type_coerce(Item.section, String),
            type_coerce(Item.kind, String),
            func.coalesce(comments.c.comments, 0),
        )
        .outerjoin(comments, comments.c.item_id == col(Item.id))
        .where(col(Item.plan_id) == access.plan.id)
        .order_by(col(Item.id))
    )
    hidden = visibility.hidden_views(db, access)
    return [
        ItemHead(item_id, _SECTIONS[section], _KINDS[kind], count)
        for item_id, section, kind, count in rows.all()
        if item_id not in hidden
    ]


Entry = TypeVar("Entry")


def _groups(
    access: PlanAccess, build: Callable[[Section, str, bool], Entry]
) -> list[tuple[str, list[Entry]]]:
    """The plan's sections in the order its kind reads them, each built by `build`."""
    titles = SECTION_TITLES[access.plan.kind]
    return [
        (
            heading,
            [
                build(section, titles[section], may_write_in(access, section))
                for section in sections
                if section in titles
            ],
        )
        for heading, sections in STAGE_GROUPS[access.plan.kind]
    ]


def load_outline(db: Session, access: PlanAccess) -> PlanOutline:
    """Work out the plan's outline for this person (the caller records the read: `record_plan_read`)."""
    plan = access.plan
    child = db.get(Child, plan.child_id)
    if child is None:
        raise LookupError(f"plan {plan.id} has no child")
    heads = item_heads(db, access)
    counted: dict[Section, list[int]] = defaultdict(lambda: [0, 0])
    for head in heads:
        counted[head.section][0] += 1
        counted[head.section][1] += head.comments
    groups = _groups(
        access,
        lambda section, title, writable: SectionSummary(
            section, title, counted[section][0], counted[section][1], writable
        ),
    )
    on_plan = members(db, access)
    reviews = history.reviews(db, access)
    people = people_by_id(db, {review.recorded_by_id for review in reviews})
    people.update({membership.person.id: membership.person for membership in on_plan if membership.person.id})
    organisations = organisations_by_id(
        db,
        {plan.local_authority_id, plan.setting_id}
        | {membership.person.organisation_id for membership in on_plan},
    )
    return PlanOutline(
        access, child, on_plan, groups, heads, reviews, history.versions(db, access), people, organisations
    )


@dataclass(frozen=True)
class SectionPage:
    """One section of the plan with every item in it (words, comments, authors)."""

    access: PlanAccess
    content: SectionContent
    people: dict[int, Person]
    organisations: dict[int, Organisation]

    def may_revise(self, plan_item: PlanItem) -> bool:
        return may_revise(self.access, plan_item.item)

    @property
    def may_comment(self) -> bool:
        return may_comment(self.access)


def load_section(db: Session, actor: Actor, access: PlanAccess, section: Section) -> SectionPage:
    """Read one section for this person (audited as a read of that section's items)."""
    found = plan_items(db, access, section=section)
    people = people_by_id(
        db,
        {entry.item.author_id for entry in found}
        | {entry.item.voice_id for entry in found}
        | {entry.revision.author_id for entry in found}
        | {comment.author_id for entry in found for comment in entry.comments},
    )
    organisations = organisations_by_id(db, {entry.revision.delivered_by_organisation_id for entry in found})
    audit.record(
        db,
        actor,
        "plan.items_read",
        object_type="plan",
        object_id=access.plan.id,
        details={"section": section.value, "kind": None, "items": len(found)},
    )
    title = SECTION_TITLES[access.plan.kind][section]
    content = SectionContent(section, title, found, may_write_in(access, section))
    return SectionPage(access, content, people, organisations)


@dataclass(frozen=True)
class ItemList:
    items: list[PlanItem]
    people: dict[int, Person]


def read_items(
    db: Session,
    actor: Actor,
    access: PlanAccess,
    *,
    section: Section | None = None,
    kind: ItemKind | None = None,
) -> ItemList:
    """The plan's current items (of one section or kind), with comments and authors; audited as a read."""
    found = [
        entry for entry in plan_items(db, access, section=section) if kind is None or entry.item.kind is kind
    ]
    people = people_by_id(
        db,
        {entry.item.author_id for entry in found}
        | {entry.item.voice_id for entry in found}
        | {entry.revision.author_id for entry in found}
        | {comment.author_id for entry in found for comment in entry.comments},
    )
    audit.record(
        db,
        actor,
        "plan.items_read",
        object_type="plan",
        object_id=access.plan.id,
        details={
            "section": section.value if section else None,
            "kind": kind.value if kind else None,
            "items": len(found),
        },
    )
    return ItemList(found, people)
