"""From request to plan in a real browser, one thread (issue 17): Alex asks for an assessment, Morgan
takes it on and asks Dr Khan for advice, Dr Khan writes it with a report attached and returns it from
her dashboard, Morgan makes the draft EHC plan from the assessment (Sam's views carried across), sends
it for comment, and issues it once the family's 15 days have passed (the UK clock moved on, as
tests/test_timelines.py moves it); Sam's move to Hillcrest Academy, dated four weeks ahead, amends the
issued plan and changes nothing until its day, when the worker's job moves it: Chris Wood (Hillcrest's
SENCo) then sees the plan and Riverside's staff do not. axe runs on the new pages.

The server starts from the demo without Sam's demo assessment, so that Alex can ask for it.
"""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Browser, FilePayload, Page, expect
from sqlmodel import Session, delete, select

from app.clock import uk_today
from app.db import build_engine
from app.models import Plan, PlanKind
from app.models.timeline import AdviceRequest, AssessmentRequest, StatutoryStep
from app.services.jobs.worker import JOBS, Context, Worker
from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import Journey, journey_server, signed_in_pages

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SAMS_WORDS = "I like drawing dragons and building Lego."


def _without_the_demos_assessment(db: Session) -> None:
    for table in (AdviceRequest, StatutoryStep, AssessmentRequest):
        db.exec(delete(table))  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    with journey_server(
        tmp_path_factory.mktemp("assessment-journey"), _without_the_demos_assessment
    ) as found:
        yield found


def fill_date(page: Page, prefix: str, day: object) -> None:
    page.locator(f"#{prefix}-day").fill(str(day.day))  # type: ignore[attr-defined]
    page.locator(f"#{prefix}-month").fill(str(day.month))  # type: ignore[attr-defined]
    page.locator(f"#{prefix}-year").fill(str(day.year))  # type: ignore[attr-defined]


