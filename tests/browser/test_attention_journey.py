"""The plan as people use it, in a real browser: Alex signs in and sees the help Sam did not get and what
changed since he last looked, first on his dashboard and at the top of Sam's plan, on a phone and on a
desktop, without scrolling; a keyboard user reaches the plan's provision in a few key presses. axe runs
on every page. The journey has a server of its own (it adds a comment that other journeys do not expect).
"""

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from app.actor import Actor
from app.config import Settings
from app.db import build_engine
from app.models import Item, Section
from app.services.demo import demo_person
from app.services.plans import items
from app.services.plans.access import plan_access
from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import Journey, journey_server, signed_in_pages

SIZES = [{"width": 320, "height": 640}, {"width": 1280, "height": 800}]


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings, int]]:
    with journey_server(tmp_path_factory.mktemp("attention-journey")) as served:
        yield served.base, served.settings, served.plan_of("Sam Taylor")


@pytest.fixture
def open_as(browser: Browser, journey: tuple[str, Settings, int]) -> Iterator[Callable[..., Page]]:
    base, settings, _plan_id = journey
    with signed_in_pages(browser, Journey(base, settings)) as open_page:
        yield open_page


def comment_as(settings: Settings, name: str, plan_id: int, words: str) -> None:
    engine = build_engine(settings)
    with Session(engine) as db:
        actor = Actor.command(demo_person(db, name))
        item = db.exec(select(Item).where(Item.plan_id == plan_id, Item.section == Section.E)).first()
        assert item is not None
        items.add_comment(db, actor, plan_access(db, actor, plan_id), item, words)
        db.commit()
    engine.dispose()


@pytest.mark.parametrize("viewport", SIZES, ids=["320 px", "desktop"])
def test_alex_sees_the_shortfall_and_what_changed_first(
    open_as: Callable[..., Page], journey: tuple[str, Settings, int], viewport: dict[str, int]
) -> None:
    _base, settings, plan_id = journey
    alex = open_as("Alex Taylor", viewport)
    alex.goto(f"/plans/{plan_id}")  # he has looked at the plan once
    comment_as(settings, "Dr Aisha Khan", plan_id, f"Could we say which term? ({viewport['width']} px)")

    alex.goto("/dashboard")
    news = alex.locator(".oneplan-dashboard-news__plan").filter(has_text="Sam Taylor")
    expect(
        news.get_by_role("link", name=re.compile("Sam got less help than the plan promises"))
    ).to_be_in_viewport()
    expect(news.get_by_text("1 new comment")).to_be_in_viewport()
    assert_accessible(alex)
    assert alex.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    news.get_by_role("link", name="Sam Taylor").click()
    expect(alex.get_by_role("heading", level=1)).to_have_text("Sam Taylor")
    attention = alex.locator("#attention")
    expect(attention.get_by_role("heading", name="Needs attention")).to_be_in_viewport()
    shortfall = attention.get_by_role("link", name=re.compile("Sam got less help than the plan promises"))
    expect(shortfall).to_be_in_viewport()
    expect(alex.locator("#news")).to_contain_text("1 new comment")
    assert_accessible(alex)
    assert alex.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    shortfall.click()
    expect(alex).to_have_url(re.compile(rf"/plans/{plan_id}/delivery/\d+"))


def test_a_keyboard_user_reaches_the_provision_in_five_key_presses(
    open_as: Callable[..., Page], journey: tuple[str, Settings, int]
) -> None:
    _base, _settings, plan_id = journey
    priya = open_as("Priya Shah", SIZES[1])
    priya.goto(f"/plans/{plan_id}")
    # Four presses: the skip link, into the page, the first of the plan's parts (its provision), open it.
    for key in ["Tab", "Enter", "Tab", "Enter"]:
        priya.keyboard.press(key)
    expect(priya).to_have_url(re.compile(rf"/plans/{plan_id}/sections/F#section-F$"))
    expect(priya.get_by_role("heading", level=1)).to_contain_text("Support in school")
    assert_accessible(priya)
