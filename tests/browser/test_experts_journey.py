"""Experts at Hand in a real browser: Priya asks the speech and language therapy service about Sam,
Hannah Reed (the therapist) finds the request on her dashboard and replies as provision, and the
provision shows in Sam's plan. axe runs on every page. The journey runs in order on a server of its own.
"""

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from app.config import Settings
from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import Journey, journey_server, signed_in_pages

QUESTION = "Sam struggles to follow spoken instructions in class. Could you work with him directly?"
REPLY = "Colourful Semantics with Sam to build his understanding of spoken sentences"


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings, int]]:
    with journey_server(tmp_path_factory.mktemp("experts-journey")) as served:
        yield served.base, served.settings, served.plan_of("Sam Taylor")


@pytest.fixture
def open_as(browser: Browser, journey: tuple[str, Settings, int]) -> Iterator[Callable[[str], Page]]:
    base, settings, _plan_id = journey
    with signed_in_pages(browser, Journey(base, settings)) as signed_in:
        yield lambda name: signed_in(name, {"width": 1024, "height": 900})


def test_priya_asks_the_speech_and_language_therapy_service_about_sam(
    open_as: Callable[[str], Page], journey: tuple[str, Settings, int]
) -> None:
    _base, _settings, plan_id = journey
    priya = open_as("Priya Shah")
    priya.goto(f"/plans/{plan_id}")
    priya.get_by_role("link", name=re.compile("Experts at Hand")).click()
    expect(priya.get_by_role("heading", level=1)).to_have_text("Experts at Hand")
    assert_accessible(priya)
    priya.get_by_role("link", name="Ask a service").click()
    assert_accessible(priya)
    priya.get_by_role("button", name="Send the request").click()
    expect(priya.locator(".govuk-error-summary")).to_contain_text("Select the service to ask")
    assert_accessible(priya)
    priya.get_by_label("Service").select_option(
        label="Northshire Speech and Language Therapy Service (Speech and language therapy)"
    )
    priya.get_by_label("Direct work with the child").check()
    priya.get_by_label("Your question").fill(QUESTION)
    priya.get_by_role("button", name="Send the request").click()
    row = priya.locator("tbody tr").filter(has_text="Northshire Speech and Language Therapy Service")
    expect(row).to_contain_text("Waiting")
    assert_accessible(priya)


def test_the_therapist_replies_as_provision_from_her_dashboard(open_as: Callable[[str], Page]) -> None:
    hannah = open_as("Hannah Reed")
    hannah.goto("/dashboard")
    expect(hannah.get_by_role("heading", name=re.compile("Requests to your service"))).to_be_visible()
    hannah.get_by_role("link", name=re.compile("Sam Taylor")).click()
    expect(hannah.get_by_role("heading", level=1)).to_have_text("Reply to a request")
    expect(hannah.locator(".govuk-summary-list")).to_contain_text(QUESTION)
    assert_accessible(hannah)
    hannah.get_by_label("Provision (support the plan sets out)").check()
    hannah.get_by_label("Your reply").fill(REPLY)
    hannah.get_by_label("How much").fill("30")
    hannah.get_by_label("Unit").select_option("minutes")
    hannah.get_by_label("How often").select_option("week")
    hannah.get_by_label("Where").fill("the therapy room")
    hannah.get_by_role("button", name="Send the reply into the plan").click()
    expect(hannah.get_by_role("heading", level=1)).to_have_text("What is due")
    expect(hannah.get_by_role("heading", name=re.compile("Requests to your service"))).to_have_count(0)


def test_the_provision_shows_in_sams_plan(
    open_as: Callable[[str], Page], journey: tuple[str, Settings, int]
) -> None:
    _base, _settings, plan_id = journey
    priya = open_as("Priya Shah")
    priya.goto(f"/plans/{plan_id}/sections/F")
    provision = priya.locator(".govuk-summary-card, li, article").filter(has_text=REPLY).last
    expect(provision).to_contain_text("30 minutes a week, by a speech and language therapist")
    expect(provision).to_contain_text("Hannah Reed")
    priya.goto(f"/plans/{plan_id}/experts")
    row = priya.locator("tbody tr").filter(has_text="Northshire Speech and Language Therapy Service")
    expect(row).to_contain_text("Replied")
    assert_accessible(priya)
