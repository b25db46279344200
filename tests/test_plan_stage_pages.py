"""A plan's stage, reviews, versions and what changed, as pages."""

import html
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.clock import uk_today
from app.models import (
    AuditEvent,
    AuditReason,
    Child,
    ItemRevision,
    Outcome,
    Person,
    Plan,
    PlanKind,
    PlanStatus,
    PlanVersion,
)
from tests.page_checks import check_page
from tests.plan_factories import coordinator_of, make_bare_plan

Demo = Callable[[str], Person]
SignIn = Callable[[Person], str]
TOMS_WORDS = "and a written checklist on his desk"


def plan_of(db: Session, demo: Demo, child_name: str) -> Plan:
    child = demo(child_name)
    return db.exec(
        select(Plan).join(Child, col(Child.id) == col(Plan.child_id)).where(Child.person_id == child.id)
    ).one()


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))))


def text_of(page: str) -> str:
    return html.unescape(page)


def date_fields(name: str, day: date) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def sams_plan(db_session: Session, demo: Demo) -> Plan:
    return plan_of(db_session, demo, "Sam Taylor")


@pytest.fixture
def ellas_plan(db_session: Session, demo: Demo) -> Plan:
    return plan_of(db_session, demo, "Ella Morris")


# The stage of an EHC plan ---------------------------------------------------------------------------


def test_an_issued_ehc_plan_says_so_and_offers_its_next_steps(
    client: TestClient, demo: Demo, sign_in_as: SignIn, ellas_plan: Plan
) -> None:
    sign_in_as(demo("Morgan Price"))
    response = client.get(f"/plans/{ellas_plan.id}/stage")
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    assert "Issued: version 1, issued on" in page
    # Each next step is its own small form; ending the plan asks why.
    assert 'name="step" value="start_review"' in page
    assert 'name="step" value="cease"' in page
    assert 'name="reason"' in page
    assert 'name="step" value="issue"' not in page


def test_only_the_coordinator_sees_the_next_steps(
    client: TestClient, demo: Demo, sign_in_as: SignIn, ellas_plan: Plan
) -> None:
    for name in ("Chris Wood", "Ella Morris", "Rita Okafor"):
        sign_in_as(demo(name))
        response = client.get(f"/plans/{ellas_plan.id}/stage")
        assert response.status_code == 200, name
        check_page(response.text)
        assert "Issued: version 1" in response.text
        assert f'action="/plans/{ellas_plan.id}/stage"' not in response.text


