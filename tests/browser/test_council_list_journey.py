"""The council's list in a real browser: Morgan finds Sam by part of his name and opens his plan from the
list. axe runs on each page. It only reads, so it runs on the shared demo server."""

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.accessibility import assert_accessible


def test_morgan_finds_sam_in_the_councils_list_by_part_of_his_name(
    page: Page, signed_in_as: Callable[[str], None]
) -> None:
    signed_in_as("Morgan Price")
    page.goto("/la/dashboard")
    page.get_by_role("link", name="Children and plans").first.click()
    expect(page.get_by_role("heading", name="Children and plans")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Child's name or plan reference").fill("sAm")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#council-plans")
    expect(results.get_by_role("caption")).to_have_text("Plans matching “sAm”")
    sam = results.locator("tbody tr")
    expect(sam).to_have_count(1)
    expect(sam).to_contain_text("Sam Taylor")
    expect(sam).to_contain_text("Riverside Primary School")
    expect(results).not_to_contain_text("Ella Morris")
    assert_accessible(page)

    sam.get_by_role("link").click()  # his plan, which Morgan is on for the assessment
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sam Taylor")
