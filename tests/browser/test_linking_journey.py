"""The plan tied together where it is written, in a real browser: Priya (SENCo) adds a need, an outcome
answering it and a provision serving the outcome, on the plan page with htmx, in at most 12 actions (a
click, a filled field, a key press each count one) and without loading a page again; each item shows
what it answers and its checks as soon as it is saved. axe runs on each state. The journey has a server
of its own (it changes Sam's plan)."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import DESKTOP, Journey, journey_server, signed_in_pages, with_problems_kept

NEED = "Sam cannot keep his place when he copies from the board."
OUTCOME = "By Easter, Sam will copy three lines from a sheet on his desk unaided."
IS_SUMMARY = "document.activeElement.tagName === 'SUMMARY'"
PROVISION = "A printed copy of the board work on Sam's desk in every lesson."


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    with journey_server(tmp_path_factory.mktemp("linking-journey")) as served:
        yield served


class Counted:
    """Priya's actions, each counted: a click, a filled field or a key press is one."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def click(self, target: Locator) -> None:
        self.count += 1
        target.click()

    def fill(self, target: Locator, words: str) -> None:
        self.count += 1
        target.fill(words)

    def save(self, form: Locator) -> None:
        """Save once htmx has taken the form over (else the browser would post it as a page)."""
        self.page.wait_for_function(
            "form => !!form['htmx-internal-data']", arg=form.element_handle(), polling=50
        )
        self.click(form.get_by_role("button", name="Save"))


def test_priya_adds_a_need_its_outcome_and_its_provision_tied_together(
    browser: Browser, journey: Journey
) -> None:
    plan_id = journey.plan_of("Sam Taylor")
    with signed_in_pages(browser, journey) as open_as:
        priya = with_problems_kept(open_as("Priya Shah", DESKTOP))
        loads: list[str] = []
        priya.goto(f"/plans/{plan_id}")
        priya.on("domcontentloaded", lambda _page: loads.append(priya.url))
        priya.evaluate("window.oneplanJourney = 'the same page'")
        act = Counted(priya)

        act.click(priya.locator("nav.oneplan-contents").get_by_role("link", name="Barriers to learning"))
        needs = priya.locator("#section-B")
        act.click(needs.get_by_role("link", name=re.compile("Add a need")))
        need_form = needs.locator("form").filter(has=priya.get_by_label("What makes learning harder"))
        act.fill(need_form.get_by_label("What makes learning harder for the child"), NEED)
        act.click(need_form.get_by_role("radio", name="Cognition and learning"))
        act.save(need_form)
        need = needs.locator("li.oneplan-item").filter(has_text=NEED).first
        need_id = need.get_attribute("id")
        expect(need.locator(".oneplan-quality-flags")).to_contain_text("This need has no outcome yet")
        assert_accessible(priya)

        act.click(need.get_by_role("link", name="Add an outcome for this need"))
        outcome_form = need.locator("form").filter(
            has=priya.get_by_label("What the child will be able to do")
        )
        expect(outcome_form.get_by_role("checkbox", name=re.compile(re.escape(NEED[:30])))).to_be_checked()
        act.fill(outcome_form.get_by_label("What the child will be able to do"), OUTCOME)
        assert_accessible(priya)
        act.save(outcome_form)
        outcome = need.locator("li.oneplan-item").filter(has_text=OUTCOME).first
        expect(outcome.locator(".oneplan-answers")).to_contain_text(NEED)
        expect(outcome.locator(".oneplan-quality-flags")).not_to_contain_text("which need it answers")
        expect(need.locator(f"#{need_id}-checks")).not_to_contain_text("This need has no outcome yet")

        act.click(outcome.get_by_role("link", name="Add provision for this outcome"))
        provision_form = outcome.locator("form").filter(has=priya.get_by_label("What the support is"))
        expect(
            provision_form.get_by_role("checkbox", name=re.compile(re.escape(OUTCOME[:30])))
        ).to_be_checked()
        act.fill(provision_form.get_by_label("What the support is"), PROVISION)
        # The checks answer as she types, just above Save; she reads them, then saves (clicking while they
        # came in could land where Save had been).
        expect(provision_form.locator(".oneplan-quality-live")).to_contain_text(
            "It does not say who delivers it"
        )
        act.save(provision_form)
        provision = outcome.locator("li.oneplan-item").filter(has_text=PROVISION).first
        expect(provision.locator(".oneplan-answers")).to_contain_text(OUTCOME)
        expect(provision.locator(".oneplan-quality-flags")).to_contain_text("It does not say who delivers it")
        expect(provision.locator(".oneplan-quality-flags")).not_to_contain_text("which outcome it serves")
        assert_accessible(priya)

        assert act.count <= 12, f"{act.count} actions"
        assert loads == [], "no page was loaded again"
        assert priya.evaluate("window.oneplanJourney") == "the same page"
        assert priya.problems == []  # type: ignore[attr-defined]


def test_a_keyboard_user_reaches_the_provision_in_five_key_presses_and_its_comment_in_five_tabs(
    browser: Browser, journey: Journey
) -> None:
    plan_id = journey.plan_of("Sam Taylor")
    with signed_in_pages(browser, journey) as open_as:
        priya = open_as("Priya Shah", DESKTOP)
        priya.goto(f"/plans/{plan_id}")
        tabs: list[str] = []
        presses = 0
        reached_section = None
        # Tab to the skip link and follow it, to the plan's provision and open it, to its first item and
        # open it, and to its comment button: Enter follows each. Every key press counts to reach the
        # section (the "at most 5 key presses from the top"); Tab presses alone to the comment.
        while len(tabs) < 30:
            priya.keyboard.press("Tab")
            presses += 1
            focused = priya.evaluate("document.activeElement.textContent.trim().replace(/\\s+/g, ' ')")
            tabs.append(focused)
            if focused.startswith("Comment"):
                break
            if focused == "Support (provision)":
                with priya.expect_navigation():
                    priya.keyboard.press("Enter")
                presses += 1
                reached_section = presses
            elif focused == "Skip to main content" or priya.evaluate(IS_SUMMARY):
                priya.keyboard.press("Enter")
                presses += 1
        assert reached_section is not None, tabs
        assert reached_section <= 5, (reached_section, tabs)
        assert tabs[-1].startswith("Comment on this provision"), tabs
        assert len(tabs) <= 5, tabs
        expect(priya).to_have_url(re.compile(rf"/plans/{plan_id}/sections/F#section-F$"))
