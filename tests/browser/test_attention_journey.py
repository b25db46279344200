"""The plan as people use it, in a real browser: Alex signs in and sees the help Sam did not get and what
changed since he last looked, first on his dashboard and at the top of Sam's plan, on a phone and on a
desktop, without scrolling; a keyboard user reaches the plan's provision in a few key presses. axe runs
on every page. The journey has a server of its own (it adds a comment that other journeys do not expect).
"""

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session, select

from app import migrate
from app.actor import Actor
from app.auth import SESSION_COOKIE
from app.config import Environment, Settings
from app.db import build_engine
from app.models import Child, Item, Plan, Section
from app.services.demo import create_demo, demo_person
from app.services.plans import items
from app.services.plans.access import plan_access
from tests.browser.accessibility import assert_accessible
from tests.browser.server import running_server
from tests.databases import fresh_database
from tests.factories import session_token_for

SIZES = [{"width": 320, "height": 640}, {"width": 1280, "height": 800}]


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings, int]]:
    folder = tmp_path_factory.mktemp("attention-journey")
    with fresh_database(folder) as url:
        migrate.upgrade(url)
        settings = Settings(environment=Environment.TEST, database_url=url, data_dir=folder)
        engine = build_engine(settings)
        with Session(engine) as db:
            create_demo(db, settings)
            plan = db.exec(select(Plan).join(Child).where(Child.full_name == "Sam Taylor")).one()
            plan_id = int(plan.id or 0)
            db.commit()
        engine.dispose()
        with running_server(settings) as base:
            yield base, settings, plan_id


@pytest.fixture
def open_as(browser: Browser, journey: tuple[str, Settings, int]) -> Iterator[Callable[..., Page]]:
    base, settings, _plan_id = journey
    contexts: list[BrowserContext] = []

    def open_page(name: str, viewport: dict[str, int]) -> Page:
        engine = build_engine(settings)
        with Session(engine) as db:
            token = session_token_for(db, demo_person(db, name))
            db.commit()
        engine.dispose()
        context = browser.new_context(base_url=base, viewport=viewport)  # type: ignore[arg-type]
        context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base}])
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


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
