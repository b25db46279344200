"""A concern, in a real browser: Alex raises one about Sam's speech therapy from Sam's plan, Priya finds it
in what needs her attention and answers it, and Alex reads the answer and says it resolves his concern.
axe runs on each page. The journey has a server of its own (it adds a concern others do not expect).
"""

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import Journey, journey_server, signed_in_pages

CONCERN = "Sam has not had his speech and language therapy since half term, and nobody told us why."
ANSWER = "The therapist was ill. Sessions restart on Monday, with two extra sessions to catch up."


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    with journey_server(tmp_path_factory.mktemp("concern-journey")) as served:
        yield served


@pytest.fixture
def open_as(browser: Browser, journey: Journey) -> Iterator[Callable[..., Page]]:
    with signed_in_pages(browser, journey) as open_page:
        yield open_page


def test_alex_raises_a_concern_priya_answers_and_alex_sees_the_answer(
    open_as: Callable[..., Page], journey: Journey
) -> None:
    plan_id = journey.plan_of("Sam Taylor")
    alex = open_as("Alex Taylor")
    alex.goto(f"/plans/{plan_id}")
    alex.get_by_role("link", name="Raise a concern with the setting").click()
    expect(alex.get_by_role("heading", level=1)).to_have_text("Raise a concern with the setting")
    assert_accessible(alex)
    alex.get_by_label("How the plan is carried out (the help given)").check()
    alex.get_by_label("Your concern").fill(CONCERN)
    alex.get_by_role("button", name="Send your concern to the setting").click()
    expect(alex.locator("#concern-status")).to_have_text("Waiting for the setting's answer")
    expect(alex.locator("#concern-words")).to_contain_text(CONCERN)
    assert_accessible(alex)

    priya = open_as("Priya Shah")
    priya.goto(f"/plans/{plan_id}")
    priya.locator("#attention").get_by_role(
        "link", name=re.compile("A concern from the family waits for your answer")
    ).click()
    expect(priya.locator("#concern-words")).to_contain_text(CONCERN)
    priya.get_by_label("Your answer").fill(ANSWER)
    priya.get_by_role("button", name="Send the answer").click()
    expect(priya.locator("#concern-status")).to_have_text("Answered")

    alex.goto(f"/plans/{plan_id}")
    alex.locator("#attention").get_by_role(
        "link", name="The setting answered your concern: tell them whether it is resolved."
    ).click()
    expect(alex.locator("#concern-answer")).to_contain_text(ANSWER)
    expect(alex.locator("#concern-answer")).to_contain_text("Priya Shah")
    assert_accessible(alex)
    alex.get_by_label("Yes, it is resolved").check()
    alex.get_by_role("button", name="Tell the setting").click()
    expect(alex.locator("#concern-status")).to_have_text("Resolved")
    alex.goto(f"/plans/{plan_id}")
    expect(alex.locator("#concerns")).to_contain_text("Resolved")
