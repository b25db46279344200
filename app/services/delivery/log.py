"""The delivery log: what each quantified provision delivered, day by day, against what was planned.

A week is saved at once from a grid; only days whose record changes are written (a correction is a
newer record, never an overwrite). When a week first falls short by more than the threshold, the
coordinator and the family are told by mail; the LA sees it on its delivery page.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today as today
from app.config import Settings
from app.models import (
    DeliveryRecord,
    DeliveryStatus,
    Item,
    ItemRevision,
    Person,
    ProvisionFrequency,
    ProvisionUnit,
    ShortfallFlag,
)
from app.models.base import id_of
from app.permissions import PlanAccess
from app.services import audit
from app.services.delivery import arithmetic
from app.services.delivery.arithmetic import DayRecord, Tally
from app.services.delivery.common import (
    calendar_for,
    family_and_coordinator,
    is_quantified,
    may_log_delivery,
    tell,
)
from app.services.plans.access import refuse
from app.services.plans.items import ContentProblem
from app.services.plans.plans import people_by_id

MAX_REASON = 500


@dataclass(frozen=True)
class DayEntry:
    """One day of the grid as sent: delivered (with an amount, or the planned share) or missed (why)."""

    day: date
    status: DeliveryStatus | None
    amount: float | None = None
    reason: str | None = None


@dataclass
class DayCell:
    day: date
    school_day: bool
    future: bool
    record: DeliveryRecord | None
    history: list[DeliveryRecord] = field(default_factory=list)
    """Earlier records of the day, newest first (what was corrected)."""


@dataclass(frozen=True)
class WeekGrid:
    item: Item
    revision: ItemRevision
    monday: date
    cells: list[DayCell]
    week: Tally
    half_term: Tally
    per_day: float | None
    may_log: bool
    people: dict[int, Person]

    @property
    def previous_week(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next_week(self) -> date | None:
        following = self.monday + timedelta(days=7)
        return following if following <= today() else None


def _frequency(revision: ItemRevision) -> ProvisionFrequency:
    if revision.frequency is None:
        raise ValueError("not quantified")
    return revision.frequency


def records_of(db: Session, item_ids: list[int], *, since: date | None = None) -> list[DeliveryRecord]:
    """Every record of these items (oldest first); corrections included."""
    if not item_ids:
        return []
    query = select(DeliveryRecord).where(col(DeliveryRecord.item_id).in_(item_ids))
    if since is not None:
        query = query.where(col(DeliveryRecord.delivered_on) >= since)
    return list(db.exec(query.order_by(col(DeliveryRecord.id))))


def day_records(records: list[DeliveryRecord]) -> list[DayRecord]:
    return arithmetic.latest_by_day(
        (id_of(r), r.delivered_on, r.status is DeliveryStatus.DELIVERED, r.amount) for r in records
    )


def active_of(revision: ItemRevision) -> arithmetic.Active:
    """When the provision runs: planned delivery starts at its own start and stops at its end."""
    return arithmetic.Active(revision.starts_on, revision.ends_on)


def week_tally(settings: Settings, revision: ItemRevision, records: list[DayRecord], monday: date) -> Tally:
    return arithmetic.week_tally(
        records,
        amount=revision.amount or 0,
        frequency=_frequency(revision),
        calendar=calendar_for(settings),
        monday=monday,
        threshold=settings.shortfall_threshold,
        active=active_of(revision),
        unit=revision.unit,
        today=today(),
    )


def half_term_tally(settings: Settings, revision: ItemRevision, records: list[DayRecord], day: date) -> Tally:
    return arithmetic.half_term_tally(
        records,
        amount=revision.amount or 0,
        frequency=_frequency(revision),
        calendar=calendar_for(settings),
        day=day,
        threshold=settings.shortfall_threshold,
        until=today(),
        active=active_of(revision),
        unit=revision.unit,
    )


def _check_quantified(access: PlanAccess, item: Item, revision: ItemRevision) -> None:
    if not is_quantified(revision):
        raise ContentProblem(
            {"item": "This provision does not say how much and how often: its delivery cannot be counted"}
        )


def week_grid(
    db: Session,
    settings: Settings,
    actor: Actor,
    access: PlanAccess,
    item: Item,
    revision: ItemRevision,
    day: date,
    *,
    answering_a_write: bool = False,
) -> WeekGrid:
    """The week holding `day` for one provision (audited as a read of plan content).

    `answering_a_write`: the week shown back to whoever just recorded it is part of that write's
    one event, not a read of its own.
    """
    _check_quantified(access, item, revision)
    monday = arithmetic.monday_of(min(day, today()))
    calendar = calendar_for(settings)
    term = calendar.half_term_around(monday)
    found = records_of(db, [id_of(item)], since=min(term.starts_on, monday))
    by_day: dict[date, list[DeliveryRecord]] = {}
    for record in found:
        by_day.setdefault(record.delivered_on, []).append(record)
    cells = []
    for weekday in arithmetic.week_days(monday):
        history = list(reversed(by_day.get(weekday, [])))
        cells.append(
            DayCell(
                weekday,
                calendar.is_school_day(weekday),
                weekday > today(),
                history[0] if history else None,
                history[1:],
            )
        )
    latest = day_records(found)
    if not answering_a_write:
        audit.record(
            db,
            actor,
            "delivery.read",
            object_type="item",
            object_id=item.id,
            details={"plan_id": access.plan.id, "week_of": monday.isoformat()},
        )
    return WeekGrid(
        item,
        revision,
        monday,
        cells,
        week_tally(settings, revision, latest, monday),
        half_term_tally(settings, revision, latest, monday),
        arithmetic.per_day(revision.amount or 0, _frequency(revision), revision.unit),
        may_log_delivery(access),
        people_by_id(db, {record.recorded_by_id for record in found}),
    )


def record_week(
    db: Session,
    settings: Settings,
    actor: Actor,
    access: PlanAccess,
    item: Item,
    revision: ItemRevision,
    monday: date,
    entries: list[DayEntry],
) -> list[DeliveryRecord]:
    """Save the days that changed; one audit event; mail the coordinator and family on a new shortfall."""
    if not may_log_delivery(access):
        refuse(
            access,
            "Only the professionals on this plan record what was delivered.",
            action="delivery.refused",
            object_type="item",
            object_id=item.id,
        )
    _check_quantified(access, item, revision)
    monday = arithmetic.monday_of(monday)
    calendar = calendar_for(settings)
    per_day = arithmetic.per_day(revision.amount or 0, _frequency(revision), revision.unit)
    errors: dict[str, str] = {}
    week = set(arithmetic.week_days(monday))
    wanted: list[tuple[DayEntry, float, str | None]] = []
    for entry in entries:
        key = entry.day.isoformat()
        if entry.status is None:
            continue
        if entry.day not in week:
            errors[f"status-{key}"] = f"{entry.day:%-d %B %Y} is not in the week of {monday:%-d %B %Y}"
            continue
        if entry.day > today():
            errors[f"status-{key}"] = f"{entry.day:%A %-d %B} has not happened yet"
            continue
        if not calendar.is_school_day(entry.day):
            errors[f"status-{key}"] = f"{entry.day:%A %-d %B} is not a school day"
            continue
        reason = (entry.reason or "").strip() or None
        if entry.status is DeliveryStatus.MISSED:
            if reason is None:
                errors[f"reason-{key}"] = f"Enter why it was missed on {entry.day:%A}"
                continue
            if len(reason) > MAX_REASON:
                errors[f"reason-{key}"] = f"The reason must be {MAX_REASON} characters or fewer"
                continue
            wanted.append((entry, 0.0, reason))
            continue
        amount = entry.amount if entry.amount is not None else per_day
        if amount is None:
            errors[f"amount-{key}"] = f"Enter how much was delivered on {entry.day:%A}"
            continue
        if not 0 < amount <= 10000:
            errors[f"amount-{key}"] = "Enter an amount more than 0"
            continue
        if revision.unit is ProvisionUnit.SESSIONS and amount != int(amount):
            errors[f"amount-{key}"] = (
                f"Enter the sessions delivered on {entry.day:%A} as a whole number, like 1"
            )
            continue
        wanted.append((entry, float(amount), None))
    if errors:
        raise ContentProblem(errors)
    current = {record.delivered_on: record for record in records_of(db, [id_of(item)], since=monday)}
    written = []
    for entry, amount, reason in wanted:
        before = current.get(entry.day)
        status = entry.status or DeliveryStatus.DELIVERED
        if before is not None and (before.status, before.amount, before.reason) == (status, amount, reason):
            continue
        record = DeliveryRecord(
            plan_id=id_of(access.plan),
            item_id=id_of(item),
            delivered_on=entry.day,
            status=status,
            amount=amount,
            reason=reason,
            recorded_by_id=id_of(access.person),
        )
        db.add(record)
        written.append(record)
    if not written:
        return []
    db.flush()
    latest = day_records(records_of(db, [id_of(item)], since=monday))
    tally = week_tally(settings, revision, latest, monday)
    newly_flagged = tally.flagged and _flag_once(db, access, item, monday, tally)
    audit.record(
        db,
        actor,
        "delivery.recorded",
        object_type="item",
        object_id=item.id,
        details={
            "plan_id": access.plan.id,
            "week_of": monday.isoformat(),
            "days": [record.delivered_on.isoformat() for record in written],
            "missed": sum(1 for record in written if record.status is DeliveryStatus.MISSED),
            "shortfall_flagged": newly_flagged,
        },
    )
    if newly_flagged:
        plan = access.plan
        tell(
            db,
            settings,
            family_and_coordinator(db, access),
            f"Provision in plan {plan.reference} was not all delivered",
            f"Less was delivered than planned of a provision in section {item.section} of plan "
            f"{plan.reference} in the week of {monday:%-d %B %Y}: "
            f"{arithmetic.in_units(tally.delivered, revision.unit)} delivered of "
            f"{arithmetic.in_units(tally.planned, revision.unit)} planned.\n\nSee the delivery log: "
            f"{settings.public_url}/plans/{plan.id}/delivery/{item.id}?week={monday.isoformat()}\n",
        )
    return written


def _flag_once(db: Session, access: PlanAccess, item: Item, monday: date, tally: Tally) -> bool:
    """Note the week's shortfall; False when it was already noted (people are told once a week)."""
    flagged = db.exec(
        select(ShortfallFlag).where(
            col(ShortfallFlag.item_id) == item.id, col(ShortfallFlag.week_of) == monday
        )
    ).first()
    if flagged is not None:
        return False
    db.add(
        ShortfallFlag(
            plan_id=id_of(access.plan),
            item_id=id_of(item),
            week_of=monday,
            planned=tally.planned or 0,
            delivered=tally.delivered,
        )
    )
    db.flush()
    return True
