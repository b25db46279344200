"""Provision delivered as written, in a real browser: Tom logs a week of 1:1 support on a phone with two
missed sessions; Priya, Alex and Morgan see the shortfall; Priya ends an adjustment and Alex sees why and
replies; Sam's move to Hillcrest Academy, dated ahead, waits for its day; on it (the worker's job) Chris
Wood sees the whole history while Tom and Priya no longer can.
axe runs on every page. The journey runs in order on a server of its own.
"""

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from app.clock import uk_today as today
from app.config import Settings
from app.db import build_engine
from app.services.delivery import arithmetic
from app.services.jobs.worker import JOBS, Context, Worker
from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import Journey, journey_server, signed_in_pages

EVERY_WEEKDAY = "2020-01-06..2035-12-31"
"""Every weekday a school day, so that last week is always one to log whatever the date."""


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings, int]]:
    folder = tmp_path_factory.mktemp("delivery-journey")
    with journey_server(folder, term_dates=EVERY_WEEKDAY) as served:
        yield served.base, served.settings, served.plan_of("Sam Taylor")


@pytest.fixture
def open_as(browser: Browser, journey: tuple[str, Settings, int]) -> Iterator[Callable[..., Page]]:
    base, settings, _plan_id = journey
    with signed_in_pages(browser, Journey(base, settings)) as signed_in:
        yield lambda name, *, width=1024: signed_in(name, {"width": width, "height": 900})


LAST_MONDAY = arithmetic.monday_of(today()) - timedelta(weeks=1)


def test_tom_logs_a_week_with_two_missed_sessions_on_a_phone(
    open_as: Callable[..., Page], journey: tuple[str, Settings, int]
) -> None:
    _base, _settings, plan_id = journey
    tom = open_as("Tom Baker", width=320)
    tom.goto(f"/plans/{plan_id}/delivery")
    assert_accessible(tom)
    tom.get_by_role("link", name=re.compile("1:1 support")).click()
    expect(tom.get_by_role("heading", level=1)).to_contain_text("Week of")
    tom.get_by_role("link", name=re.compile("Previous week")).click()
    assert_accessible(tom)
    for offset in range(5):
        day = LAST_MONDAY + timedelta(days=offset)
        cell = tom.locator(f"#day-{day.isoformat()}")
        if offset in (1, 3):
            cell.get_by_label("Missed", exact=True).check()
            cell.get_by_label("If missed, why?").fill("Teaching assistant covering another class")
        else:
            cell.get_by_label("Delivered", exact=True).check()
    assert_accessible(tom)
    tom.get_by_role("button", name="Save the week").click()
    expect(tom.locator("#week-summary")).to_contain_text("3 of 5 sessions delivered")
    expect(tom.locator("#week-summary")).to_contain_text("Shortfall")
    assert_accessible(tom)


@pytest.mark.parametrize("name", ["Priya Shah", "Alex Taylor"])
def test_the_shortfall_shows_on_the_plan(
    open_as: Callable[..., Page], journey: tuple[str, Settings, int], name: str
) -> None:
    _base, _settings, plan_id = journey
    page = open_as(name)
    page.goto(f"/plans/{plan_id}")
    warning = page.locator(".oneplan-shortfall").filter(has_text="1:1 support")
    expect(warning).to_contain_text(
        f"Week of {LAST_MONDAY.day} {LAST_MONDAY:%B %Y}: 3 of 5 sessions (2 missed)"
    )
    assert_accessible(page)


def test_morgan_sees_the_shortfall_on_the_la_page(
    open_as: Callable[..., Page], journey: tuple[str, Settings, int]
) -> None:
    _base, _settings, plan_id = journey
    morgan = open_as("Morgan Price")
    morgan.goto("/la/delivery")
    expect(morgan.get_by_role("row", name=re.compile("Riverside Primary School"))).not_to_have_count(0)
    expect(morgan.locator("main")).to_contain_text(f"OP-{1000 + plan_id}")
    assert_accessible(morgan)


