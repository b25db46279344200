"""What is new to a person since they last looked at a plan, and marking that they have looked.

Each person has their own mark per plan (`PlanSeen`): one person's look marks nothing for anyone
else. The mark moves only when the person opens a plan that changed since they last looked (its
content stamp differs), so the outline kept for them (`app.page_cache`) stays good until the plan
changes. What others did after the mark is new: comments, items added or reworded, views, delivery
recorded, and steps done. What the person did themselves is not news to them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.clock import UK_TIME
from app.config import Settings
from app.db import write_after_reading
from app.models import (
    FAMILY_MEMBER_ROLES,
    Child,
    DeliveryRecord,
    Item,
    ItemComment,
    ItemKind,
    ItemRevision,
    Person,
    Plan,
    PlanMember,
    ViewAudience,
    ViewDetail,
)
from app.models.base import id_of, utc_now
from app.models.seen import PlanSeen
from app.permissions import PlanAccess
from app.services.delivery.overview import ProvisionDelivery, deliveries
from app.services.timelines.reading import Timeline


@dataclass(frozen=True)
class News:
    """What others did on one plan since this person last looked."""

    since: datetime
    comments: int = 0
    added: int = 0
    reworded: int = 0
    views: int = 0
    delivery: int = 0
    steps: int = 0

    @property
    def lines(self) -> list[str]:
        """Each kind of news as a short sentence, in plain words."""

        def counted(number: int, one: str, many: str) -> str:
            return f"{number} {one if number == 1 else many}"

        found = [
            (self.views, counted(self.views, "new view", "new views") + " from the child or family"),
            (self.comments, counted(self.comments, "new comment", "new comments")),
            (self.added, counted(self.added, "part", "parts") + " added to the plan"),
            (self.reworded, counted(self.reworded, "part", "parts") + " of the plan reworded"),
            (self.delivery, counted(self.delivery, "record", "records") + " of help delivered"),
            (self.steps, counted(self.steps, "step", "steps") + " on the timeline done"),
        ]
        return [line for number, line in found if number]


def _utc(moment: datetime) -> datetime:
    """A stored moment as UTC (SQLite gives it back without its zone)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def last_seen(db: Session, person_id: int, plan_ids: Iterable[int]) -> dict[int, PlanSeen]:
    """The person's marks on these plans (one query)."""
    ids = list(plan_ids)
    if not ids:
        return {}
    rows = db.exec(select(PlanSeen).where(PlanSeen.person_id == person_id, col(PlanSeen.plan_id).in_(ids)))
    return {row.plan_id: row for row in rows}


def mark_seen(db: Session, access: PlanAccess, mark: PlanSeen | None) -> None:
    """Note that the person has read the plan as it now stands, unless they had already (the read's
    own audit event records the look; the mark is how far they read, written after the read)."""
    plan = access.plan
    if mark is not None and mark.stamp == plan.content_stamp:
        return
    person_id, plan_id, stamp, now = int(access.person.id or 0), id_of(plan), plan.content_stamp, utc_now()

    def write(writer: Session) -> None:
        # One statement, so that two first looks at once (two tabs) cannot both insert the mark.
        dialect = postgresql if writer.get_bind().dialect.name == "postgresql" else sqlite
        row = {"person_id": person_id, "plan_id": plan_id, "seen_at": now, "stamp": stamp}
        upsert = dialect.insert(PlanSeen).values(**row)
        writer.execute(
            upsert.on_conflict_do_update(
                index_elements=["person_id", "plan_id"], set_={"seen_at": now, "stamp": stamp}
            )
        )

    write_after_reading(db, write)


def chosen_views(db: Session, plan_ids: list[int]) -> set[int]:
    """Views shown only to readers the young person chose: left out of counts that do not check each."""
    if not plan_ids:
        return set()
    rows = db.exec(
        select(ViewDetail.item_id).where(
            col(ViewDetail.plan_id).in_(plan_ids), col(ViewDetail.audience) == ViewAudience.CHOSEN.value
        )
    )
    return {int(item_id) for item_id in rows}


