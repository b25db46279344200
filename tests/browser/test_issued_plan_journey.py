"""After the plan is issued, in a real browser: Ella (16) adds a view to her issued plan and Morgan sees it
as new since the issue; then Morgan opens a review and sends the draft for comment, is told who was told,
and is not offered to issue it before the family's 15 days are up. axe runs on every page.

The journey runs on a server of its own, as it changes Ella's plan.
"""

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from app.config import Settings
from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import Journey, journey_server, signed_in_pages

ELLAS_WORDS = "I want to try the college taster days in the summer."


@pytest.fixture(scope="module")
def ella_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings, int]]:
    with journey_server(tmp_path_factory.mktemp("issued-plan-journey")) as journey:
        yield journey.base, journey.settings, journey.plan_of("Ella Morris")


@pytest.fixture
def person_page(browser: Browser, ella_server: tuple[str, Settings, int]) -> Iterator[Callable[[str], Page]]:
    """A browser page signed in as a demo persona, each in its own context."""
    base, settings, _plan_id = ella_server
    with signed_in_pages(browser, Journey(base, settings)) as open_as:
        yield open_as


def test_a_view_after_issue_then_a_review_sent_for_comment(
    person_page: Callable[[str], Page], ella_server: tuple[str, Settings, int]
) -> None:
    _base, _settings, plan_id = ella_server

    # Ella's plan is issued; she can still say what matters to her.
    ella = person_page("Ella Morris")
    ella.goto(f"/plans/{plan_id}/my-views")
    expect(ella.locator("main")).not_to_contain_text("Your plan is finished for now")
    ella.get_by_role("button", name="Add your views").click()
    for _question in range(4):
        ella.get_by_role("button", name="Next").click()
    expect(ella.get_by_role("heading", level=1)).to_have_text("What do you want for your future?")
    ella.get_by_label("What do you want for your future?").fill(ELLAS_WORDS)
    ella.get_by_role("button", name="Next").click()
    expect(ella.get_by_role("heading", level=1)).to_have_text("Who can see this?")
    ella.get_by_role("button", name="Next").click()
    expect(ella.get_by_role("heading", level=1)).to_have_text("Check your answers")
    ella.get_by_role("button", name="Send to my team").click()
    expect(ella.locator("main")).to_contain_text(ELLAS_WORDS)
    assert_accessible(ella)

    # Morgan sees it on the plan page as new since the issue, kept for the next review.
    morgan = person_page("Morgan Price")
    morgan.goto(f"/plans/{plan_id}")
    new = morgan.locator(".oneplan-voices__new")
    expect(new).to_contain_text("Views added since version 1 was issued")
    expect(new).to_contain_text(ELLAS_WORDS)
    assert_accessible(morgan)

    # A review, then the draft goes to Ella for comment: the message names her.
    morgan.goto(f"/plans/{plan_id}/stage")
    morgan.get_by_role("button", name="Start a review").click()
    expect(morgan.locator(".govuk-notification-banner")).to_contain_text("The review has started")
    morgan.get_by_role("button", name="Send for comment").click()
    expect(morgan.locator(".govuk-notification-banner")).to_contain_text("to Ella Morris (young person)")
    # Issuing is not offered while she may comment; the page says from when it can be.
    expect(morgan.get_by_role("button", name="Issue the plan")).to_have_count(0)
    expect(morgan.locator("#step-issue")).to_contain_text(
        re.compile(r"You can issue the plan from \d+ \w+ \d{4}")
    )
    assert_accessible(morgan)
