"""Alex makes Sam a sign-in card; Sam opens it in another browser and, by keyboard, taps the pictures."""

from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, ViewportSize, expect

from app.services.demo import DEMO_PASSWORD
from tests.browser.accessibility import assert_accessible

PICTURES = ("cat", "sun", "boat")
NARROW: ViewportSize = {"width": 320, "height": 640}
FOCUSED_PICTURE = "document.activeElement.tagName === 'BUTTON' ? document.activeElement.value : null"


def fits_320px(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 320px"


def tab_to_picture(page: Page, name: str) -> None:
    """Press Tab, and only Tab, until the picture's button has the focus."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_PICTURE) == name:
            return
    raise AssertionError(f"Tab never reached the {name} picture")


def tap_by_keyboard(page: Page, pictures: tuple[str, ...]) -> None:
    for name in pictures:
        tab_to_picture(page, name)
        with page.expect_navigation():
            page.keyboard.press("Enter")


def make_sams_card(page: Page, screenshots_dir: Path) -> str:
    """Alex signs in by password and makes a card, on a 320px screen; returns its link's path."""
    page.set_viewport_size(NARROW)
    page.goto("/sign-in")
    page.get_by_label("E-mail address").fill("alex.taylor@family.example")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_contain_text("Alex Taylor")

    page.goto("/account/children")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your children's sign-in")
    fits_320px(page)
    assert_accessible(page)
    page.get_by_role("button", name="Make a new card for Sam").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a sign-in card for Sam")
    assert_accessible(page)
    page.get_by_role("button", name="Make the card").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the first picture")
    fits_320px(page)
    page.screenshot(path=screenshots_dir / "child-card-choose-320.png", full_page=True)
    assert_accessible(page)
    for legend, name in zip(("First picture", "Second picture", "Third picture"), PICTURES, strict=True):
        page.get_by_role("group", name=legend).get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Make the card").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sam's sign-in card is ready")
    expect(page.get_by_role("img", name="QR code for Sam's sign-in card")).to_be_visible()
    expect(page.locator("#card-pictures li")).to_have_text(list(PICTURES))
    page.screenshot(path=screenshots_dir / "child-card-made-320.png", full_page=True)
    fits_320px(page)
    assert_accessible(page)
    link = page.locator("#card-link").get_attribute("href")
    assert link is not None
    return urlsplit(link).path


def test_sam_signs_in_with_the_card_alex_made(
    page: Page, browser: Browser, live_server: str, browser_problems: list[str], screenshots_dir: Path
) -> None:
    card_path = make_sams_card(page, screenshots_dir)
    assert browser_problems == []

    context = browser.new_context(base_url=live_server, viewport=NARROW)
    sam = context.new_page()
    problems: list[str] = []
    sam.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    sam.on("pageerror", lambda error: problems.append(str(error)))

    sam.goto(card_path)
    expect(sam.get_by_role("heading", level=1)).to_have_text("Pick your pictures")
    for name in PICTURES:
        box = sam.get_by_role("button", name=name, exact=True).bounding_box()
        assert box is not None
        assert box["width"] >= 44
        assert box["height"] >= 44
    fits_320px(sam)
    sam.screenshot(path=screenshots_dir / "child-card-320.png", full_page=True)
    assert_accessible(sam)

    tap_by_keyboard(sam, ("star", "star"))
    expect(sam.get_by_role("group", name="Picture 3 of 3")).to_be_visible()
    tap_by_keyboard(sam, ("star",))
    expect(sam.get_by_role("alert")).to_contain_text(
        "Those are not your pictures. Tap your 3 pictures again, in order."
    )
    expect(sam).to_have_title("Error: Pick your pictures – OnePlan")
    fits_320px(sam)
    assert_accessible(sam)

    tap_by_keyboard(sam, PICTURES)
    expect(sam.get_by_role("heading", level=1)).to_have_text("Hello Sam")
    expect(sam.get_by_role("button", name="Sign out")).to_be_visible()
    fits_320px(sam)
    sam.screenshot(path=screenshots_dir / "child-welcome-320.png", full_page=True)
    assert_accessible(sam)
    assert problems == []
    context.close()


def test_a_card_that_does_not_work_is_kind(page: Page, browser_problems: list[str]) -> None:
    page.set_viewport_size(NARROW)
    response = page.goto("/card/this-card-was-never-made")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This card does not work any more")
    expect(page.get_by_text("Ask the grown-up who made it for a new one.")).to_be_visible()
    fits_320px(page)
    assert_accessible(page)
    assert [problem for problem in browser_problems if "status of 404" not in problem] == []
