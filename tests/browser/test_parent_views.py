"""Alex on a phone: straight to the sixth question of the views, then saved to finish later."""

from collections.abc import Callable

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.models import Child, Plan
from app.services.demo import demo_person
from tests.browser.accessibility import assert_accessible
from tests.browser.test_child_sign_in import NARROW, fits_320px


def test_alex_jumps_to_a_question_and_saves_a_draft(
    page: Page,
    live_db: Callable[[], Session],
    signed_in_as: Callable[[str], None],
    browser_problems: list[str],
) -> None:
    with live_db() as db:
        sam = demo_person(db, "Sam Taylor")
        plan_id = db.exec(select(Plan.id).join(Child).where(Child.person_id == sam.id)).one()
    signed_in_as("Alex Taylor")
    page.set_viewport_size(NARROW)
    page.goto(f"/plans/{plan_id}/my-views")
    page.get_by_role("link", name="What do you want the team to know?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What do you want the team to know?")
    expect(page).to_have_url(f"/plans/{plan_id}/my-views/new?question=team_know")
    fits_320px(page)
    assert_accessible(page)
    page.get_by_label("What do you want the team to know?").fill("Mornings are better this term.")
    page.get_by_role("button", name="What does Sam find hard?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What does Sam find hard?")
    expect(page.get_by_text("(answered)")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_role("alert")).to_contain_text("Your answers are saved for you to finish later.")
    expect(page.get_by_role("button", name="Carry on with your saved answers")).to_be_visible()
    fits_320px(page)
    assert_accessible(page)
    page.get_by_role("button", name="Carry on with your saved answers").click()
    page.get_by_role("button", name="What do you want the team to know?").click()
    expect(page.get_by_label("What do you want the team to know?")).to_have_value(
        "Mornings are better this term."
    )
    assert browser_problems == []
