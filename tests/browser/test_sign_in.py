"""A parent signs in and out with e-mail and password, by keyboard; admin and account pages pass axe."""

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.services.demo import DEMO_PASSWORD
from tests.browser.accessibility import assert_accessible


def test_parent_signs_in_and_out_by_keyboard(
    page: Page, browser_problems: list[str], screenshots_dir: Path
) -> None:
    page.goto("/sign-in")
    assert_accessible(page)
    page.get_by_label("E-mail address").focus()
    page.keyboard.type("alex.taylor@family.example")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed in as")).to_contain_text("Alex Taylor")
    page.screenshot(path=screenshots_dir / "signed-in.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    assert_accessible(page)
    page.goto("/account")
    assert page.url.endswith("/sign-in?next=/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to OnePlan")
    assert browser_problems == []


def test_wrong_password_shows_the_error_summary(page: Page, browser_problems: list[str]) -> None:
    page.goto("/sign-in")
    page.get_by_label("E-mail address").fill("alex.taylor@family.example")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter a correct e-mail address and password")
    expect(page).to_have_title("Error: Sign in – OnePlan")
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(page.get_by_label("E-mail address")).to_be_focused()
    assert browser_problems == []


@pytest.mark.parametrize(
    ("persona", "path", "heading"),
    [
        ("Admin", "/admin/organisations", "Organisations"),
        ("Admin", "/admin/organisations/new", "Add an organisation"),
        ("Admin", "/admin/people", "People"),
        ("Admin", "/admin/people/invite", "Invite a member of staff"),
        ("Alex Taylor", "/account", "Your account"),
        ("Alex Taylor", "/account/tokens", "API tokens"),
    ],
)
def test_admin_and_account_pages_pass_axe_at_320px(
    page: Page,
    signed_in_as: Callable[[str], None],
    browser_problems: list[str],
    persona: str,
    path: str,
    heading: str,
) -> None:
    signed_in_as(persona)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert_accessible(page)
    assert browser_problems == []


def test_admin_form_errors_link_to_their_fields(
    page: Page, signed_in_as: Callable[[str], None], browser_problems: list[str]
) -> None:
    signed_in_as("Admin")
    page.goto("/admin/people/invite")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the person's full name")
    assert_accessible(page)
    assert browser_problems == []
