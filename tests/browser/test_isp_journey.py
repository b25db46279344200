"""The Individual Support Plan in a real browser: Priya makes Sam's SEN Support plan an ISP at Targeted,
later moves Sam to Targeted Plus with a reason, and the layer's history shows both. axe runs on each form
and on the plan page. The journey has a server of its own (it changes Sam's plan)."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from app.clock import uk_today
from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import Journey, journey_server, signed_in_pages


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    with journey_server(tmp_path_factory.mktemp("isp-journey")) as served:
        yield served


def test_priya_makes_sams_plan_an_isp_and_moves_him_to_targeted_plus(
    browser: Browser, journey: Journey
) -> None:
    plan_id = journey.plan_of("Sam Taylor")
    review = uk_today() + timedelta(days=90)
    with signed_in_pages(browser, journey) as open_as:
        priya = open_as("Priya Shah")
        priya.goto(f"/plans/{plan_id}")
        priya.get_by_role("link", name="Make this plan an Individual Support Plan").click()
        expect(priya.get_by_role("heading", level=1)).to_have_text(
            "Make this plan an Individual Support Plan"
        )
        assert_accessible(priya)
        priya.get_by_label("Targeted", exact=True).check()
        priya.get_by_label("Why does the child need this layer?").fill(
            "Sam's needs are met in class with small-group speech work"
        )
        priya.get_by_label("Who holds the duty for this plan?").select_option(label="Priya Shah")
        priya.get_by_label("Day").fill(str(review.day))
        priya.get_by_label("Month").fill(str(review.month))
        priya.get_by_label("Year").fill(str(review.year))
        priya.get_by_role("button", name="Make it an Individual Support Plan").click()

        support = priya.locator("#support")
        expect(priya.get_by_role("heading", level=1)).to_have_text("Sam Taylor")
        expect(support).to_contain_text("Targeted")
        expect(priya.locator(".govuk-caption-l").first).to_contain_text("Individual Support Plan")

        support.get_by_role("link", name="Change the layer of support").click()
        expect(priya.get_by_role("heading", level=1)).to_have_text("Change the layer of support")
        assert_accessible(priya)
        priya.get_by_label("Targeted Plus").check()
        priya.get_by_label("Why does the child need this layer?").fill(
            "A speech and language therapist will work with Sam every week"
        )
        priya.get_by_role("button", name="Change the layer").click()

        steps = priya.locator(".oneplan-layer-step")
        expect(steps).to_have_count(2)
        expect(steps.nth(0)).to_contain_text("Targeted Plus (from Targeted)")
        expect(steps.nth(0)).to_contain_text("every week")
        expect(steps.nth(1)).to_contain_text("small-group speech work")
        expect(priya.locator("#support")).to_contain_text("Layer now")
        assert_accessible(priya)
