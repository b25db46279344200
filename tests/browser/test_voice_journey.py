"""Sam's voice, in a real browser: Sam signs in with his card, adds a view with a drawing and chooses
who sees it (at 320px, by keyboard); Priya links an outcome to it; Sam sees the answer on his page;
Chris Wood, not on Sam's plan, cannot find it. axe runs on every screen of the young person's page.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlmodel import Session, select

from app.auth import SESSION_COOKIE
from app.config import Environment, Settings
from app.db import build_engine
from app.models import Child, Plan
from app.services.demo import create_demo, demo_person
from tests.browser.accessibility import assert_accessible
from tests.browser.server import running_server
from tests.browser.test_child_sign_in import PICTURES, fits_320px, tap_by_keyboard
from tests.databases import migrated_database
from tests.factories import session_token_for

NARROW: ViewportSize = {"width": 320, "height": 800}


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings, int, str]]:
    folder = tmp_path_factory.mktemp("voice-journey")
    with migrated_database(folder) as url:
        settings = Settings(environment=Environment.TEST, database_url=url, data_dir=folder)
        engine = build_engine(settings)
        with Session(engine) as db:
            world = create_demo(db, settings)
            card = urlsplit(world.sam_card.link(settings.public_url)).path
            sam = demo_person(db, "Sam Taylor")
            plan = db.exec(select(Plan).join(Child).where(Child.person_id == sam.id)).one()
            plan_id = int(plan.id or 0)
            db.commit()
        engine.dispose()
        with running_server(settings) as base:
            yield base, settings, plan_id, card


def signed_in(browser: Browser, base: str, settings: Settings, name: str) -> Page:
    engine = build_engine(settings)
    with Session(engine) as db:
        token = session_token_for(db, demo_person(db, name))
        db.commit()
    engine.dispose()
    context = browser.new_context(base_url=base, viewport={"width": 1024, "height": 900})
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base}])
    return context.new_page()


def drawing(folder: Path) -> Path:
    path = folder / "my-dragon.png"
    Image.new("RGB", (120, 90), "orange").save(path, format="PNG")
    return path


def test_sam_is_heard_and_answered(
    browser: Browser, voice_server: tuple[str, Settings, int, str], tmp_path: Path
) -> None:
    base, settings, plan_id, card = voice_server
    context = browser.new_context(base_url=base, viewport=NARROW)
    sam = context.new_page()
    problems: list[str] = []
    sam.on("pageerror", lambda error: problems.append(str(error)))
    sam.goto(card)
    tap_by_keyboard(sam, PICTURES)
    expect(sam.get_by_role("heading", level=1)).to_have_text("Hello Sam")

    sam.goto(f"/plans/{plan_id}/my-views")
    fits_320px(sam)
    assert_accessible(sam)
    sam.get_by_role("button", name="Tell your team something").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("What do you like?")
    fits_320px(sam)
    assert_accessible(sam)
    sam.get_by_label("What do you like?").fill("I like the big slide in the park.")
    sam.get_by_label(re.compile("Add a drawing or photo")).set_input_files(str(drawing(tmp_path)))
    sam.get_by_role("button", name="Next").click()
    for question in ("What are you good at?", "What is hard for you?", "What helps you?"):
        expect(sam.get_by_role("heading", level=1)).to_have_text(question)
        assert_accessible(sam)
        sam.get_by_role("button", name="Next").press("Enter")
    expect(sam.get_by_role("heading", level=1)).to_have_text("What do you want when you are older?")
    sam.get_by_label("What do you want when you are older?").fill("I want to drive a train.")
    sam.get_by_role("button", name="Next").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Who can see this?")
    fits_320px(sam)
    assert_accessible(sam)
    sam.get_by_label("Only the people I pick").check()
    sam.get_by_label("Priya Shah").check()
    sam.get_by_label("Alex, your mum, dad or carer").check()
    sam.get_by_role("button", name="Next").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(sam.get_by_role("img", name="Your picture")).to_be_visible()
    fits_320px(sam)
    assert_accessible(sam)
    sam.get_by_role("button", name="Send to my team").click()
    expect(sam.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(sam.get_by_text("I like the big slide in the park.")).to_be_visible()
    fits_320px(sam)
    assert_accessible(sam)
    sam.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(sam)

    priya = signed_in(browser, base, settings, "Priya Shah")
    priya.goto(f"/plans/{plan_id}")
    expect(priya.get_by_text("I like the big slide in the park.").first).to_be_visible()
    # The outcome itself, opened on its section's page.
    priya.goto(f"/plans/{plan_id}/sections/E")
    outcome = priya.locator("li.oneplan-item").filter(has_text="By the end of Year 4").first
    outcome.locator("summary").click()
    outcome.get_by_role("link", name=re.compile("What this answers")).click()
    priya.get_by_label(re.compile("I like the big slide")).check()
    priya.get_by_role("button", name="Link", exact=True).click()
    expect(priya.locator(".oneplan-links")).to_contain_text("I like the big slide in the park.")
    assert_accessible(priya)

    sam.goto(f"/plans/{plan_id}/my-views")
    expect(sam.locator(".oneplan-view-card").filter(has_text="big slide")).to_contain_text(
        "Your team set a goal: By the end of Year 4"
    )
    assert_accessible(sam)
    sam.set_viewport_size(NARROW)
    fits_320px(sam)
    assert_accessible(sam)
    assert problems == []

    chris = signed_in(browser, base, settings, "Chris Wood")
    assert chris.goto(f"/plans/{plan_id}").status == 404  # type: ignore[union-attr]
    assert chris.goto(f"/plans/{plan_id}/my-views").status == 404  # type: ignore[union-attr]
    chris.goto("/plans")
    expect(chris.get_by_text("Sam Taylor")).to_have_count(0)
