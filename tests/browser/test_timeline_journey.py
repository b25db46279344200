"""The statutory clock in a real browser: Alex asks for an assessment, Morgan sees it on the council's
dashboard and takes it on, and Dr Khan's advice request shows as overdue. axe runs on every page.

The server starts from the demo without Sam's demo assessment, so that Alex can ask for it.
"""

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, delete

from app.clock import uk_today
from app.config import Settings
from app.models.timeline import AdviceRequest, AssessmentRequest, StatutoryStep
from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import Journey, journey_server, signed_in_pages


def _without_the_demos_assessment(db: Session) -> None:
    for table in (AdviceRequest, StatutoryStep, AssessmentRequest):
        db.exec(delete(table))  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def timeline_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings, int]]:
    folder = tmp_path_factory.mktemp("timeline-journey")
    with journey_server(folder, _without_the_demos_assessment) as journey:
        yield journey.base, journey.settings, journey.plan_of("Sam Taylor")


@pytest.fixture
def person_page(
    browser: Browser, timeline_server: tuple[str, Settings, int]
) -> Iterator[Callable[[str], Page]]:
    base, settings, _plan_id = timeline_server
    with signed_in_pages(browser, Journey(base, settings)) as open_as:
        yield open_as


def fill_date(page: Page, prefix: str, day: object) -> None:
    page.locator(f"#{prefix}-day").fill(str(day.day))  # type: ignore[attr-defined]
    page.locator(f"#{prefix}-month").fill(str(day.month))  # type: ignore[attr-defined]
    page.locator(f"#{prefix}-year").fill(str(day.year))  # type: ignore[attr-defined]


def test_alex_asks_morgan_takes_it_on_and_dr_khans_advice_is_overdue(
    person_page: Callable[[str], Page], timeline_server: tuple[str, Settings, int]
) -> None:
    _base, _settings, plan_id = timeline_server
    asked_on = uk_today() - timedelta(days=45)
    alex = person_page("Alex Taylor")
    alex.goto(f"/plans/{plan_id}")
    expect(alex.locator("#timeline-title")).to_have_text("Timeline")
    assert_accessible(alex)
    alex.get_by_role("link", name=re.compile("ask for an EHC needs assessment")).click()
    assert_accessible(alex)
    alex.get_by_role("link", name="Ask the council for an EHC needs assessment").click()
    expect(alex.get_by_role("heading", level=1)).to_have_text("Ask for an EHC needs assessment")
    expect(alex.locator("main")).to_contain_text("You do not have to wait")
    assert_accessible(alex)
    alex.get_by_label("Why are you asking? (optional)").fill("Sam is struggling more each term.")
    fill_date(alex, "requested_on", asked_on)
    alex.get_by_role("button", name="Send the request to the council").click()
    expect(alex.locator("main")).to_contain_text("Week 7 of 20. Late: the council decides whether to assess")
    assert_accessible(alex)

    morgan = person_page("Morgan Price")
    morgan.goto("/la/dashboard")
    reference = f"OP-{1000 + plan_id}"
    expect(morgan.locator("main")).to_contain_text("New requests for an assessment")
    expect(morgan.locator("main")).to_contain_text("Week 7 of 20")
    assert_accessible(morgan)
    morgan.get_by_role("button", name=f"Take on {reference}").click()
    expect(morgan.locator(".govuk-notification-banner")).to_contain_text("taken this request on")
    morgan.get_by_role("link", name="Ask for advice").click()
    assert_accessible(morgan)
    morgan.get_by_role("radio", name="Medical advice").check()
    morgan.get_by_label("Organisation").select_option(label="Northshire NHS Trust")
    morgan.get_by_label("Named person (optional)").select_option(label="Dr Aisha Khan (Northshire NHS Trust)")
    fill_date(morgan, "sent_on", asked_on + timedelta(days=1))
    morgan.get_by_role("button", name="Record the advice request").click()
    row = morgan.locator("tr").filter(has_text="Medical advice from Northshire NHS Trust")
    expect(row).to_contain_text("Overdue")
    expect(row).to_contain_text("Asked of Dr Aisha Khan and their team")
    assert_accessible(morgan)
    morgan.goto("/la/dashboard")
    expect(morgan.locator("main")).to_contain_text("Advice for an assessment")
    assert_accessible(morgan)

    khan = person_page("Dr Aisha Khan")
    khan.goto("/dashboard")
    expect(khan.locator("tr").filter(has_text="Medical advice from Northshire NHS Trust")).to_contain_text(
        "Overdue"
    )
    assert_accessible(khan)