def test_priya_ends_an_adjustment_and_alex_sees_why_and_replies(
    open_as: Callable[..., Page], journey: tuple[str, Settings, int]
) -> None:
    _base, _settings, plan_id = journey
    priya = open_as("Priya Shah")
    priya.goto(f"/plans/{plan_id}/sections/F")
    adjustment = priya.locator("li.oneplan-item").filter(has_text="A quiet place for lunch")
    adjustment.locator("summary").click()
    adjustment.get_by_role("link", name="End this provision").click()
    priya.get_by_role("button", name="End the provision and tell the family").click()
    expect(priya.locator(".govuk-error-summary")).to_contain_text("Enter why this provision is ending")
    assert_accessible(priya)
    priya.get_by_label("Why is it ending?").fill(
        "The library is needed for exams; lunch moves to the nurture room."
    )
    priya.get_by_role("button", name="End the provision and tell the family").click()
    expect(priya.get_by_role("heading", level=1)).to_have_text("A provision has ended")
    assert_accessible(priya)

    alex = open_as("Alex Taylor", width=320)
    alex.goto(f"/plans/{plan_id}")
    changed = alex.locator(".oneplan-change").filter(has_text="Provision ended")
    expect(changed).to_contain_text("The library is needed for exams")
    expect(changed).to_contain_text("Priya Shah")
    changed.get_by_role("link").click()
    alex.get_by_label("Your reply").fill("Sam needs somewhere quiet: please tell us about the nurture room.")
    alex.get_by_role("button", name="Send your reply").click()
    expect(alex.locator(".oneplan-reply")).to_contain_text("nurture room")
    assert_accessible(alex)


def test_sams_move_dated_ahead_waits_for_its_day_then_chris_sees_the_whole_history_while_tom_cannot(
    open_as: Callable[..., Page], journey: tuple[str, Settings, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _base, settings, plan_id = journey
    day = today() + timedelta(days=28)
    priya = open_as("Priya Shah")
    priya.goto(f"/plans/{plan_id}/move")
    assert_accessible(priya)
    priya.get_by_label("New school", exact=True).select_option(label="Hillcrest Academy (all-through)")
    priya.get_by_label("The new school's SENCo").select_option(label="Chris Wood, Hillcrest Academy")
    priya.get_by_label("Day", exact=True).fill(str(day.day))
    priya.get_by_label("Month", exact=True).fill(str(day.month))
    priya.get_by_label("Year", exact=True).fill(str(day.year))
    priya.get_by_role("button", name="Record the move").click()
    expect(priya.get_by_role("heading", level=1)).to_have_text("Sam Taylor")
    expect(priya.locator("#moving-to")).to_have_text(f"Moving to Hillcrest Academy on {day:%-d %B %Y}")
    assert_accessible(priya)
    chris = open_as("Chris Wood")
    response = chris.goto(f"/plans/{plan_id}")
    assert response is not None
    assert response.status == 404

    # The worker's job, on the day of the move (the UK's date moved on).
    monkeypatch.setattr("app.services.delivery.moves.today", lambda: day)
    engine = build_engine(settings)
    try:
        job = next(job for job in JOBS if job.name == "setting_moves")
        assert Worker(Context(engine, settings), jobs=(job,)).run_once()[0].done == 1
    finally:
        engine.dispose()

    chris.goto(f"/plans/{plan_id}")
    expect(chris.get_by_role("heading", level=1)).to_have_text("Sam Taylor")
    expect(chris.locator("main")).to_contain_text("from Riverside Primary School to Hillcrest Academy")
    expect(chris.locator("#moving-to")).to_have_count(0)
    expect(chris.locator(".oneplan-shortfall").filter(has_text="1:1 support")).to_contain_text(
        "3 of 5 sessions"
    )
    assert_accessible(chris)
    for path, text in (
        ("/versions", "Version 1"),
        ("/delivery", "1:1 support"),
        ("/audit", "Priya Shah"),
    ):
        chris.goto(f"/plans/{plan_id}{path}")
        expect(chris.locator("main")).to_contain_text(text)
        assert_accessible(chris)

    for old_staff in ("Tom Baker", "Priya Shah"):
        response = open_as(old_staff).goto(f"/plans/{plan_id}")
        assert response is not None
        assert response.status == 404
