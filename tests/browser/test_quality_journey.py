"""Plan quality in a real browser: Priya writes vague provision and sees the flags and advice as she
types; she saves it anyway (a draft is never blocked), then rewrites it and the flags clear. Morgan,
the LA case officer, sees the council's count of vague provision go up and down. axe on every state.

The journey runs on a server of its own, as it changes Sam's plan.
"""

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from app.config import Settings
from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import Journey, journey_server, signed_in_pages, with_problems_kept

VAGUE = "access to a quiet space when appropriate"
SPECIFIC = "a quiet room, 15 minutes, twice a day, with a teaching assistant"


@pytest.fixture(scope="module")
def quality_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    with journey_server(tmp_path_factory.mktemp("quality-journey")) as journey:
        yield journey.base, journey.settings


@pytest.fixture
def person_page(browser: Browser, quality_server: tuple[str, Settings]) -> Iterator[Callable[[str], Page]]:
    base, settings = quality_server
    with signed_in_pages(browser, Journey(base, settings)) as signed_in:
        yield lambda name: with_problems_kept(signed_in(name))


def vague_count(morgan: Page) -> str:
    morgan.goto("/la/quality")
    expect(morgan.get_by_role("heading", level=1)).to_have_text("Plan quality")
    assert_accessible(morgan)
    return morgan.locator("#la-vague").inner_text().strip()


def test_priya_sees_vague_provision_flagged_as_she_types_and_morgan_sees_the_count(
    person_page: Callable[[str], Page],
) -> None:
    morgan = person_page("Morgan Price")
    assert vague_count(morgan) == "1"  # the demo's short breaks

    priya = person_page("Priya Shah")
    priya.goto("/plans")
    priya.get_by_role("link", name=re.compile("Sam Taylor")).click()
    expect(priya.locator("#quality-summary")).to_contain_text("Broken in")
    priya.get_by_role("link", name=re.compile("Every check, need by need")).click()
    expect(priya.locator("#quality")).to_contain_text("This need has no provision yet")
    assert_accessible(priya)
    priya.get_by_role("link", name="Back to the plan").click()
    priya.locator("nav.oneplan-contents").get_by_role("link", name="Support in school", exact=True).click()
    support = priya.locator("#section-F")
    support.get_by_role("link", name=re.compile("Add provision")).click()
    # htmx listens for typing once it has processed the form shown in place: on a busy machine the form
    # shows (and could be typed into) sooner.
    priya.wait_for_function(
        "() => !!document.querySelector('#section-F .oneplan-quality-live')?.['htmx-internal-data']"
    )
    words = support.get_by_label("What the support is")
    words.fill(VAGUE)
    live = support.locator(".oneplan-quality-live")
    expect(live).to_contain_text("Vague wording: “access to”")
    expect(live).to_contain_text("Vague wording: “when appropriate”")
    expect(live).to_contain_text("Say what the child will get")
    expect(live).to_contain_text("It does not say who delivers it")
    assert_accessible(priya)
    # The flags never stop a draft being saved: it is saved, and flagged beside the provision.
    support.get_by_role("button", name="Save").click()
    saved = support.locator("li.oneplan-item").filter(has_text=VAGUE)
    expect(saved.locator(".oneplan-quality-flags")).to_contain_text("Vague wording: “access to”")
    assert vague_count(morgan) == "2"

    saved.get_by_role("link", name=re.compile("^Edit")).click()
    editing = support.locator("li.oneplan-item--editing")
    editing.get_by_label("What the support is").fill(SPECIFIC)
    live = editing.locator(".oneplan-quality-live")
    expect(live).to_contain_text("This provision is specific")
    expect(live).not_to_contain_text("Vague wording")
    assert_accessible(priya)
    editing.get_by_role("button", name="Save").click()
    rewritten = support.locator("li.oneplan-item").filter(has_text=SPECIFIC)
    expect(rewritten).to_be_visible()
    expect(rewritten).not_to_contain_text("Vague wording")
    expect(rewritten).not_to_contain_text("does not say how much")
    assert_accessible(priya)
    assert priya.problems == []  # type: ignore[attr-defined]

    assert vague_count(morgan) == "1"
    assert morgan.problems == []  # type: ignore[attr-defined]
