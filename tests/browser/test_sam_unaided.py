"""Sam (9) on his own, on a 320px phone, by touch: he signs in (a wrong picture first), adds a view with a
drawing in at most 8 taps from his home page, and reads My plan. Every screen fits, has no axe
violation and reads easily (Flesch reading ease 80 or more, leaving out the team's quoted words).
"""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import textstat
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect
from sqlmodel import Session

from app import migrate
from app.config import Environment, Settings
from app.db import build_engine
from app.services.demo import create_demo
from tests.browser.accessibility import assert_accessible
from tests.browser.server import running_server
from tests.browser.test_child_sign_in import PICTURES, fits_320px
from tests.databases import fresh_database

PHONE: ViewportSize = {"width": 320, "height": 568}
MOST_TAPS_FOR_A_VIEW = 8
READABLE_TEXT = """() => {
  const main = document.querySelector("main").cloneNode(true);
  main.querySelectorAll("textarea, script, .oneplan-team-words, .oneplan-view-card__answers").forEach(
    (node) => node.remove());
  return main.innerText;
}"""
"""The words of the page's main part that are OnePlan's own (the team's words are quoted as written)."""


@pytest.fixture(scope="module")
def sams_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("sam-unaided")
    with fresh_database(folder) as url:
        migrate.upgrade(url)
        settings = Settings(environment=Environment.TEST, database_url=url, data_dir=folder)
        engine = build_engine(settings)
        with Session(engine) as db:
            card = urlsplit(create_demo(db, settings).sam_card.link(settings.public_url)).path
            db.commit()
        engine.dispose()
        with running_server(settings) as base:
            yield base, card


class Sam:
    """Sam's phone: he taps (counted) and each new screen is checked as he sees it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.taps = 0

    def tap(self, target: Locator) -> None:
        self.taps += 1
        target.tap()

    def sees(self, heading: str) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_have_text(heading)
        fits_320px(self.page)
        assert_accessible(self.page)
        words = str(self.page.evaluate(READABLE_TEXT))
        assert textstat.flesch_reading_ease(words) >= 80, words

    def on_first_screen(self, target: Locator) -> None:
        box = target.bounding_box()
        assert box is not None
        assert box["y"] >= 0
        assert box["y"] + box["height"] <= PHONE["height"], f"{target} is below the first screen"


def drawing(folder: Path) -> Path:
    path = folder / "my-rocket.png"
    Image.new("RGB", (120, 90), "purple").save(path, format="PNG")
    return path


def test_sam_signs_in_adds_a_view_with_a_drawing_and_reads_his_plan_alone(
    browser: Browser, sams_world: tuple[str, str], tmp_path: Path
) -> None:
    base, card = sams_world
    context = browser.new_context(base_url=base, viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sam = Sam(page)

    page.goto(card)
    sam.sees("Pick your pictures")
    for picked, name in enumerate(("cat", "sun"), start=1):
        sam.tap(page.get_by_role("button", name=name, exact=True))
        expect(page.get_by_role("group", name=f"Picture {picked + 1} of 3")).to_be_visible()
    sam.tap(page.get_by_role("button", name="star", exact=True))
    message = page.get_by_role("alert")
    expect(message).to_contain_text("Those are not your pictures. Tap your 3 pictures again, in order.")
    sam.on_first_screen(message)
    assert page.evaluate("window.scrollY") == 0
    sam.sees("Pick your pictures")
    for picked, name in enumerate(PICTURES, start=1):
        sam.tap(page.get_by_role("button", name=name, exact=True))
        if picked < len(PICTURES):
            expect(page.get_by_role("group", name=f"Picture {picked + 1} of 3")).to_be_visible()
    sam.sees("Hello Sam")
    expect(page.get_by_role("link", name="Home")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    sam.taps = 0  # from his home page: the view
    sam.tap(page.get_by_role("button", name="My views"))
    sam.sees("What you told your team")
    sam.tap(page.get_by_role("button", name="Tell your team something"))
    sam.sees("What do you like?")
    box = page.get_by_label("What do you like?")
    sam.on_first_screen(box)
    sam.on_first_screen(page.get_by_role("button", name="Next"))
    sam.tap(box)
    page.keyboard.type("I like rockets and the moon.")
    with page.expect_file_chooser() as chooser:
        sam.tap(page.get_by_label("Add a drawing or photo (if you like)"))
    chooser.value.set_files(drawing(tmp_path))
    sam.tap(page.get_by_role("button", name="I have said all I want"))
    sam.sees("Who can see this?")
    expect(page.get_by_label("Tom Baker, from your school")).to_be_visible()
    sam.tap(page.get_by_role("button", name="Next"))
    sam.sees("Check your answers")
    expect(page.get_by_role("img", name="Your picture")).to_be_visible()
    sam.tap(page.get_by_role("button", name="Send to my team"))
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    sam.sees("What you told your team")
    sent = page.locator(".oneplan-view-card").filter(has_text="I like rockets and the moon.")
    expect(sent.get_by_role("img", name="Your picture")).to_be_visible()
    assert sam.taps <= MOST_TAPS_FOR_A_VIEW, f"{sam.taps} taps to add a view"

    sam.tap(page.get_by_role("link", name="Read my plan"))
    sam.sees("My plan: Sam")
    expect(page.get_by_text("I like rockets and the moon.")).to_be_visible()
    sam.tap(page.get_by_role("link", name="Home"))
    sam.sees("Hello Sam")
    assert problems == []
    context.close()
