"""Delivery counted from the structured particulars: planned sessions start at the provision's own
start, stop at its end, and are whole sessions with their unit ("3 sessions", never "2.4")."""

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.actor import Actor
from app.clock import uk_today
from app.config import Settings
from app.models import (
    DeliveryStatus,
    Item,
    MemberRole,
    Person,
    Plan,
    PlanKind,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
)
from app.services.delivery import arithmetic, log
from app.services.delivery.arithmetic import (
    Active,
    DayRecord,
    SchoolCalendar,
    delivered_of_planned,
    half_term_tally,
    in_units,
    week_tally,
)
from app.services.delivery.common import calendar_for
from app.services.plans import items
from tests.page_checks import check_page
from tests.plan_factories import access_for, make_plan
from tests.test_plan_pages import plan_of, text_of

CALENDAR = SchoolCalendar.parse("2026-11-02..2026-12-18,2027-01-05..2027-02-12,2027-02-22..2027-03-26", "")
WEEK, SESSIONS = ProvisionFrequency.WEEK, ProvisionUnit.SESSIONS
MONDAY = date(2027, 1, 18)


def planned_in_week(
    monday: date, active: Active, amount: float = 3, unit: ProvisionUnit | None = SESSIONS
) -> float:
    tally = week_tally(
        [],
        amount=amount,
        frequency=WEEK,
        calendar=CALENDAR,
        monday=monday,
        threshold=0.1,
        active=active,
        unit=unit,
    )
    assert tally.planned is not None
    return tally.planned


def test_a_week_before_the_provision_starts_or_after_it_ends_plans_nothing() -> None:
    runs = Active(date(2027, 1, 25), date(2027, 2, 5))
    assert planned_in_week(MONDAY, runs) == 0
    assert planned_in_week(date(2027, 1, 25), runs) == 3
    assert planned_in_week(date(2027, 2, 8), runs) == 0


def test_the_week_it_starts_plans_whole_sessions_for_the_days_it_runs() -> None:
    # Starting on Wednesday: 3 of 5 days, so 1.8 sessions, which is 2 whole sessions.
    assert planned_in_week(MONDAY, Active(MONDAY + timedelta(days=2))) == 2
    # Ending on Tuesday: 2 of 5 days, 1.2 sessions, so 1.
    assert planned_in_week(MONDAY, Active(None, MONDAY + timedelta(days=1))) == 1
    # Hours are not rounded: 5 hours a week for 3 of 5 days is 3 hours.
    assert planned_in_week(MONDAY, Active(MONDAY + timedelta(days=2)), 5, ProvisionUnit.HOURS) == 3


def test_the_first_part_week_of_a_term_is_whole_sessions_too() -> None:
    # Tuesday 5 January starts the term: 4 school days of 3 sessions a week is 2.4, so 2.
    assert planned_in_week(date(2027, 1, 4), Active()) == 2


def test_a_half_term_to_date_is_counted_in_whole_sessions_from_the_provision_s_start() -> None:
    runs = Active(date(2027, 1, 11))
    tally = half_term_tally(
        [DayRecord(date(2027, 1, 11), True, 1)],
        amount=3,
        frequency=WEEK,
        calendar=CALENDAR,
        day=date(2027, 2, 1),
        threshold=0.1,
        until=date(2027, 2, 1),
        active=runs,
        unit=SESSIONS,
    )
    # 11 January to 1 February: 16 school days, 3 a week is 9.6, so 10 sessions.
    assert (tally.school_days, tally.planned, tally.delivered) == (16, 10, 1)
    assert delivered_of_planned(tally.delivered, tally.planned, SESSIONS) == "1 of 10 sessions"


def test_provision_per_half_term_that_starts_halfway_through_plans_its_share() -> None:
    # 2 sessions a half-term; the half-term has 29 school days, the provision runs for the last 15.
    tally = half_term_tally(
        [],
        amount=2,
        frequency=ProvisionFrequency.HALF_TERM,
        calendar=CALENDAR,
        day=date(2027, 1, 20),
        threshold=0.1,
        until=date(2027, 2, 13),
        active=Active(date(2027, 1, 25)),
        unit=SESSIONS,
    )
    assert (tally.school_days, tally.planned) == (15, 1)


@pytest.mark.parametrize(
    ("amount", "unit", "words"),
    [
        (3, SESSIONS, "3 sessions"),
        (1, SESSIONS, "1 session"),
        (0, SESSIONS, "0 sessions"),
        (13.8, SESSIONS, "14 sessions"),
        (2.5, SESSIONS, "3 sessions"),
        (1.5, ProvisionUnit.HOURS, "1.5 hours"),
        (1, ProvisionUnit.HOURS, "1 hour"),
        (45, ProvisionUnit.MINUTES, "45 minutes"),
        (2.345, ProvisionUnit.HOURS, "2.3 hours"),
        (None, SESSIONS, "not counted"),
    ],
)
def test_amounts_are_said_with_their_unit(amount: float | None, unit: ProvisionUnit, words: str) -> None:
    assert in_units(amount, unit) == words