def news(
    db: Session,
    person_id: int,
    since: dict[int, datetime],
    hidden: set[int],
    visible: set[int] | None = None,
) -> dict[int, News]:
    """What others did on each plan after the moment given for it (three queries, any number of plans).

    Nothing is counted about items this person may not read: those in `hidden`, or outside `visible`.
    """
    if not since:
        return {}
    ids = list(since)
    start = min(_utc(moment) for moment in since.values())
    counts: dict[int, dict[str, int]] = {plan_id: {} for plan_id in ids}

    def unread(item_id: int) -> bool:
        return item_id in hidden or (visible is not None and item_id not in visible)

    def add(plan_id: int, kind: str, at: datetime) -> None:
        if _utc(at) > _utc(since[plan_id]):
            counts[plan_id][kind] = counts[plan_id].get(kind, 0) + 1

    for plan_id, item_id, at in db.exec(
        select(ItemComment.plan_id, ItemComment.item_id, ItemComment.created_at).where(
            col(ItemComment.plan_id).in_(ids),
            col(ItemComment.created_at) > start,
            col(ItemComment.author_id) != person_id,
        )
    ):
        if not unread(item_id):
            add(plan_id, "comments", at)
    for plan_id, item_id, kind, number, at in db.execute(
        sa_select(
            col(Item.plan_id),
            col(Item.id),
            col(Item.kind),
            col(ItemRevision.number),
            col(ItemRevision.created_at),
        )
        .join(Item, col(Item.id) == col(ItemRevision.item_id))
        .where(
            col(Item.plan_id).in_(ids),
            col(ItemRevision.created_at) > start,
            col(ItemRevision.author_id) != person_id,
        )
    ):
        if unread(item_id):
            continue
        if kind is ItemKind.VIEW or kind == ItemKind.VIEW.value:
            add(plan_id, "views" if number == 1 else "reworded", at)
        else:
            add(plan_id, "added" if number == 1 else "reworded", at)
    for plan_id, at in db.exec(
        select(DeliveryRecord.plan_id, DeliveryRecord.recorded_at).where(
            col(DeliveryRecord.plan_id).in_(ids),
            col(DeliveryRecord.recorded_at) > start,
            col(DeliveryRecord.recorded_by_id) != person_id,
        )
    ):
        add(plan_id, "delivery", at)
    return {plan_id: News(_utc(since[plan_id]), **counts[plan_id]) for plan_id in ids}


def steps_done_since(timeline: Timeline | None, person_id: int | None, since: datetime) -> int:
    """Steps and advice others marked done on or after the UK day of the last look (from the page's
    timeline: a step's done date has no time of day)."""
    if timeline is None:
        return 0
    day = _utc(since).astimezone(UK_TIME).date()
    return sum(
        1
        for entry in timeline.entries
        if entry.done_on is not None and entry.done_on >= day and entry.done_by_id != person_id
    )


def plan_news(
    db: Session, access: PlanAccess, mark: PlanSeen | None, visible: set[int], timeline: Timeline | None
) -> News | None:
    """What is new on this plan to its reader since they last looked (None: they never have)."""
    if mark is None:
        return None
    plan_id = int(access.plan.id or 0)
    found = news(db, int(access.person.id or 0), {plan_id: mark.seen_at}, set(), visible)[plan_id]
    steps = steps_done_since(timeline, access.person.id, mark.seen_at)
    return News(**{**found.__dict__, "steps": steps})


@dataclass(frozen=True)
class PlanNews:
    """One of the person's plans on their dashboard: what others did since they looked, and for the
    family, the help that fell short."""

    plan: Plan
    child: Child
    news: News | None
    shortfalls: list[ProvisionDelivery]


def dashboard_news(db: Session, settings: Settings, person: Person) -> list[PlanNews]:
    """The plans the person is on, each with what is new to them (a fixed number of queries)."""
    rows = db.exec(
        select(Plan, Child, PlanMember.role)
        .join(PlanMember, col(PlanMember.plan_id) == col(Plan.id))
        .join(Child, col(Child.id) == col(Plan.child_id))
        .where(PlanMember.person_id == person.id, col(PlanMember.removed_at).is_(None))
        .order_by(col(Child.full_name), col(Plan.id))
    ).all()
    plan_ids = [id_of(plan) for plan, _child, _role in rows]
    marks = last_seen(db, int(person.id or 0), plan_ids)
    found = news(
        db,
        int(person.id or 0),
        {plan_id: mark.seen_at for plan_id, mark in marks.items()},
        chosen_views(db, list(marks)),
    )
    family = [id_of(plan) for plan, _child, role in rows if role in FAMILY_MEMBER_ROLES]
    short: dict[int, list[ProvisionDelivery]] = {}
    if family:
        for provision in deliveries(db, settings, family, logged_only=True):
            if provision.flagged_weeks or provision.half_term.flagged:
                short.setdefault(provision.item.plan_id, []).append(provision)
    return [
        PlanNews(plan, child, found.get(id_of(plan)), short.get(id_of(plan), []))
        for plan, child, _role in rows
    ]
