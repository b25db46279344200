"""Staff sign in with a password and a code from their authenticator app, by keyboard, with no axe violations.

These journeys run against a server of their own: a code works once, so sharing the demo staff
with other journeys on the shared live server would make them depend on each other's timing.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.config import Environment, Settings
from app.db import build_engine
from app.models import Person, PersonRole
from app.services.auth.passwords import hash_password
from app.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, create_demo, demo_person
from tests.browser.accessibility import assert_accessible
from tests.browser.server import running_server
from tests.databases import migrated_database

NEW_STAFF_EMAIL = "new.teacher@riverside.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo world plus a teacher who has a password but no authenticator app yet."""
    folder = tmp_path_factory.mktemp("staff-sign-in")
    with migrated_database(folder) as url:
        settings = Settings(environment=Environment.TEST, database_url=url, data_dir=folder)
        engine = build_engine(settings)
        with Session(engine) as db:
            create_demo(db, settings)
            priya = demo_person(db, "Priya Shah")
            db.add(
                Person(
                    display_name="Nia Evans",
                    email=NEW_STAFF_EMAIL,
                    role=PersonRole.EDUCATION,
                    organisation_id=priya.organisation_id,
                    password_hash=hash_password(DEMO_PASSWORD),
                )
            )
            db.commit()
        engine.dispose()
        with running_server(settings) as base:
            yield base


def sign_in_with_password(page: Page, server: str, email: str) -> None:
    page.goto(f"{server}/sign-in")
    page.get_by_label("E-mail address").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")


def test_priya_signs_in_with_her_authenticator_app_and_signs_out(
    page: Page, server: str, browser_problems: list[str], screenshots_dir: Path
) -> None:
    sign_in_with_password(page, server, "priya.shah@riverside.example")
    expect(page).to_have_url(re.compile(r"/sign-in/second-factor\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    code = page.get_by_label("Code", exact=True)
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    assert_accessible(page)

    # A mistyped code: the error summary takes focus and its link leads back to the field.
    code.focus()
    page.keyboard.type("000000" if pyotp.TOTP(DEMO_TOTP_SECRET).now() != "000000" else "111111")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(code).to_be_focused()

    page.keyboard.type(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server}/")
    expect(page.locator(".oneplan-header__person")).to_have_text("Signed in as Priya Shah")
    page.screenshot(path=screenshots_dir / "staff-signed-in.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server}/signed-out")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    assert_accessible(page)
    assert browser_problems == []


def test_new_member_of_staff_sets_up_an_authenticator_app(
    page: Page, server: str, browser_problems: list[str], screenshots_dir: Path
) -> None:
    sign_in_with_password(page, server, NEW_STAFF_EMAIL)
    expect(page).to_have_url(re.compile(r"/sign-in/second-factor/set-up\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name="QR code to add OnePlan to your authenticator app")).to_be_visible()
    page.screenshot(path=screenshots_dir / "second-factor-set-up.png", full_page=True)
    assert_accessible(page)

    key = page.locator("#key").inner_text().replace(" ", "")
    page.get_by_label("Code", exact=True).focus()
    page.keyboard.type(pyotp.TOTP(key).now())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page)

    page.get_by_role("button", name="I have saved these codes").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server}/")
    expect(page.locator(".oneplan-header__person")).to_have_text("Signed in as Nia Evans")

    page.goto(f"{server}/account/second-factor")
    expect(page.get_by_text("10 of 10")).to_be_visible()
    assert_accessible(page)
    assert browser_problems == []
