"""What the plan page, the plan's delivery page and the LA's delivery page show: a fixed number of queries.

Shortfalls are counted over the last weeks that were logged (RECENT_WEEKS); a week is flagged when
what was delivered falls short of the plan by more than the threshold.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today as today
from app.config import Settings
from app.models import (
    DeliveryRecord,
    Item,
    ItemKind,
    ItemRevision,
    Organisation,
    Person,
    PersonRole,
    Plan,
    ProvisionChange,
    Section,
    SettingMove,
)
from app.models.base import id_of
from app.permissions import PlanAccess, may_coordinate, may_move_setting
from app.services import audit
from app.services.delivery import arithmetic, changes, log, moves, needs_map, timetables
from app.services.delivery.arithmetic import Tally
from app.services.delivery.common import (
    calendar_for,
    is_quantified,
    may_log_delivery,
    may_manage_timetable,
)
from app.services.delivery.timetables import TimetableState
from app.services.plans.plans import organisations_by_id

RECENT_WEEKS = 6
PROVISION_KINDS = {
    Section.F: "Education",
    Section.G: "Health",
    Section.H1: "Social care",
    Section.H2: "Social care",
}
"""The kind of provision, by its section."""


@dataclass(frozen=True)
class ProvisionDelivery:
    item: Item
    revision: ItemRevision
    half_term: Tally
    flagged_weeks: list[Tally]
    """Weeks of the last RECENT_WEEKS that fell short, newest first."""
    ended: ProvisionChange | None

    @property
    def kind(self) -> str:
        return PROVISION_KINDS.get(self.item.section, "Other")

    @property
    def falls_short(self) -> bool:
        """Less delivered than planned: in a recent week, or over the half term so far."""
        return bool(self.flagged_weeks) or self.half_term.flagged


def _quantified(
    db: Session, plan_ids: list[int], *, logged_since: date | None = None
) -> list[tuple[Item, ItemRevision]]:
    if not plan_ids:
        return []
    query = (
        select(Item, ItemRevision)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.plan_id).in_(plan_ids), col(Item.kind) == ItemKind.PROVISION.value)
        .order_by(col(Item.id))
    )
    if logged_since is not None:
        logged = select(DeliveryRecord.item_id).where(
            col(DeliveryRecord.plan_id).in_(plan_ids), col(DeliveryRecord.delivered_on) >= logged_since
        )
        query = query.where(col(Item.id).in_(logged))
    rows = db.exec(query)
    return [(item, revision) for item, revision in rows if is_quantified(revision)]


def deliveries(
    db: Session, settings: Settings, plan_ids: list[int], on: date | None = None, *, logged_only: bool = False
) -> list[ProvisionDelivery]:
    """Every quantified provision of these plans, with its half-term and its recent short weeks: 3 queries.

    `logged_only` leaves out provision with nothing logged in those weeks: it cannot fall short (an
    unlogged week is not news), and a plan's page need not count the rest.
    """
    day = on or today()
    first_monday = arithmetic.monday_of(day) - timedelta(weeks=RECENT_WEEKS - 1)
    calendar = calendar_for(settings)
    since = min(first_monday, calendar.half_term_around(day).starts_on)
    provisions = _quantified(db, plan_ids, logged_since=since if logged_only else None)
    records = log.records_of(db, [id_of(item) for item, _revision in provisions], since=since)
    by_item: defaultdict[int, list[DeliveryRecord]] = defaultdict(list)
    for record in records:
        by_item[record.item_id].append(record)
    endings: dict[int, ProvisionChange] = {}
    if provisions:
        for change in db.exec(
            select(ProvisionChange).where(
                col(ProvisionChange.plan_id).in_(plan_ids), col(ProvisionChange.kind) == "ended"
            )
        ):
            endings[change.item_id] = change
    found = []
    for item, revision in provisions:
        latest = log.day_records(by_item[id_of(item)])
        weeks = [
            log.week_tally(settings, revision, latest, first_monday + timedelta(weeks=offset))
            for offset in range(RECENT_WEEKS)
        ]
        found.append(
            ProvisionDelivery(
                item,
                revision,
                log.half_term_tally(settings, revision, latest, day),
                [week for week in reversed(weeks) if week.flagged],
                endings.get(id_of(item)),
            )
        )
    return found


@dataclass(frozen=True)
class PlanPanel:
    """The plan page's part: delivery, reduced timetables, changes since the last review, the needs map."""

    provisions: list[ProvisionDelivery]
    """The provision logged lately: what may have fallen short (the delivery page has every one)."""
    timetables: list[TimetableState]
    changes: changes.ChangesSince
    moves: list[SettingMove]
    may_log: bool
    may_manage_timetable: bool
    may_move: bool
    may_map: bool
    may_coordinate: bool
    schools: dict[int, Organisation]

    @property
    def waiting(self) -> SettingMove | None:
        """The move dated ahead, if any: the plan says where the child is moving, and when."""
        return next((move for move in self.moves if move.is_pending), None)

    @property
    def shortfalls(self) -> list[ProvisionDelivery]:
        return [p for p in self.provisions if p.falls_short]

    @property
    def escalated(self) -> list[TimetableState]:
        return [state for state in self.timetables if state.escalations]


