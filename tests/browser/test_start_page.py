"""A visitor opens the start page with a keyboard, on a desktop and on a 320 px phone."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.accessibility import assert_accessible


def test_start_page_by_keyboard_with_no_axe_violations(
    page: Page, browser_problems: list[str], screenshots_dir: Path
) -> None:
    page.goto("/")
    expect(page).to_have_title("One plan for every child – OnePlan")
    expect(page.get_by_role("heading", level=1)).to_have_text("One plan for every child")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="OnePlan")).not_to_be_focused()

    page.screenshot(path=screenshots_dir / "start-page.png", full_page=True)
    assert_accessible(page)
    assert browser_problems == []


def test_start_page_fits_a_320px_screen(page: Page, browser_problems: list[str]) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 320px"
    assert_accessible(page)
    assert browser_problems == []


def test_missing_page_is_accessible(page: Page, browser_problems: list[str]) -> None:
    response = page.goto("/no-such-page")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)
    assert [problem for problem in browser_problems if "status of 404" not in problem] == []