def test_an_ehc_plan_through_review_consultation_and_ending(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, ellas_plan: Plan
) -> None:
    csrf = sign_in_as(demo("Morgan Price"))
    stage = f"/plans/{ellas_plan.id}/stage"

    response = client.post(stage, data={"step": "start_review", "csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{stage}?done=start_review"
    page = text_of(client.get(response.headers["location"]).text)
    assert "The review has started: version 2 is open for changes." in page
    assert "Under review: version 2 is being written." in page
    assert "Version 1 stays in force" in page
    db_session.refresh(ellas_plan)
    assert (ellas_plan.status, ellas_plan.version) == (PlanStatus.UNDER_REVIEW, 2)
    assert events(db_session, "plan.start_review")

    # Ten days is too short for the family: the error is beside the date, and the date is kept.
    too_soon = uk_today() + timedelta(days=10)
    response = client.post(
        stage,
        data={"step": "send_for_consultation", **date_fields("comments_until", too_soon), "csrf_token": csrf},
    )
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    assert "<title>Error: Where the plan is" in page
    assert 'href="#comments_until-day">The family must have at least 15 days' in page
    assert 'id="comments_until-error"' in page
    assert f'value="{too_soon.day}"' in page
    db_session.refresh(ellas_plan)
    assert ellas_plan.status is PlanStatus.UNDER_REVIEW

    # An impossible date is an error too, not a crash.
    response = client.post(
        stage,
        data={
            "step": "send_for_consultation",
            "comments_until-day": "31",
            "comments_until-month": "2",
            "comments_until-year": "2030",
            "csrf_token": csrf,
        },
    )
    assert response.status_code == 200
    assert "The date must be a real date" in response.text

    until = uk_today() + timedelta(days=16)
    response = client.post(
        stage,
        data={"step": "send_for_consultation", **date_fields("comments_until", until), "csrf_token": csrf},
    )
    assert response.status_code == 200  # followed back to the stage page
    page = text_of(response.text)
    # The message names who was told: Ella, 16, decides for herself.
    assert f"sent for comment until {long_date(until)} to Ella Morris (young person)." in page
    assert f"Draft, with the family for comment until {long_date(until)}." in page
    db_session.refresh(ellas_plan)
    assert ellas_plan.consultation_ends_on == until
    sent = events(db_session, "plan.send_for_consultation")[-1]
    assert sent.details["told"] == [demo("Ella Morris").id]

    # While the family may comment, issuing is not offered: the page says from when it can be.
    opens = until + timedelta(days=1)
    assert 'name="step" value="issue"' not in response.text
    assert f"You can issue the plan from {long_date(opens)}" in page

    # Issuing anyway (a page left open) is refused on the same page, with the menu, the error summary
    # and the reason that was typed; the refusal is audited.
    typed = "The speech and language therapy hours are agreed with the trust."
    response = client.post(stage, data={"step": "issue", "reason": typed, "csrf_token": csrf})
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    assert "<title>Error: Where the plan is" in page
    assert (
        f'href="#step-issue">The family has until {long_date(until)} to comment: '
        f"the plan can be issued from {long_date(opens)}." in page
    )
    assert typed in page
    assert 'aria-label="Menu"' in page  # the service's navigation, not a bare error page
    refused = events(db_session, "plan.step_refused")
    assert refused[-1].outcome is Outcome.REFUSED
    db_session.refresh(ellas_plan)
    assert ellas_plan.status is PlanStatus.CONSULTATION

    # Ceasing needs a reason.
    response = client.post(stage, data={"step": "cease", "reason": "  ", "csrf_token": csrf})
    assert response.status_code == 200
    assert 'href="#reason">Enter why the plan is ending' in text_of(response.text)
    response = client.post(
        stage,
        data={"step": "cease", "reason": "Ella has moved to another county.", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = text_of(client.get(response.headers["location"]).text)
    assert "The plan has ceased." in page
    assert "Ceased on" in page
    assert f'action="/plans/{ellas_plan.id}/stage"' not in page
    ceased = events(db_session, "plan.cease")
    # The words are kept beside the chain (erasable), the event holding their digest.
    assert ceased[-1].reason is None
    kept = db_session.get(AuditReason, ceased[-1].id)
    assert kept is not None
    assert kept.words == "Ella has moved to another county."


def test_a_draft_with_nobody_in_the_family_to_send_it_to_is_refused_on_the_page(
    client: TestClient, db_session: Session, sign_in_as: SignIn
) -> None:
    plan = make_bare_plan(db_session, PlanKind.EHC)
    csrf = sign_in_as(coordinator_of(db_session, plan))
    response = client.post(
        f"/plans/{plan.id}/stage", data={"step": "send_for_consultation", "csrf_token": csrf}
    )
    assert response.status_code == 200
    check_page(response.text)
    assert (
        'href="#step-send_for_consultation">There is nobody in the family on this plan to send the '
        "draft to" in text_of(response.text)
    )
    db_session.refresh(plan)
    assert (plan.status, plan.consultation_ends_on) == (PlanStatus.DRAFT, None)
    assert events(db_session, "plan.send_for_consultation") == []
    assert events(db_session, "plan.step_refused")[-1].outcome is Outcome.REFUSED


def test_a_step_must_be_chosen(client: TestClient, demo: Demo, sign_in_as: SignIn, ellas_plan: Plan) -> None:
    csrf = sign_in_as(demo("Morgan Price"))
    response = client.post(f"/plans/{ellas_plan.id}/stage", data={"csrf_token": csrf})
    assert response.status_code == 200
    check_page(response.text)
    assert 'href="#step">Select what to do next' in response.text


def test_only_the_coordinator_changes_the_stage(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, ellas_plan: Plan
) -> None:
    csrf = sign_in_as(demo("Chris Wood"))
    response = client.post(f"/plans/{ellas_plan.id}/stage", data={"step": "start_review", "csrf_token": csrf})
    assert response.status_code == 403
    csrf = sign_in_as(demo("Ella Morris"))
    response = client.post(f"/plans/{ellas_plan.id}/stage", data={"step": "start_review", "csrf_token": csrf})
    assert response.status_code == 403
    db_session.refresh(ellas_plan)
    assert ellas_plan.status is PlanStatus.ISSUED


# SEN Support: the cycle and its reviews -------------------------------------------------------------


def test_sen_support_moves_through_its_cycle(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    stage = f"/plans/{sams_plan.id}/stage"
    page = text_of(client.get(stage).text)
    assert "Cycle 2 of Assess, Plan, Do, Review: now at the Assess stage." in page

    response = client.post(stage, data={"step": "move_to_stage", "csrf_token": csrf})
    assert 'href="#stage">Select the stage of the cycle' in response.text

    response = client.post(stage, data={"step": "move_to_stage", "stage": "do", "csrf_token": csrf})
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    assert "The plan is now at the Do stage." in page
    assert "Cycle 2 of Assess, Plan, Do, Review: now at the Do stage." in page
    assert events(db_session, "plan.move_to_stage")[-1].details["stage"] == "do"


def test_recording_a_review_keeps_the_version_and_starts_the_next_cycle(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    form = client.get(f"/plans/{sams_plan.id}/reviews/new")
    assert form.status_code == 200
    check_page(form.text)
    saving = "Finishing the review keeps cycle 2\u2019s plan as version 2 and starts cycle 3"
    assert saving in text_of(form.text)

    response = client.post(
        f"/plans/{sams_plan.id}/reviews",
        data={
            **date_fields("held_on", uk_today() - timedelta(days=1)),
            "participants": "Alex Taylor (parent), Priya Shah (SENCo)",
            "what_worked": "The checklist on the desk.",
            "what_changes": "Try the checklist at home too.",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    review_page = response.headers["location"]
    opened = client.get(review_page)
    check_page(opened.text)
    db_session.refresh(sams_plan)
    assert (sams_plan.cycle_number, sams_plan.version) == (2, 2), "open until every outcome is rated"
    rated = dict.fromkeys(re.findall(r'name="(rating_\d+)"', opened.text), "some_progress")
    assert len(rated) == 3
    finished = client.post(
        f"{review_page}/progress", data={**rated, "finish": "yes", "csrf_token": csrf}, follow_redirects=False
    )
    assert finished.headers["location"] == f"/plans/{sams_plan.id}#reviews"
    db_session.refresh(sams_plan)
    assert (sams_plan.cycle_number, sams_plan.version) == (3, 3)
    kept = db_session.exec(
        select(PlanVersion).where(PlanVersion.plan_id == sams_plan.id, PlanVersion.number == 2)
    ).one()
    assert kept.occasion == "review"
    recorded = events(db_session, "review.finished")[-1]
    assert (recorded.details["cycle"], recorded.details["version"]) == (2, 2)

    versions = client.get(f"/plans/{sams_plan.id}/versions")
    check_page(versions.text)
    page = text_of(versions.text)
    assert "Version 2" in page
    assert "The plan as it is now is version 3" in page
    assert f"/plans/{sams_plan.id}/changes?from_version=2&to_version=current" in page
    assert "Try the checklist at home too." in text_of(client.get(f"/plans/{sams_plan.id}").text)


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({}, "held_on-day", "Enter the date the meeting was held"),
        ({"held_on-day": "3", "held_on-year": "2026"}, "held_on-day", "The date must include a month"),
        (
            {"held_on-day": "31", "held_on-month": "2", "held_on-year": "2026"},
            "held_on-day",
            "The date must be a real date",
        ),
        ({}, "participants", "Enter who took part in the meeting"),
        ({}, "what_worked", "Enter what has worked"),
        ({}, "what_changes", "Enter what will change"),
    ],
)
def test_review_problems_are_shown_beside_their_field(
    client: TestClient,
    demo: Demo,
    sign_in_as: SignIn,
    sams_plan: Plan,
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    response = client.post(f"/plans/{sams_plan.id}/reviews", data={**form, "csrf_token": csrf})
    assert response.status_code == 200
    check_page(response.text)
    assert "<title>Error: Record a review meeting" in response.text
    assert f'href="#{field}">{message}' in response.text


def test_a_review_cannot_be_in_the_future(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    response = client.post(
        f"/plans/{sams_plan.id}/reviews",
        data={
            **date_fields("held_on", uk_today() + timedelta(days=3)),
            "participants": "Everyone",
            "what_worked": "Lunch",
            "what_changes": "Nothing",
            "csrf_token": csrf,
        },
    )
    assert response.status_code == 200
    page = text_of(response.text)
    assert 'href="#held_on-day">The date of the meeting must be today or in the past' in page
    assert ">Everyone</textarea>" in page
    db_session.refresh(sams_plan)
    assert sams_plan.cycle_number == 2


def test_only_the_coordinator_records_reviews(
    client: TestClient, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    csrf = sign_in_as(demo("Tom Baker"))
    assert client.get(f"/plans/{sams_plan.id}/reviews/new").status_code == 403
    assert client.post(f"/plans/{sams_plan.id}/reviews", data={"csrf_token": csrf}).status_code == 403
    csrf = sign_in_as(demo("Alex Taylor"))
    assert client.get(f"/plans/{sams_plan.id}/reviews/new").status_code == 403


# Versions and what changed --------------------------------------------------------------------------


def test_the_versions_of_a_plan(client: TestClient, demo: Demo, sign_in_as: SignIn, sams_plan: Plan) -> None:
    sign_in_as(demo("Alex Taylor"))
    response = client.get(f"/plans/{sams_plan.id}/versions")
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    assert "Version 1" in page
    assert "At a review meeting" in page
    assert "Priya Shah" in page
    assert "The plan as it is now is version 2: it is still being written." in page
    assert f"/plans/{sams_plan.id}/changes?from_version=1&to_version=current" in page


def test_what_changed_since_a_date_shows_the_words_added_and_removed(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    sign_in_as(demo("Alex Taylor"))
    before_toms_revision = uk_today() - timedelta(days=5)
    response = client.get(f"/plans/{sams_plan.id}/changes", params=date_fields("since", before_toms_revision))
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    assert f"What changed since {long_date(before_toms_revision)}" in page
    assert "6 items are new or different." in page  # Tom's revision and the five views since
    assert "Outcomes: what we want to achieve" in page
    assert "Changed" in page
    assert f"{TOMS_WORDS}," in page
    assert '<ins class="oneplan-diff__added">' in page
    assert '<del class="oneplan-diff__removed">' in page
    assert "Tom Baker" in page
    compared = events(db_session, "plan.changes_read")
    assert compared[-1].details == {
        "compared": f"since {before_toms_revision.isoformat()}",
        "changed_items": 6,
    }

    # The address form of the contract gives the same answer.
    by_address = client.get(f"/plans/{sams_plan.id}/changes?since={before_toms_revision.isoformat()}")
    assert "6 items are new or different." in by_address.text


def test_a_day_starts_at_midnight_in_the_uk(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    """In summer a UK day starts at 23:00 UTC the day before: an edit at 23:30 UTC is on the next day."""
    today = uk_today()
    year = today.year if today > date(today.year, 7, 1) else today.year - 1
    outcome = db_session.exec(select(ItemRevision).where(col(ItemRevision.text).contains(TOMS_WORDS))).one()
    first = db_session.exec(
        select(ItemRevision).where(ItemRevision.item_id == outcome.item_id, ItemRevision.number == 1)
    ).one()
    first.created_at = datetime(year, 6, 1, 9, 0, tzinfo=UTC)
    outcome.created_at = datetime(year, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in the UK
    db_session.add_all([first, outcome])
    db_session.flush()
    sign_in_as(demo("Alex Taylor"))
    page = text_of(client.get(f"/plans/{sams_plan.id}/changes?since={year}-07-01").text)
    assert TOMS_WORDS in page
    assert "<del" in page  # changed since that day, not new
    page = text_of(client.get(f"/plans/{sams_plan.id}/changes?since={year}-07-02").text)
    assert "<del" not in page


def test_what_changed_since_a_version(
    client: TestClient, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    sign_in_as(demo("Priya Shah"))
    for address in (
        f"/plans/{sams_plan.id}/changes?from_version=1&to_version=current",
        f"/plans/{sams_plan.id}/changes",  # by default: since the latest kept version
    ):
        response = client.get(address)
        assert response.status_code == 200
        check_page(response.text)
        page = text_of(response.text)
        assert "What changed from version 1 to the plan as it is now" in page
        assert TOMS_WORDS in page
        assert "<ins" in page


def test_everything_is_new_since_before_the_plan(
    client: TestClient, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    sign_in_as(demo("Priya Shah"))
    response = client.get(f"/plans/{sams_plan.id}/changes?since=2020-01-01")
    page = text_of(response.text)
    check_page(response.text)
    assert "23 items are new or different." in page  # all but the view Priya may not read (her advice too)
    assert "New" in page
    assert "Riverside Primary School" in page  # the organisation delivering provision, by name


def test_nothing_changed_since_an_ehc_plan_was_issued(
    client: TestClient, demo: Demo, sign_in_as: SignIn, ellas_plan: Plan
) -> None:
    sign_in_as(demo("Ella Morris"))
    response = client.get(f"/plans/{ellas_plan.id}/changes")
    check_page(response.text)
    assert "Nothing is new or different." in response.text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("since-day=31&since-month=2&since-year=2026", "since-day", "The date must be a real date"),
        ("since-day=1&since-year=2026", "since-day", "The date must include a month"),
        ("since=yesterday", "since-day", "The date must be a real date"),
        ("since=2999-01-01", "since-day", "The date must be today or in the past"),
        ("from_version=9&to_version=current", "from_version", "This plan has no version 9"),
        ("from_version=1&to_version=7", "to_version", "This plan has no version 7"),
        ("from_version=abc", "from_version", "Select a version of this plan"),
        ("from_version=99999999999999999999", "from_version", "Select a version of this plan"),
        ("from_version=1&to_version=1", "from_version", "Select a version earlier"),
    ],
)
def test_bad_questions_get_an_error_not_a_crash(
    client: TestClient, demo: Demo, sign_in_as: SignIn, sams_plan: Plan, query: str, field: str, message: str
) -> None:
    sign_in_as(demo("Alex Taylor"))
    response = client.get(f"/plans/{sams_plan.id}/changes?{query}")
    assert response.status_code == 200
    check_page(response.text)
    assert "<title>Error: What changed" in response.text
    assert f'href="#{field}">{message}' in response.text


def test_someone_not_on_the_plan_sees_none_of_it(
    client: TestClient, demo: Demo, sign_in_as: SignIn, ellas_plan: Plan
) -> None:
    sign_in_as(demo("Alex Taylor"))
    for page in ("members", "stage", "versions", "changes"):
        assert client.get(f"/plans/{ellas_plan.id}/{page}").status_code == 404, page
