"""Alex Taylor forgets their password: asks for a link, follows it from the outbox, chooses a new
password and signs in with it, all by keyboard, with no axe violations on any page.

This journey changes a demo persona's password, so it runs on a server and database of its own
(the shared live server's Alex keeps the demo password for the other journeys).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.auth import SESSION_COOKIE
from app.config import Environment, Settings
from app.db import build_engine
from app.models import OutboxMessage
from app.services.demo import create_demo, demo_person
from tests.browser.accessibility import assert_accessible
from tests.browser.server import running_server
from tests.databases import migrated_database
from tests.factories import session_token_for

ALEX = "alex.taylor@family.example"
NEW_PASSWORD = "purple elephants dancing"


@dataclass(frozen=True)
class OwnServer:
    base: str
    engine: Engine


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnServer]:
    folder = tmp_path_factory.mktemp("reset")
    with migrated_database(folder) as url:
        settings = Settings(environment=Environment.TEST, database_url=url, data_dir=folder, demo_mode=True)
        engine = build_engine(settings)
        with Session(engine) as db:
            create_demo(db, settings)
            db.commit()
        with running_server(settings.model_copy(update={"public_url": "http://placeholder"})) as base:
            yield OwnServer(base, engine)
        engine.dispose()


def newest_link_to(server: OwnServer, address: str) -> str:
    """The link in the newest message to the address, read from the outbox table."""
    with Session(server.engine) as db:
        message = db.exec(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == address)
            .order_by(col(OutboxMessage.id).desc())
        ).first()
    assert message is not None, "no e-mail was kept in the outbox"
    match = re.search(r"http://placeholder(/password-reset/\S+)", message.body)
    assert match is not None, message.body
    return server.base + match.group(1)


def test_a_parent_resets_their_password_by_keyboard(
    page: Page, own_server: OwnServer, browser_problems: list[str], screenshots_dir: Path
) -> None:
    page.goto(own_server.base + "/sign-in")
    page.get_by_role("link", name="I have forgotten my password").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    assert_accessible(page)

    page.get_by_label("E-mail address").focus()
    page.keyboard.type(ALEX)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    assert_accessible(page)

    link = newest_link_to(own_server, ALEX)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page)

    # A mistake first: the error summary takes the focus and links to the field.
    page.get_by_label("New password", exact=True).focus()
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show password").first).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Enter the new password again")).to_be_focused()
    page.keyboard.type("not the same words")
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter the same password twice")
    expect(page).to_have_title("Error: Choose a new password – OnePlan")
    assert_accessible(page)
    summary.get_by_role("link").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Enter the new password again")).to_be_focused()

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Enter the new password again").focus()
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    page.screenshot(path=screenshots_dir / "password-changed.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("link", name="Sign in", exact=True).focus()
    page.keyboard.press("Enter")
    page.get_by_label("E-mail address").focus()
    page.keyboard.type(ALEX)
    page.keyboard.press("Tab")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed in as")).to_contain_text("Alex Taylor")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    assert_accessible(page)
    assert [problem for problem in browser_problems if "status of 410" not in problem] == []


def test_the_outbox_page_shows_where_the_reset_mail_stands_but_never_its_link(
    page: Page, own_server: OwnServer, browser_problems: list[str], screenshots_dir: Path
) -> None:
    with Session(own_server.engine) as db:
        token = session_token_for(db, demo_person(db, "Admin"))
        db.commit()
    page.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": own_server.base}])
    page.goto(own_server.base + "/password-reset")
    page.get_by_label("E-mail address").fill(ALEX)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    page.goto(own_server.base + "/outbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    expect(page.get_by_role("cell", name=ALEX).first).to_be_visible()
    expect(page.get_by_role("cell", name="Queued").first).to_be_visible()
    expect(page.get_by_text("Reset your OnePlan password")).to_have_count(0)
    expect(page.locator("a[href*='password-reset/']")).to_have_count(0)
    page.screenshot(path=screenshots_dir / "outbox.png", full_page=True)
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the outbox scrolls sideways by {overflow}px at 320px"
    assert_accessible(page)
    assert browser_problems == []
