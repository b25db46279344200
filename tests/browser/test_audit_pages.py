"""The audit officer filters the trail; the family reads who looked at the plan; axe finds nothing wrong."""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.models import Child, Plan
from tests.browser.accessibility import assert_accessible


def test_the_officer_filters_the_trail_and_the_family_reads_its_record(
    page: Page,
    signed_in_as: Callable[[str], None],
    live_db: Callable[[], Session],
    browser_problems: list[str],
    screenshots_dir: Path,
) -> None:
    with live_db() as db:
        plan = db.exec(select(Plan).join(Child).where(Child.full_name == "Sam Taylor")).one()
        plan_id, reference = plan.id, plan.reference

    signed_in_as("Rita Okafor")
    page.goto("/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page.get_by_role("link", name="Audit", exact=True)).to_have_attribute("aria-current", "true")
    assert_accessible(page)

    page.get_by_label("Plan reference").fill("not a plan")
    page.get_by_label("What they did").select_option(label="Changes")
    page.get_by_role("button", name="Filter events").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a plan reference like OP-1042")
    assert_accessible(page)

    page.get_by_label("Plan reference").fill(reference)
    page.get_by_label("Plan reference").press("Enter")
    expect(page.get_by_role("table")).to_contain_text("Item added")
    page.screenshot(path=screenshots_dir / "audit-trail.png", full_page=True)
    assert_accessible(page)

    page.set_viewport_size({"width": 320, "height": 640})
    assert_accessible(page)

    page.set_viewport_size({"width": 1024, "height": 768})
    page.get_by_role("link", name="Contributions to plans, by agency").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contributions to plans")
    expect(page.get_by_role("table").first).to_contain_text("Riverside Primary School")
    expect(
        page.get_by_role("table", name="Advice requests for the council's plans, by the agency asked")
    ).to_contain_text("Northshire NHS Trust")
    page.screenshot(path=screenshots_dir / "audit-contributions.png", full_page=True)
    assert_accessible(page)

    signed_in_as("Alex Taylor")
    page.goto(f"/plans/{plan_id}")
    page.get_by_role("link", name="Who has looked at or changed this plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has looked at or changed this plan")
    expect(page.get_by_role("main")).to_contain_text("You (Alex Taylor) read the plan on")
    page.get_by_role("link", name="Changes only").click()
    expect(page.get_by_role("main")).to_contain_text("Priya Shah (Riverside Primary School)")
    expect(page.get_by_role("main")).not_to_contain_text("read the plan on")
    page.screenshot(path=screenshots_dir / "plan-audit.png", full_page=True)
    assert_accessible(page)
    assert browser_problems == []