def test_from_the_request_to_the_issued_plan_in_one_thread(
    browser: Browser, journey: Journey, tmp_path: Path
) -> None:
    sam_plan = journey.plan_of("Sam Taylor")
    asked_on = uk_today() - timedelta(days=45)
    report = tmp_path / "paediatric report.pdf"
    report.write_bytes(PDF)
    with signed_in_pages(browser, journey) as open_as:
        alex = open_as("Alex Taylor")
        alex.goto(f"/plans/{sam_plan}/assessment-request")
        fill_date(alex, "requested_on", asked_on)
        alex.get_by_role("button", name="Send the request to the council").click()
        expect(alex.locator("main")).to_contain_text("Week 7 of 20")

        morgan = open_as("Morgan Price")
        morgan.goto("/la/dashboard")
        morgan.get_by_role("button", name=f"Take on OP-{1000 + sam_plan}").click()
        expect(morgan.locator(".govuk-notification-banner")).to_contain_text("taken this request on")
        morgan.get_by_role("link", name="The council decides whether to assess").click()
        fill_date(morgan, "done_on", asked_on + timedelta(days=30))
        morgan.get_by_role("radio", name="will assess", exact=True).check()
        morgan.get_by_role("button", name="Record it").click()
        expect(morgan.locator(".govuk-notification-banner")).to_contain_text("The step has been recorded")
        morgan.get_by_role("link", name="Ask for advice").click()
        morgan.get_by_role("radio", name="Medical advice").check()
        morgan.get_by_label("Organisation").select_option(label="Northshire NHS Trust")
        morgan.get_by_label("Named person (optional)").select_option(
            label="Dr Aisha Khan (Northshire NHS Trust)"
        )
        fill_date(morgan, "sent_on", asked_on + timedelta(days=31))
        morgan.get_by_role("button", name="Record the advice request").click()
        expect(morgan.locator(".govuk-notification-banner")).to_contain_text(
            "advice request has been recorded"
        )

        # Dr Khan opens the request from her dashboard, writes her advice, attaches her report, returns it.
        khan = open_as("Dr Aisha Khan")
        khan.goto("/dashboard")
        khan.get_by_role("link", name="Medical advice from Northshire NHS Trust").click()
        expect(khan.get_by_role("heading", level=1)).to_have_text("Medical advice from Northshire NHS Trust")
        assert_accessible(khan)
        khan.get_by_role("button", name="Return the advice").click()
        expect(khan.locator(".govuk-error-summary")).to_contain_text("Write the advice")
        khan.get_by_label("Your advice").fill("A quiet space at lunch; ear defenders in assemblies.")
        # A file over 5 MB is stopped before sending (an oversize post would be a 413, the words lost).
        posts: list[str] = []
        khan.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
        scan: FilePayload = {"name": "big scan.pdf", "mimeType": "application/pdf", "buffer": PDF * 80_000}
        khan.get_by_label("Files (optional)").set_input_files(scan)
        khan.get_by_role("button", name="Return the advice").click()
        expect(khan.locator(".govuk-error-summary")).to_contain_text("big scan.pdf is larger than 5 MB")
        expect(khan.locator(".govuk-error-summary")).to_be_focused()
        expect(khan.get_by_label("Your advice")).to_have_value(
            "A quiet space at lunch; ear defenders in assemblies."
        )
        assert posts == []
        khan.get_by_label("Files (optional)").set_input_files(str(report))
        khan.get_by_role("button", name="Return the advice").click()
        expect(khan.locator(".govuk-notification-banner")).to_contain_text("in section K of the plan")
        khan.get_by_role("link", name="Medical advice from Northshire NHS Trust").click()
        expect(khan.get_by_role("link", name="paediatric report.pdf")).to_be_visible()

        # Morgan makes the draft from the assessment: Sam's views start it, marked where they came from.
        morgan.goto(f"/plans/{sam_plan}/timeline")
        morgan.get_by_role("button", name="Make the draft plan").click()
        with journey.session() as db:
            draft = db.exec(select(Plan).where(Plan.kind == PlanKind.EHC, Plan.status == "draft")).all()[-1]
            draft_id = int(draft.id or 0)
        expect(morgan).to_have_url(re.compile(f"/plans/{draft_id}$"))
        morgan.goto(f"/plans/{draft_id}/sections/A")
        sams_view = morgan.locator(".oneplan-item").filter(has_text=SAMS_WORDS)
        sams_view.locator("summary").click()
        expect(sams_view).to_contain_text(re.compile(r"From the SEN Support plan, \d+ \w+ \d{4}"))
        assert_accessible(morgan)
        morgan.goto(f"/plans/{draft_id}/timeline")
        expect(morgan.locator("main")).to_contain_text("EHC needs assessment")
        expect(morgan.locator("tr").filter(has_text="Medical advice")).to_contain_text("Done")

        morgan.goto(f"/plans/{draft_id}/stage")
        morgan.get_by_role("button", name="Send for comment").click()
        expect(morgan.locator(".govuk-notification-banner")).to_contain_text("Alex Taylor")
        expect(morgan.get_by_role("button", name="Issue the plan")).to_have_count(0)

    # Sixteen days on in the UK: the family's time to comment has ended.
    later = uk_today() + timedelta(days=16)
    with (
        time_machine.travel(datetime(later.year, later.month, later.day, 10, 0, tzinfo=UTC), tick=True),
        signed_in_pages(browser, journey) as open_as,
    ):
        morgan = open_as("Morgan Price")
        morgan.goto(f"/plans/{draft_id}/stage")
        reason = morgan.locator("#issue-reason")
        if reason.count():
            reason.fill("Sessions agreed with the family at the meeting.")
        morgan.get_by_role("button", name="Issue the plan").click()
        expect(morgan.locator("main")).to_contain_text("Issued")
        morgan.goto(f"/plans/{draft_id}/timeline")
        final = morgan.locator("tr").filter(has_text="The final EHC plan is issued")
        expect(final).to_contain_text("Done")
        expect(morgan.locator("tr").filter(has_text="The council sends the draft plan")).to_contain_text(
            "draft plan sent"
        )
        assert_accessible(morgan)

        # Sam will move to Hillcrest Academy in four weeks: the issued plan is amended, nothing changes yet.
        moves_on = later + timedelta(days=28)
        morgan.goto(f"/plans/{draft_id}/move")
        morgan.get_by_label("New school", exact=True).select_option(label="Hillcrest Academy (all-through)")
        morgan.get_by_label("The new school's SENCo").select_option(label="Chris Wood, Hillcrest Academy")
        fill_date(morgan, "moves_on", moves_on)
        morgan.get_by_label("Why the child is moving").fill("The family moved house to Hillcrest's area.")
        morgan.get_by_role("button", name="Record the move").click()
        expect(morgan.locator("#moving-to")).to_have_text(
            f"Moving to Hillcrest Academy on {moves_on:%-d %B %Y}"
        )
        assert_accessible(morgan)
        for name, status in (("Chris Wood", 404), ("Priya Shah", 200)):
            response = open_as(name).goto(f"/plans/{draft_id}")
            assert response is not None
            assert response.status == status, name

    # The day of the move in the UK: the worker's job moves the plan, and access changes with it.
    with time_machine.travel(
        datetime(moves_on.year, moves_on.month, moves_on.day, 9, 0, tzinfo=UTC), tick=True
    ):
        engine = build_engine(journey.settings)
        try:
            job = next(job for job in JOBS if job.name == "setting_moves")
            assert Worker(Context(engine, journey.settings), jobs=(job,)).run_once()[0].done == 1
        finally:
            engine.dispose()
        with signed_in_pages(browser, journey) as open_as:
            chris = open_as("Chris Wood")
            chris.goto(f"/plans/{draft_id}")
            expect(chris.get_by_role("heading", level=1)).to_have_text("Sam Taylor")
            expect(chris.locator("#moving-to")).to_have_count(0)
            assert_accessible(chris)
            for old_staff in ("Priya Shah", "Tom Baker"):
                response = open_as(old_staff).goto(f"/plans/{draft_id}")
                assert response is not None
                assert response.status == 404, old_staff
