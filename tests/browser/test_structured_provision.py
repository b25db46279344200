"""Structured provision by keyboard on a 320 px screen: Priya adds speech and language therapy with
how long, how often, the group, who and where, in place with htmx; a part-minute is refused in the
error summary and mended from its link; the plan shows the provision as one sentence. axe on each state.

The journey runs on a server of its own, as it changes Sam's plan.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import journey_server, signed_in_pages, with_problems_kept

NARROW: ViewportSize = {"width": 320, "height": 640}
WORDS = "Colourful Semantics to build spoken sentences"
SENTENCE = (
    "30 minutes, 3 times a week, in a small group of 4, by a speech and language therapist trained in"
    " Colourful Semantics; in the therapy room; from 4 January 2027 to 16 July 2027."
)


@pytest.fixture(scope="module")
def priya(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Page, int]]:
    """Priya Shah signed in on a 320 px screen, with Sam's plan id, on a server of the journey's own."""
    folder = tmp_path_factory.mktemp("structured-provision")
    with journey_server(folder) as journey, signed_in_pages(browser, journey) as signed_in:
        yield with_problems_kept(signed_in("Priya Shah", NARROW)), journey.plan_of("Sam Taylor")


def tab_to(page: Page, field: Locator, *, most: int = 40) -> None:
    """Press Tab until the field has the focus: it is reached by keyboard, in the form's order."""
    for _ in range(most):
        if field.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(field).to_be_focused()


def type_into(page: Page, field: Locator, words: str) -> None:
    tab_to(page, field)
    page.keyboard.type(words)


def choose(page: Page, select: Locator, label: str, value: str) -> None:
    """Choose an option of a select by typing its first letters, as a keyboard user does."""
    tab_to(page, select)
    page.keyboard.type(label)
    expect(select).to_have_value(value)


def fits_320px(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 320 px"


def test_priya_adds_structured_provision_by_keyboard_at_320px(
    priya: tuple[Page, int], screenshots_dir: Path
) -> None:
    page, plan_id = priya
    page.goto(f"/plans/{plan_id}/sections/F")
    support = page.locator("#section-F")
    support.get_by_role("link", name="Add provision").focus()
    page.keyboard.press("Enter")
    form = support.locator("form")
    words = form.get_by_label("What the support is", exact=True)
    expect(words).to_be_focused()  # in place, the cursor in its first field
    assert page.url.endswith(f"/plans/{plan_id}/sections/F")
    page.keyboard.type(WORDS)
    type_into(page, form.get_by_label("How much", exact=True), "3")
    choose(page, form.get_by_label("Unit", exact=True), "Sessions", "sessions")
    choose(page, form.get_by_label("How often", exact=True), "A week", "week")
    type_into(page, form.get_by_label("Minutes each session", exact=True), "30.5")
    tab_to(page, form.get_by_role("radio", name="One to one"))
    page.keyboard.press("ArrowDown")  # the next choice: Small group
    expect(form.get_by_role("radio", name="Small group")).to_be_checked()
    type_into(page, form.get_by_label("How many children in the group", exact=True), "4")
    choose(page, form.get_by_label("Role", exact=True), "Speech", "speech_and_language_therapist")
    type_into(
        page, form.get_by_label("Expertise or training needed", exact=True), "trained in Colourful Semantics"
    )
    type_into(page, form.get_by_label("Where", exact=True), "the therapy room")
    for name, typed in (("starts_on", ("4", "1", "2027")), ("ends_on", ("16", "7", "2027"))):
        for part, value in zip(("day", "month", "year"), typed, strict=True):
            type_into(page, form.locator(f"[name='{name}-{part}']"), value)
    fits_320px(page)
    assert_accessible(page)
    # caret="initial": hiding the caret leaves style="" on each input, which htmx's settling then copies
    # onto the swapped form, and the Content Security Policy refuses (a console error of the test's own).
    page.screenshot(path=str(screenshots_dir / "structured-provision-form-320.png"), caret="initial")

    # Saved with a part-minute: the error summary takes the focus, its link leads to the field.
    tab_to(page, form.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    summary = support.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter how long each session is as a whole number of minutes, like 30")
    assert_accessible(page)
    fits_320px(page)
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")
    minutes = support.get_by_label("Minutes each session", exact=True)
    expect(minutes).to_be_focused()
    expect(minutes).to_have_value("30.5")  # what was typed is kept
    page.keyboard.press("Control+A")
    page.keyboard.type("30")
    tab_to(page, support.get_by_role("button", name="Save"), most=60)
    page.keyboard.press("Enter")

    added = support.locator("li.oneplan-item").filter(has_text=WORDS)
    expect(added).to_be_focused()  # the new provision, opened
    expect(added.locator(".oneplan-particulars")).to_contain_text(SENTENCE)
    expect(added).not_to_contain_text("It does not say")
    fits_320px(page)
    assert_accessible(page)
    page.screenshot(path=str(screenshots_dir / "structured-provision-added-320.png"), caret="initial")
    assert page.problems == [], "\n".join(page.problems)  # type: ignore[attr-defined]
