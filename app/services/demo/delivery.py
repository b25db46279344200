"""The demo's delivery story: Sam's 1:1 support with a week that fell short, Ella's reduced timetable
past its review date. Written through the services (so audited and mailed like anything else); once.
"""

from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today as today
from app.config import get_settings
from app.models import (
    Child,
    DeliveryRecord,
    DeliveryStatus,
    Item,
    ItemRevision,
    Organisation,
    Person,
    Plan,
    ReducedTimetable,
)
from app.models.base import id_of
from app.services.delivery import arithmetic, log, timetables
from app.services.delivery.common import calendar_for
from app.services.plans import items
from app.services.plans.access import plan_access

ONE_TO_ONE = (
    "1:1 support from a teaching assistant in literacy and numeracy lessons, one session every morning, "
    "to help Sam start work and follow instructions."
)


def _plan_of(db: Session, child: Person) -> Plan | None:
    return db.exec(select(Plan).join(Child).where(col(Child.person_id) == child.id)).first()


def full_week_before(calendar: arithmetic.SchoolCalendar, day: date, weeks_back: int) -> date:
    """The Monday of the `weeks_back`-th full school week before the week of `day` (or simply that week)."""
    monday = arithmetic.monday_of(day)
    found = 0
    for back in range(1, 30):
        candidate = monday - timedelta(weeks=back)
        if all(calendar.is_school_day(weekday) for weekday in arithmetic.week_days(candidate)):
            found += 1
            if found == weeks_back:
                return candidate
    return monday - timedelta(weeks=weeks_back)


def create_demo_delivery(
    db: Session, people: dict[str, Person], organisations: dict[str, Organisation]
) -> None:
    settings = get_settings()
    sam_plan = _plan_of(db, people["Sam Taylor"])
    item = _one_to_one(db, sam_plan) if sam_plan is not None else None
    if sam_plan is not None and item is not None and not _has_records(db, item):
        tom = people["Tom Baker"]
        revision = items.current_revision(db, item)
        monday = full_week_before(calendar_for(settings), today(), 2)
        days = arithmetic.week_days(monday)
        missed = {
            days[1]: "Teaching assistant covering another class",
            days[3]: "Teaching assistant off sick; no cover",
        }
        tom_access = plan_access(db, Actor.command(tom), id_of(sam_plan))
        log.record_week(
            db,
            settings,
            Actor.command(tom),
            tom_access,
            item,
            revision,
            monday,
            [
                log.DayEntry(
                    day,
                    DeliveryStatus.MISSED if day in missed else DeliveryStatus.DELIVERED,
                    None,
                    missed.get(day),
                )
                for day in days
            ],
        )
    ella_plan = _plan_of(db, people["Ella Morris"])
    if ella_plan is not None and not _has_timetable(db, ella_plan):
        chris = people["Chris Wood"]
        timetables.add_timetable(
            db,
            Actor.command(chris),
            plan_access(db, Actor.command(chris), id_of(ella_plan)),
            timetables.NewTimetable(
                starts_on=today() - timedelta(weeks=16),
                planned_end_on=today() + timedelta(weeks=4),
                hours_a_week=15,
                reason="Ella's anxiety in crowded corridors led to her missing most lessons; mornings only "
                "while the mentoring starts.",
                return_plan="Add one afternoon a fortnight, starting with art; full time by the planned end.",
                review_on=today() - timedelta(weeks=2),
            ),
        )


def _one_to_one(db: Session, plan: Plan) -> Item | None:
    """Sam's 1:1 support (written with the rest of his plan, in app.services.demo.plans)."""
    return db.exec(
        select(Item)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.plan_id) == plan.id, col(ItemRevision.text) == ONE_TO_ONE)
    ).first()


def _has_records(db: Session, item: Item) -> bool:
    return db.exec(select(DeliveryRecord).where(col(DeliveryRecord.item_id) == item.id)).first() is not None


def _has_timetable(db: Session, plan: Plan) -> bool:
    return (
        db.exec(select(ReducedTimetable).where(col(ReducedTimetable.plan_id) == plan.id)).first() is not None
    )
