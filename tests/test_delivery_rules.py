"""The delivery arithmetic (holidays, part weeks, half-terms), escalation dates, and that no route can end
a provision without a reason.
"""

from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import (
    ProvisionChange,
    ProvisionFrequency,
    ReducedTimetable,
    TimetableDecision,
    TimetableDecisionKind,
)
from app.routes import app_routes
from app.services.delivery.arithmetic import (
    DayRecord,
    SchoolCalendar,
    half_term_tally,
    latest_by_day,
    week_tally,
)
from app.services.delivery.timetables import escalations

CALENDAR = SchoolCalendar.parse(
    "2026-09-02..2026-10-23,2026-11-02..2026-12-18,2027-01-05..2027-02-12", "2026-11-30"
)
WEEK = ProvisionFrequency.WEEK


def delivered(*days: date, amount: float = 1) -> list[DayRecord]:
    return [DayRecord(day, True, amount) for day in days]


def test_a_full_week_with_two_missed_sessions_is_short_by_forty_percent() -> None:
    monday = date(2026, 11, 16)
    records = [
        *delivered(monday, monday + timedelta(days=2), monday + timedelta(days=4)),
        DayRecord(monday + timedelta(days=1), False, 0),
        DayRecord(monday + timedelta(days=3), False, 0),
    ]
    tally = week_tally(records, amount=5, frequency=WEEK, calendar=CALENDAR, monday=monday, threshold=0.1)
    assert (tally.school_days, tally.planned, tally.delivered, tally.missed) == (5, 5, 3, 2)
    assert tally.shortfall == pytest.approx(0.4)
    assert tally.flagged


def test_a_closure_day_makes_a_part_week_planned_pro_rata() -> None:
    monday = date(2026, 11, 30)  # Monday 30 November is a closure day
    days = [monday + timedelta(days=offset) for offset in range(1, 5)]
    tally = week_tally(
        delivered(*days), amount=5, frequency=WEEK, calendar=CALENDAR, monday=monday, threshold=0.1
    )
    assert (tally.school_days, tally.planned, tally.delivered) == (4, 4, 4)
    assert not tally.flagged


def test_a_holiday_week_plans_nothing_and_flags_nothing() -> None:
    monday = date(2026, 10, 26)  # half-term holiday
    tally = week_tally([], amount=5, frequency=WEEK, calendar=CALENDAR, monday=monday, threshold=0.1)
    assert (tally.school_days, tally.planned, tally.flagged) == (0, 0, False)


def test_the_first_part_week_of_a_half_term_counts_only_its_school_days() -> None:
    monday = date(2027, 1, 4)  # the spring term starts on Tuesday 5 January
    daily = ProvisionFrequency.DAY
    days = [date(2027, 1, 5), date(2027, 1, 6)]
    tally = week_tally(
        delivered(*days, amount=10),
        amount=10,
        frequency=daily,
        calendar=CALENDAR,
        monday=monday,
        threshold=0.1,
    )
    assert (tally.school_days, tally.planned, tally.delivered) == (4, 40, 20)
    assert tally.flagged  # half short


def test_the_threshold_is_a_share_not_reached_by_a_small_gap() -> None:
    monday = date(2026, 11, 16)
    records = delivered(*(monday + timedelta(days=offset) for offset in range(5)), amount=4.6)
    tally = week_tally(records, amount=25, frequency=WEEK, calendar=CALENDAR, monday=monday, threshold=0.1)
    assert tally.shortfall == pytest.approx(0.08)
    assert not tally.flagged


@pytest.mark.parametrize(
    ("today", "short"),
    [
        (date(2026, 11, 18), False),  # Wednesday of the week: it may still be logged
        (date(2026, 11, 20), False),  # its Friday
        (date(2026, 11, 21), True),  # the Saturday after: the week has ended with nothing logged
        (date(2027, 1, 4), True),
    ],
)
def test_a_week_with_nothing_logged_says_so_and_counts_as_short_once_it_has_ended(
    today: date, short: bool
) -> None:
    monday = date(2026, 11, 16)
    unlogged = week_tally(
        [], amount=25, frequency=WEEK, calendar=CALENDAR, monday=monday, threshold=0.1, today=today
    )
    assert unlogged.nothing_logged
    assert (unlogged.planned, unlogged.delivered) == (25, 0)
    assert unlogged.flagged is short


def test_nothing_logged_is_no_shortfall_where_nothing_was_planned() -> None:
    holiday = week_tally(
        [],
        amount=5,
        frequency=WEEK,
        calendar=CALENDAR,
        monday=date(2026, 10, 26),
        threshold=0.1,
        today=date(2027, 1, 4),
    )
    assert not holiday.nothing_logged
    assert not holiday.flagged
    logged = week_tally(
        delivered(*(date(2026, 11, 16) + timedelta(days=offset) for offset in range(5)), amount=5),
        amount=25,
        frequency=WEEK,
        calendar=CALENDAR,
        monday=date(2026, 11, 16),
        threshold=0.1,
        today=date(2027, 1, 4),
    )
    assert not logged.nothing_logged
    assert not logged.flagged