def test_delivered_against_planned_names_the_unit_once() -> None:
    assert delivered_of_planned(3, 5, SESSIONS) == "3 of 5 sessions"
    assert delivered_of_planned(0, 1, SESSIONS) == "0 of 1 session"
    assert delivered_of_planned(4.6, 25, ProvisionUnit.HOURS) == "4.6 of 25 hours"
    assert delivered_of_planned(2, None, SESSIONS) == "2 sessions"


def test_a_day_of_weekly_sessions_is_one_whole_session() -> None:
    assert arithmetic.per_day(3, WEEK, SESSIONS) == 1
    assert arithmetic.per_day(10, WEEK, SESSIONS) == 2
    assert arithmetic.per_day(5, WEEK, ProvisionUnit.HOURS) == 1
    assert arithmetic.per_day(2, ProvisionFrequency.DAY, SESSIONS) == 2


# Through the services and pages -----------------------------------------------------------------------


def school_days(settings: Settings, first: date, last: date) -> int:
    return len(calendar_for(settings).school_days(first, last))


def sessions_therapy(db: Session, plan: Plan, author: Person, starts_on: date) -> int:
    access = access_for(db, author, plan)
    new = items.NewItem(
        section=Section.F,
        text="Speech and language therapy, one to one",
        amount=3,
        unit=SESSIONS,
        frequency=WEEK,
        session_minutes=30,
        starts_on=starts_on,
        delivered_by="Speech and language therapist",
    )
    item = items.add_item(db, Actor.command(author), access, new)
    assert item.id is not None
    return item.id


def test_a_week_of_sessions_is_refused_in_part_sessions(db_session: Session, settings: Settings) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco = people[MemberRole.EDUCATION]
    monday = arithmetic.monday_of(uk_today()) - timedelta(weeks=1)
    item_id = sessions_therapy(db_session, plan, senco, monday - timedelta(weeks=4))
    item = db_session.get(Item, item_id)
    assert item is not None
    revision = items.current_revision(db_session, item)
    access = access_for(db_session, senco, plan)
    day = next(day for day in arithmetic.week_days(monday) if calendar_for(settings).is_school_day(day))
    entry = log.DayEntry(day, DeliveryStatus.DELIVERED, amount=1.5)
    with pytest.raises(items.ContentProblem) as problem:
        log.record_week(db_session, settings, Actor.command(senco), access, item, revision, monday, [entry])
    assert problem.value.errors == {
        f"amount-{day.isoformat()}": f"Enter the sessions delivered on {day:%A} as a whole number, like 1"
    }


def test_the_week_page_counts_whole_sessions_from_the_provision_s_own_start(
    client: TestClient,
    db_session: Session,
    settings: Settings,
    demo: Callable[[str], Person],
    sign_in_as: Callable[[Person], str],
) -> None:
    sam = plan_of(db_session, "Sam Taylor")
    priya = demo("Priya Shah")
    monday = arithmetic.monday_of(uk_today()) - timedelta(weeks=2)
    wednesday = monday + timedelta(days=2)
    item_id = sessions_therapy(db_session, sam, priya, wednesday)
    db_session.commit()
    sign_in_as(priya)
    page = client.get(f"/plans/{sam.id}/delivery/{item_id}?week={monday.isoformat()}").text
    check_page(page)
    words = text_of(page)
    running = school_days(settings, wednesday, monday + timedelta(days=4))
    planned = arithmetic.whole(3 * running / 5)
    # Nothing is logged: said as such, and the week (two weeks ago, so over) counts as short.
    expected = f"This week: nothing logged ({planned} {'session' if planned == 1 else 'sessions'} planned"
    assert expected in words
    assert "it counts as a week short until what was delivered is logged" in words
    served = client.get(f"/plans/{sam.id}/delivery").text
    row = served[served.index("Speech and language therapy, one to one") :]
    row = text_of(row[: row.index("</tr>")])
    assert "Nothing logged" in row
    assert f"Week of {monday.day} {monday:%B %Y}: nothing logged" in row
    api = client.get(f"/api/v1/plans/{sam.id}/delivery").json()
    [therapy] = [found for found in api if found["item_id"] == item_id]
    [short] = [week for week in therapy["short_weeks"] if week["starts_on"] == monday.isoformat()]
    assert (short["nothing_logged"], short["flagged"], short["delivered"]) == (True, True, 0)
    assert not re.search(r"\d\.\d+ of|of \d+\.\d+|1 sessions", words)
    before = client.get(
        f"/plans/{sam.id}/delivery/{item_id}?week={(monday - timedelta(weeks=1)).isoformat()}"
    )
    assert "This week: 0 of 0 sessions delivered" in text_of(before.text)