def plan_panel(db: Session, settings: Settings, access: PlanAccess, people: dict[int, Person]) -> PlanPanel:
    """Part of the plan page's one read (no audit event of its own); a fixed number of queries.

    What may need attention (shortfalls, escalated timetables, changes since the review) and links;
    every provision's figures are on the delivery page, the needs map on its own page.
    """
    plan_id = id_of(access.plan)
    plan_moves = moves.moves_of(db, plan_id)
    return PlanPanel(
        provisions=deliveries(db, settings, [plan_id], logged_only=True),
        timetables=timetables.plan_timetables(db, [plan_id]),
        changes=changes.changes_since_review(db, access, people=people),
        moves=plan_moves,
        may_log=may_log_delivery(access),
        may_manage_timetable=may_manage_timetable(access),
        may_move=may_move_setting(access),
        may_map=needs_map.may_map(access),
        may_coordinate=may_coordinate(access),
        schools=organisations_by_id(
            db, {move.from_setting_id for move in plan_moves} | {move.to_setting_id for move in plan_moves}
        )
        if plan_moves
        else {},
    )


def read_plan_delivery(
    db: Session, settings: Settings, actor: Actor, access: PlanAccess
) -> list[ProvisionDelivery]:
    found = deliveries(db, settings, [id_of(access.plan)])
    audit.record(
        db,
        actor,
        "delivery.listed",
        object_type="plan",
        object_id=access.plan.id,
        details={"provisions": len(found)},
    )
    return found


# The local authority ------------------------------------------------------------------------------

LENGTH_BANDS = (
    (0, 2, "Under 2 weeks"),
    (2, 6, "2 to 6 weeks"),
    (6, 12, "6 to 12 weeks"),
    (12, 26, "12 weeks to 6 months"),
    (26, 10_000, "6 months or more"),
)


def length_band(weeks: int) -> str:
    return next(label for low, high, label in LENGTH_BANDS if low <= weeks < high)


@dataclass(frozen=True)
class ShortfallRow:
    plan: Plan
    setting: Organisation | None
    delivery: ProvisionDelivery


@dataclass(frozen=True)
class TimetableRow:
    plan: Plan
    setting: Organisation | None
    state: TimetableState


@dataclass(frozen=True)
class LaDelivery:
    authority: Organisation | None
    shortfalls: list[ShortfallRow]
    timetables: list[TimetableRow]
    threshold: float

    @property
    def by_setting(self) -> list[tuple[str, int, int]]:
        """Setting, provisions short, weeks short; most weeks first."""
        return _grouped(self.shortfalls, lambda row: row.setting.name if row.setting else "No setting named")

    @property
    def by_kind(self) -> list[tuple[str, int, int]]:
        return _grouped(self.shortfalls, lambda row: row.delivery.kind)

    @property
    def by_length(self) -> list[tuple[str, int]]:
        current = [row for row in self.timetables if row.state.is_current]
        counts = Counter(length_band(row.state.weeks) for row in current)
        return [(label, counts.get(label, 0)) for _low, _high, label in LENGTH_BANDS]

    @property
    def current_timetables(self) -> list[TimetableRow]:
        return sorted(
            (row for row in self.timetables if row.state.is_current), key=lambda row: -row.state.weeks
        )


def _grouped(rows: list[ShortfallRow], key) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    provisions: Counter[str] = Counter()
    weeks: Counter[str] = Counter()
    for row in rows:
        provisions[key(row)] += 1
        weeks[key(row)] += len(row.delivery.flagged_weeks)
    return sorted(((name, provisions[name], weeks[name]) for name in provisions), key=lambda t: (-t[2], t[0]))


def la_delivery(db: Session, settings: Settings, actor: Actor, person: Person) -> LaDelivery:
    """Shortfalls and reduced timetables across the person's own local authority (audited as one read)."""
    authority_id = (
        person.organisation_id
        if person.role in {PersonRole.LA_CASE_OFFICER, PersonRole.LA_AUDIT_OFFICER}
        else None
    )
    plans = (
        list(db.exec(select(Plan).where(col(Plan.local_authority_id) == authority_id).order_by(col(Plan.id))))
        if authority_id is not None
        else []
    )
    by_id = {id_of(plan): plan for plan in plans}
    settings_by_id = {
        id_of(organisation): organisation
        for organisation in db.exec(
            select(Organisation).where(
                col(Organisation.id).in_({p.setting_id for p in plans if p.setting_id} | {0})
            )
        )
    }
    shortfalls = [
        ShortfallRow(
            by_id[found.item.plan_id], settings_by_id.get(by_id[found.item.plan_id].setting_id or 0), found
        )
        for found in deliveries(db, settings, list(by_id))
        if found.falls_short and found.ended is None
    ]
    timetable_rows = [
        TimetableRow(
            by_id[state.timetable.plan_id],
            settings_by_id.get(by_id[state.timetable.plan_id].setting_id or 0),
            state,
        )
        for state in timetables.plan_timetables(db, list(by_id))
    ]
    audit.record(
        db,
        actor,
        "la.delivery_read",
        object_type="organisation",
        object_id=authority_id,
        details={"plans": len(plans), "shortfalls": len(shortfalls), "timetables": len(timetable_rows)},
    )
    authority = db.get(Organisation, authority_id) if authority_id is not None else None
    return LaDelivery(authority, shortfalls, timetable_rows, settings.shortfall_threshold)