def test_a_half_term_counts_to_date_and_per_half_term_provision_only_once_it_is_over() -> None:
    records = delivered(date(2026, 11, 2), date(2026, 11, 3))
    to_date = half_term_tally(
        records,
        amount=1,
        frequency=ProvisionFrequency.DAY,
        calendar=CALENDAR,
        day=date(2026, 11, 4),
        threshold=0.1,
        until=date(2026, 11, 4),
    )
    assert (to_date.school_days, to_date.planned, to_date.delivered) == (3, 3, 2)
    termly = half_term_tally(
        [],
        amount=2,
        frequency=ProvisionFrequency.TERM,
        calendar=CALENDAR,
        day=date(2026, 11, 4),
        threshold=0.1,
        until=date(2026, 11, 4),
    )
    assert termly.planned == 1
    assert not termly.flagged
    over = half_term_tally(
        [],
        amount=2,
        frequency=ProvisionFrequency.TERM,
        calendar=CALENDAR,
        day=date(2026, 11, 4),
        threshold=0.1,
        until=date(2026, 12, 19),
    )
    assert over.planned == 1


def test_a_correction_replaces_the_day_it_corrects() -> None:
    day = date(2026, 11, 16)
    assert latest_by_day([(1, day, False, 0), (2, day, True, 1)]) == [DayRecord(day, True, 1)]


def _timetable() -> ReducedTimetable:
    return ReducedTimetable(
        plan_id=1,
        starts_on=date(2026, 9, 7),
        planned_end_on=date(2026, 12, 18),
        hours_a_week=15,
        reason="r",
        return_plan="p",
        review_on=date(2026, 10, 19),
        recorded_by_id=1,
    )


def test_a_timetable_escalates_the_day_after_its_review_and_after_its_planned_end() -> None:
    timetable = _timetable()
    assert escalations(timetable, [], date(2026, 10, 19)) == []
    assert escalations(timetable, [], date(2026, 10, 20)) == [
        "Its review on 19 October 2026 has no decision recorded"
    ]
    decision = TimetableDecision(
        timetable_id=1,
        plan_id=1,
        decided_on=date(2026, 10, 19),
        decision=TimetableDecisionKind.CONTINUE,
        note="n",
        next_review_on=date(2026, 11, 30),
        decided_by_id=1,
    )
    assert escalations(timetable, [decision], date(2026, 11, 30)) == []
    assert len(escalations(timetable, [decision], date(2026, 12, 19))) == 2
    ended = TimetableDecision(
        timetable_id=1,
        plan_id=1,
        decided_on=date(2026, 12, 1),
        decision=TimetableDecisionKind.END,
        note="n",
        decided_by_id=1,
    )
    assert escalations(timetable, [decision, ended], date(2027, 3, 1)) == []


ENDING_WORDS = ("end", "ending")


def test_no_route_ends_a_provision_without_a_reason(
    app: FastAPI,
    client: TestClient,
    db_session: Session,
    demo,
    sign_in_as,  # type: ignore[no-untyped-def]
) -> None:
    """Walk every route that ends provision; each refuses a missing or blank reason and writes nothing."""
    from tests.test_delivery_pages import plan_of, provision

    ending_routes = sorted(
        (route.path, method)
        for route in app_routes(app)
        for method in route.methods
        if method == "POST"
        and "{item_id}" in route.path  # an item's ending; not, say, a SENCo's designation
        and route.path.rstrip("/").rsplit("/", 1)[-1] in ENDING_WORDS
    )
    assert ending_routes == [
        ("/api/v1/plans/{plan_id}/items/{item_id}/ending", "POST"),
        ("/plans/{plan_id}/items/{item_id}/end", "POST"),
    ]
    plan = plan_of(db_session, demo("Sam Taylor"))
    item = provision(db_session, plan, "quiet place for lunch")
    token = sign_in_as(demo("Priya Shah"))
    for path, _method in ending_routes:
        url = path.format(plan_id=plan.id, item_id=item.id)
        for reason in (None, "", "   "):
            if url.startswith("/api/"):
                body = {} if reason is None else {"reason": reason}
                response = client.post(url, json=body, headers={"X-CSRF-Token": token})
                assert response.status_code == 422, (url, reason)
            else:
                form = {"csrf_token": token} | ({} if reason is None else {"reason": reason})
                response = client.post(url, data=form)
                assert response.status_code == 200
                assert "Enter why this provision is ending" in response.text
    assert db_session.exec(select(ProvisionChange).where(col(ProvisionChange.item_id) == item.id)).all() == []
