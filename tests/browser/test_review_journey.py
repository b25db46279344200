"""A review with progress per outcome in a real browser: Priya records the review meeting of Sam's plan,
Sam says in his own words how one outcome is going, Priya tries to finish with outcomes unrated (the
error summary lists them, her rating kept), rates them all and finishes; the plan then shows each
outcome's progress over time, Sam's words included. axe on every state.

The journey runs on a server of its own, as it changes Sam's plan.
"""

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from app.clock import uk_today
from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import Journey, journey_server, signed_in_pages, with_problems_kept

SAMS_WORDS = "I can do two steps now. The third one is still hard."


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    with journey_server(tmp_path_factory.mktemp("review-journey")) as journey:
        yield journey


@pytest.fixture
def person_page(browser: Browser, review_server: Journey) -> Iterator[Callable[[str], Page]]:
    with signed_in_pages(browser, review_server) as signed_in:
        yield lambda name: with_problems_kept(signed_in(name))


def test_priya_holds_a_review_with_progress_per_outcome_and_sams_own_words(
    person_page: Callable[[str], Page], review_server: Journey
) -> None:
    plan_id = review_server.plan_of("Sam Taylor")
    priya = person_page("Priya Shah")
    priya.goto(f"/plans/{plan_id}")
    priya.get_by_role("link", name="Record a review").click()
    today = uk_today()
    priya.get_by_label("Day").fill(str(today.day))
    priya.get_by_label("Month").fill(str(today.month))
    priya.get_by_label("Year").fill(str(today.year))
    priya.get_by_label("Who took part").fill("Alex Taylor (parent), Sam, Priya Shah (SENCo), Tom Baker")
    priya.get_by_label("What has worked").fill("The checklist on the desk.")
    priya.get_by_label("What will change").fill("Try the checklist at home too.")
    priya.get_by_role("button", name="Save the review").click()
    expect(priya.get_by_role("heading", level=1)).to_contain_text("Review on")
    expect(priya.locator("section.oneplan-progress")).to_have_count(3)
    review_address = priya.url
    assert_accessible(priya)

    sam = person_page("Sam Taylor")
    sam.goto(review_address)
    expect(sam.get_by_role("heading", name="What do you think?")).to_be_visible()
    assert_accessible(sam)
    sam.locator("textarea").first.fill(SAMS_WORDS)
    sam.get_by_role("button", name="Save my words").click()
    expect(sam.locator("textarea").first).to_have_value(SAMS_WORDS)

    priya.goto(review_address)
    outcomes = priya.locator("section.oneplan-progress")
    expect(outcomes.first.locator("dd")).to_contain_text(SAMS_WORDS)
    outcomes.nth(0).get_by_label("Some progress").check()
    outcomes.nth(0).get_by_label("What the team says about it (optional)").fill("Two steps of three.")
    priya.get_by_role("button", name="Save and finish the review").click()
    summary = priya.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("^Rate the progress towards"))).to_have_count(2)
    expect(outcomes.nth(0).get_by_label("Some progress")).to_be_checked()
    expect(outcomes.nth(0).get_by_label("What the team says about it (optional)")).to_have_value(
        "Two steps of three."
    )
    assert_accessible(priya)
    summary.get_by_role("link", name=re.compile("^Rate the progress towards")).first.click()
    outcomes.nth(1).get_by_label("Good progress").check()
    outcomes.nth(2).get_by_label("No progress yet").check()
    priya.get_by_role("button", name="Save and finish the review").click()

    expect(priya.locator("#progress")).to_have_text("Progress towards each outcome")
    tables = priya.locator("table.oneplan-progress-table")
    expect(tables).to_have_count(3)
    expect(tables.first.locator("tbody tr")).to_have_count(2)  # the demo's review, then this one
    expect(tables.first.locator("tbody tr").last).to_contain_text("Some progress")
    sams = (
        tables.first.locator("tbody tr")
        .last.locator(".oneplan-own-words div")
        .filter(has_text="What Sam says")
    )
    expect(sams.locator("dd")).to_have_text(SAMS_WORDS)
    assert_accessible(priya)
    assert priya.problems == []  # type: ignore[attr-defined]
    assert sam.problems == []  # type: ignore[attr-defined]
