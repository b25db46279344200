"""The plan written together, in a real browser: a need, health provision, a comment, and two people
saving the same outcome at once without losing either's words. axe runs on every page and state.

The journeys run on a server of their own, as they change Sam's plan.
"""

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from app.config import Settings
from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import Journey, journey_server, signed_in_pages, with_problems_kept

LUNCH_OUTCOME = "By Easter, Sam will eat his lunch calmly"


@pytest.fixture(scope="module")
def plan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings, int]]:
    with journey_server(tmp_path_factory.mktemp("plan-journey")) as journey:
        yield journey.base, journey.settings, journey.plan_of("Sam Taylor")


@pytest.fixture
def person_page(browser: Browser, plan_server: tuple[str, Settings, int]) -> Iterator[Callable[..., Page]]:
    """A browser page signed in as a demo persona, each in its own context (as on their own computer)."""
    base, settings, _plan_id = plan_server
    with signed_in_pages(browser, Journey(base, settings)) as signed_in:

        def open_as(name: str, *, javascript: bool = True, width: int = 1024) -> Page:
            viewport: ViewportSize = {"width": width, "height": 900}
            return with_problems_kept(signed_in(name, viewport, java_script_enabled=javascript))

        yield open_as


def section(page: Page, title: str) -> "Locator":
    return page.locator("section.oneplan-section").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


def open_section(page: Page, title: str) -> Locator:
    """Open a part of the plan from the plan page's contents (in place with htmx, its own page without)."""
    page.locator("nav.oneplan-contents").get_by_role("link", name=title, exact=True).click()
    return section(page, title)


def opened(item: Locator) -> Locator:
    """An item of a section, opened from its one line to show all of it."""
    item.locator("summary").first.click()
    expect(item.locator("details").first).to_have_attribute("open", "")
    return item


def no_problems(page: Page) -> None:
    assert page.problems == []  # type: ignore[attr-defined]


def test_priya_adds_a_need_by_keyboard_in_place(
    person_page: Callable[..., Page], plan_server: tuple[str, Settings, int], screenshots_dir: Path
) -> None:
    _base, _settings, plan_id = plan_server
    priya = person_page("Priya Shah")
    priya.goto("/plans")
    assert_accessible(priya)
    priya.get_by_role("link", name=re.compile("Sam Taylor")).click()
    expect(priya.get_by_role("heading", level=1)).to_have_text("Sam Taylor")
    assert_accessible(priya)
    needs = open_section(priya, "Barriers to learning")
    expect(priya.get_by_role("heading", level=1)).to_have_text("Sam Taylor")  # loaded in place
    expect(priya).to_have_url(re.compile(f"/plans/{plan_id}/sections/B$"))  # its own address
    assert_accessible(priya)
    needs.get_by_role("link", name=re.compile("Add a need")).focus()
    priya.keyboard.press("Enter")
    text = needs.get_by_label("What makes learning harder for the child")
    expect(text).to_be_focused()
    assert priya.url.endswith(f"/plans/{plan_id}/sections/B"), "the form opened in place"
    # Saved with nothing in it: the errors come back in place, the summary first.
    priya.keyboard.press("Tab")
    needs.get_by_role("button", name="Save").click()
    expect(needs.locator(".govuk-error-summary")).to_contain_text("Enter the words of the need")
    expect(needs.locator(".govuk-error-summary")).to_contain_text("Select the area of need")
    assert_accessible(priya)
    text.fill("Sam loses his place when copying from the board and stops working.")
    needs.get_by_role("radio", name="Cognition and learning").check()
    needs.get_by_role("button", name="Save").press("Enter")
    item = needs.locator("li.oneplan-item").filter(has_text="Sam loses his place when copying")
    expect(item).to_contain_text("Priya Shah")
    expect(item).to_contain_text("Cognition and learning")
    assert_accessible(priya)
    priya.screenshot(path=str(screenshots_dir / "plan-need-added.png"), full_page=False)
    no_problems(priya)


def test_dr_khan_adds_health_provision_and_alex_comments(person_page: Callable[..., Page]) -> None:
    khan = person_page("Dr Aisha Khan")
    khan.goto("/plans")
    khan.get_by_role("link", name=re.compile("Sam Taylor")).click()
    school = open_section(khan, "Support in school")
    expect(school.locator("li.oneplan-item").first).to_be_visible()
    expect(school.get_by_role("link", name=re.compile("Add provision"))).to_have_count(0)
    health = open_section(khan, "Health support")
    health.get_by_role("link", name=re.compile("Add provision")).click()
    health.get_by_label("What the support is", exact=True).fill(
        "Sensory circuit before school, led by a trained assistant."
    )
    health.get_by_label("Named service or other role", exact=True).fill(
        "Teaching assistant trained by the OT"
    )
    health.get_by_label("How much", exact=True).fill("15")
    health.get_by_label("Unit", exact=True).select_option("minutes")
    health.get_by_label("How often", exact=True).select_option("day")
    assert_accessible(khan)
    health.get_by_role("button", name="Save").click()
    provision = health.locator("li.oneplan-item").filter(has_text="Sensory circuit before school")
    expect(provision).to_contain_text("15 minutes a day")
    expect(provision).to_contain_text("Dr Aisha Khan")
    no_problems(khan)

    alex = person_page("Alex Taylor", width=320)
    alex.goto("/plans")
    alex.get_by_role("link", name=re.compile("Sam Taylor")).click()
    provision = opened(
        open_section(alex, "Health support")
        .locator("li.oneplan-item")
        .filter(has_text="Sensory circuit before school")
    )
    expect(provision.locator("textarea")).to_have_count(0)  # the form only when asked for
    provision.get_by_role("link", name=re.compile("^Comment")).click()
    expect(provision.get_by_label("Your comment")).to_be_focused()
    provision.get_by_label("Your comment").fill("We can do the same circuit at weekends.")
    provision.get_by_role("button", name="Add comment").click()
    expect(provision.locator(".oneplan-comment")).to_contain_text("We can do the same circuit at weekends.")
    expect(provision.locator(".oneplan-comment")).to_contain_text("Alex Taylor")
    assert alex.evaluate("document.documentElement.scrollWidth") <= 320, "the plan fits a 320 px screen"
    assert_accessible(alex)
    no_problems(alex)


