"""Plan quality across a local authority: the share of plans with an unbroken golden thread, and the
vague provision by setting and by agency, now and at the end of each of the last months.

The figures over time are worked out from the plans' history (item revisions and links with their
dates), so they need no snapshot job: a plan's state at a moment is the revision each item had then
and the links standing then. Only the council's own plans count (its case and audit officers see them).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import (
    ENDED_STATUSES,
    Item,
    ItemLink,
    ItemRevision,
    Organisation,
    Person,
    Plan,
    Section,
)
from app.models.base import as_utc, id_of
from app.services import audit
from app.services.quality.report import QualityReport, assess

MONTHS = 6
AGENCY_OF_SECTION = {
    Section.F: "Education",
    Section.G: "Health",
    Section.H1: "Social care",
    Section.H2: "Social care",
}


@dataclass(frozen=True)
class MonthFigures:
    month: date
    """The first day of the month; the figures are as they stood at its end (or now, this month)."""
    plans: int
    unbroken: int
    vague: int

    @property
    def share(self) -> int:
        return round(100 * self.unbroken / self.plans) if self.plans else 0


@dataclass(frozen=True)
class PlanFigures:
    plan: Plan
    report: QualityReport
    setting: str


@dataclass(frozen=True)
class LaQuality:
    local_authority: Organisation | None
    plans: list[PlanFigures]
    vague_by_setting: list[tuple[str, int]]
    vague_by_agency: list[tuple[str, int]]
    months: list[MonthFigures]

    @property
    def unbroken(self) -> int:
        return sum(1 for figures in self.plans if figures.report.thread_unbroken)

    @property
    def share(self) -> int:
        return round(100 * self.unbroken / len(self.plans)) if self.plans else 0

    @property
    def vague(self) -> int:
        return sum(count for _name, count in self.vague_by_agency)


def _month_starts(today: date) -> list[date]:
    starts = [today.replace(day=1)]
    while len(starts) < MONTHS:
        starts.insert(0, (starts[0] - timedelta(days=1)).replace(day=1))
    return starts


def _month_end(start: date, now: datetime) -> datetime:
    following = (start + timedelta(days=32)).replace(day=1)
    return min(now, datetime.combine(following, time.min, tzinfo=UTC))


def la_quality(db: Session, actor: Actor, person: Person) -> LaQuality:
    """The council's figures for one of its officers (audited: figures drawn from plan content)."""
    council = db.get(Organisation, person.organisation_id) if person.organisation_id else None
    plans = (
        list(
            db.exec(
                select(Plan)
                .where(
                    col(Plan.local_authority_id) == council.id,
                    col(Plan.status).not_in([status.value for status in ENDED_STATUSES]),
                )
                .order_by(col(Plan.id))
            )
        )
        if council is not None
        else []
    )
    plan_ids = [id_of(plan) for plan in plans]
    items = list(db.exec(select(Item).where(col(Item.plan_id).in_(plan_ids)))) if plan_ids else []
    item_ids = [id_of(item) for item in items]
    revisions = (
        list(
            db.exec(
                select(ItemRevision)
                .where(col(ItemRevision.item_id).in_(item_ids))
                .order_by(col(ItemRevision.number))
            )
        )
        if item_ids
        else []
    )
    links = list(db.exec(select(ItemLink).where(col(ItemLink.plan_id).in_(plan_ids)))) if plan_ids else []
    organisation_ids = {plan.setting_id for plan in plans} | {
        r.delivered_by_organisation_id for r in revisions
    }
    wanted = [found for found in organisation_ids if found is not None]
    names = (
        {id_of(o): o.name for o in db.exec(select(Organisation).where(col(Organisation.id).in_(wanted)))}
        if wanted
        else {}
    )

    by_plan: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        by_plan[item.plan_id].append(item)
    history: dict[int, list[ItemRevision]] = defaultdict(list)
    for revision in revisions:
        history[revision.item_id].append(revision)
    links_of: dict[int, list[ItemLink]] = defaultdict(list)
    for link in links:
        links_of[link.plan_id].append(link)

    def report_at(plan: Plan, moment: datetime | None) -> QualityReport:
        entries: list[tuple[Item, ItemRevision]] = []
        for item in by_plan[id_of(plan)]:
            if moment is None:
                current = next((r for r in history[id_of(item)] if r.id == item.current_revision_id), None)
            else:
                current = next(
                    (r for r in reversed(history[id_of(item)]) if as_utc(r.created_at) <= moment), None
                )
            if current is not None:
                entries.append((item, current))
        standing = [
            link
            for link in links_of[id_of(plan)]
            if (moment is None and link.removed_at is None)
            or (
                moment is not None
                and as_utc(link.created_at) <= moment
                and (link.removed_at is None or as_utc(link.removed_at) > moment)
            )
        ]
        return assess(id_of(plan), entries, standing)

    figures = [
        PlanFigures(plan, report_at(plan, None), names.get(plan.setting_id or 0, "No setting named"))
        for plan in plans
    ]
    by_setting: Counter[str] = Counter()
    by_agency: Counter[str] = Counter()
    sections = {id_of(item): item.section for item in items}
    delivered = {r.id: r.delivered_by_organisation_id for r in revisions}
    current_revision = {id_of(item): item.current_revision_id for item in items}
    for entry in figures:
        for provision in entry.report.unspecific:
            by_setting[entry.setting] += 1
            organisation = delivered.get(current_revision[provision.item_id])
            agency = AGENCY_OF_SECTION.get(sections[provision.item_id], "Other")
            by_agency[
                names[organisation] if organisation in names else f"{agency} (no organisation named)"
            ] += 1

    now = datetime.now(UTC)
    months: list[MonthFigures] = []
    for start in _month_starts(now.date()):
        moment = _month_end(start, now)
        then = [plan for plan in plans if as_utc(plan.created_at) <= moment]
        reports = [report_at(plan, moment) for plan in then]
        months.append(
            MonthFigures(
                start,
                len(then),
                sum(1 for report in reports if report.thread_unbroken),
                sum(len(report.unspecific) for report in reports),
            )
        )
    audit.record(
        db,
        actor,
        "la.quality_read",
        object_type="organisation",
        object_id=council.id if council else None,
        details={"plans": len(plans)},
    )
    return LaQuality(
        council,
        figures,
        sorted(by_setting.items(), key=lambda pair: (-pair[1], pair[0])),
        sorted(by_agency.items(), key=lambda pair: (-pair[1], pair[0])),
        months,
    )