def test_two_people_save_the_same_outcome_and_both_texts_survive(person_page: Callable[..., Page]) -> None:
    priya, tom = person_page("Priya Shah"), person_page("Tom Baker")
    for page in (priya, tom):
        page.goto("/plans")
        page.get_by_role("link", name=re.compile("Sam Taylor")).click()
        outcome = opened(
            open_section(page, "Outcomes: what we want to achieve")
            .locator("li.oneplan-item")
            .filter(has_text=LUNCH_OUTCOME)
        )
        outcome.get_by_role("link", name=re.compile("^Edit")).click()
    priya_words = (
        "By Easter, Sam will eat his lunch calmly in the library and come back to class ready to learn."
    )
    tom_words = (
        "By Easter, Sam will eat his lunch calmly with a friend and settle within five minutes of the bell."
    )
    priya_form = priya.locator("li.oneplan-item--editing")
    priya_form.get_by_label("What the child will be able to do").fill(priya_words)
    priya_form.get_by_role("button", name="Save").click()
    expect(priya.locator(".oneplan-words", has_text=priya_words)).to_be_visible()

    tom_form = tom.locator("li.oneplan-item--editing")
    tom_form.get_by_label("What the child will be able to do").fill(tom_words)
    tom_form.get_by_role("button", name="Save").click()
    conflict = tom.locator(".oneplan-conflict")
    expect(conflict).to_contain_text("Someone saved this while you were editing")
    expect(conflict).to_contain_text(priya_words)
    expect(conflict).to_contain_text(tom_words)
    merge_box = tom.locator("li.oneplan-item--editing").get_by_label(
        re.compile("Your words, to save as revision")
    )
    expect(merge_box).to_have_value(tom_words)
    assert_accessible(tom)
    merged = (
        "By Easter, Sam will eat his lunch calmly in the library with a friend, and settle back in class "
        "within five minutes of the bell."
    )
    merge_box.fill(merged)
    tom.locator("li.oneplan-item--editing").get_by_role("button", name="Save my words").click()
    expect(tom.locator(".oneplan-words", has_text=merged)).to_be_visible()

    merged_item = tom.locator("li.oneplan-item").filter(has_text=merged)
    merged_item.get_by_role("link", name=re.compile("Revision 3 of this outcome")).click()
    expect(tom.get_by_role("heading", level=1)).to_be_visible()
    expect(tom.locator("main .oneplan-words").first).to_have_text(merged)
    tom.get_by_text("Revision 2", exact=True).click()
    expect(tom.locator("#revision-2")).to_contain_text(priya_words)
    expect(tom.locator("#revision-2")).to_contain_text("Priya Shah")
    assert_accessible(tom)
    no_problems(priya)
    no_problems(tom)


def test_without_javascript_a_member_adds_an_outcome_through_pages(person_page: Callable[..., Page]) -> None:
    tom = person_page("Tom Baker", javascript=False)
    tom.goto("/plans")
    tom.get_by_role("link", name=re.compile("Sam Taylor")).click()
    open_section(tom, "Outcomes: what we want to achieve").get_by_role(
        "link", name=re.compile("Add an outcome")
    ).click()
    expect(tom.get_by_role("heading", level=1)).to_contain_text("outcome")
    tom.get_by_role("button", name="Save").click()
    expect(tom.get_by_role("alert")).to_contain_text("Enter the words of the outcome")
    tom.get_by_label("What the child will be able to do").fill(
        "By July, Sam will read a short book on his own."
    )
    tom.get_by_role("button", name="Save").click()
    # On its section's own page, one line until opened.
    new_outcome = tom.locator("li.oneplan-item").filter(
        has_text="By July, Sam will read a short book on his own."
    )
    expect(new_outcome).to_be_visible()
    assert "/sections/E" in tom.url
    opened(new_outcome).get_by_role("link", name=re.compile("^Comment")).click()
    expect(tom.get_by_role("heading", level=1)).to_contain_text("History of this outcome")
    tom.get_by_label("Add a comment").fill("Reading at home helps too.")
    tom.get_by_role("button", name="Add comment").click()
    expect(tom.locator(".oneplan-comment")).to_contain_text("Reading at home helps too.")


def test_the_add_page_without_htmx_passes_axe_with_its_errors(
    person_page: Callable[..., Page], plan_server: tuple[str, Settings, int]
) -> None:
    """The whole-page form that browsers without JavaScript get (axe itself needs JavaScript to run)."""
    _base, _settings, plan_id = plan_server
    priya = person_page("Priya Shah")
    priya.goto(f"/plans/{plan_id}/sections/F/new")
    assert_accessible(priya)
    priya.get_by_label("How much", exact=True).fill("3")
    priya.get_by_role("button", name="Save").click()
    expect(priya.get_by_role("alert")).to_contain_text("Enter the words of the provision")
    expect(priya).to_have_title(re.compile("^Error: "))
    assert_accessible(priya)
    no_problems(priya)
