"""Experts at Hand: Priya asks the speech and language therapy service about Sam, Hannah replies into
the plan, and Morgan sees the council's figures by service."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today as today
from app.config import Settings
from app.errors import Refused
from app.models import (
    AuditEvent,
    Child,
    DelivererRole,
    ExpertRequest,
    ExpertService,
    ItemKind,
    ItemRevision,
    Organisation,
    Person,
    Plan,
    PlanKind,
    ProvisionFrequency,
    ProvisionUnit,
    ReplyKind,
    RequestKind,
    Section,
)
from app.models.base import id_of, utc_now
from app.services.demo.experts import EDUCATIONAL_PSYCHOLOGY, SPEECH_AND_LANGUAGE_THERAPY
from app.services.experts import report, requests
from app.services.plans.access import plan_access
from app.services.plans.items import ContentProblem
from tests.query_count import counting_queries

Lookup = Callable[[str], Person]
SignIn = Callable[[Person], str]
QUESTION = "Sam struggles to follow three-step instructions. What should we do in class?"


def sams_plan(db: Session, demo: Lookup) -> Plan:
    return db.exec(
        select(Plan)
        .join(Child)
        .where(col(Child.person_id) == demo("Sam Taylor").id, col(Plan.kind) == PlanKind.SEN_SUPPORT)
    ).one()


def service_called(db: Session, name: str) -> ExpertService:
    return db.exec(
        select(ExpertService)
        .join(Organisation, col(Organisation.id) == col(ExpertService.organisation_id))
        .where(col(Organisation.name) == name)
    ).one()


def ask(
    db: Session,
    settings: Settings,
    demo: Lookup,
    who: str = "Priya Shah",
    service: str = SPEECH_AND_LANGUAGE_THERAPY,
) -> ExpertRequest:
    plan = sams_plan(db, demo)
    actor = Actor.command(demo(who))
    new = requests.NewExpertRequest(
        service_id=id_of(service_called(db, service)),
        kind=RequestKind.ADVICE,
        question=QUESTION,
        due_on=today() + timedelta(weeks=4),
    )
    return requests.ask(db, settings, actor, plan_access(db, actor, id_of(plan)), new)


def actions(db: Session, object_type: str, object_id: int | None) -> list[str]:
    return list(
        db.exec(
            select(AuditEvent.action)
            .where(col(AuditEvent.object_type) == object_type, col(AuditEvent.object_id) == str(object_id))
            .order_by(col(AuditEvent.id))
        )
    )


def test_hannah_replies_as_provision_and_it_joins_sams_plan_in_one_audited_step(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    request = ask(db_session, settings, demo)
    hannah = demo("Hannah Reed")
    waiting = requests.open_for_my_service(db_session, hannah)
    assert [row.request.id for row in waiting] == [request.id]
    assert waiting[0].child.full_name == "Sam Taylor"
    assert requests.open_for_my_service(db_session, demo("Dr Aisha Khan")) == []

    actor = Actor.command(hannah)
    row = requests.request_to_answer(db_session, actor, id_of(request))
    answer = requests.ExpertReply(
        reply_kind=ReplyKind.PROVISION,
        text="Colourful Semantics to build sentence understanding",
        amount=30,
        unit=ProvisionUnit.MINUTES,
        frequency=ProvisionFrequency.WEEK,
        location="the therapy room",
    )
    item = requests.reply(db_session, settings, actor, row, answer)

    assert (item.section, item.kind, item.author_id) == (Section.F, ItemKind.PROVISION, hannah.id)
    revision = db_session.get(ItemRevision, item.current_revision_id)
    assert revision is not None
    assert revision.deliverer_role == DelivererRole.SPEECH_AND_LANGUAGE_THERAPIST
    assert revision.delivered_by_organisation_id == hannah.organisation_id
    assert revision.sentence == (
        "30 minutes a week, by a speech and language therapist; in the therapy room."
    )
    db_session.refresh(request)
    assert request.answered_by_id == hannah.id
    assert request.reply_item_id == item.id
    assert actions(db_session, "expert_request", request.id) == [
        "expert_request.made",
        "expert_request.read",
        "expert_request.answered",
    ]
    assert requests.open_for_my_service(db_session, hannah) == []
    with pytest.raises(ContentProblem) as again:
        requests.reply(db_session, settings, actor, row, answer)
    assert again.value.errors == {"reply_kind": "This request has already been answered"}


def test_a_reply_as_advice_goes_into_the_advice_section(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    request = ask(db_session, settings, demo)
    actor = Actor.command(demo("Hannah Reed"))
    row = requests.request_to_answer(db_session, actor, id_of(request))
    item = requests.reply(
        db_session,
        settings,
        actor,
        row,
        requests.ExpertReply(reply_kind=ReplyKind.ADVICE, text="Use visual prompts."),
    )
    assert (item.section, item.kind) == (Section.K, ItemKind.ADVICE)


def test_the_request_must_name_a_service_of_the_council_and_a_due_date_not_past(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    plan = sams_plan(db_session, demo)
    actor = Actor.command(demo("Priya Shah"))
    access = plan_access(db_session, actor, id_of(plan))
    new = requests.NewExpertRequest(
        service_id=2_000_000, kind=RequestKind.DIRECT_WORK, question="  ", due_on=today() - timedelta(days=1)
    )
    with pytest.raises(ContentProblem) as problem:
        requests.ask(db_session, settings, actor, access, new)
    assert set(problem.value.errors) == {"service_id", "question", "due_on"}


def test_only_the_settings_staff_ask_and_only_the_services_people_answer(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    with pytest.raises(Refused) as refused:
        ask(db_session, settings, demo, who="Alex Taylor")
    assert refused.value.status_code == 403
    request = ask(db_session, settings, demo, who="Tom Baker")
    for stranger in ("Dr Aisha Khan", "Priya Shah", "Morgan Price"):
        with pytest.raises(Refused) as absent:
            requests.request_to_answer(db_session, Actor.command(demo(stranger)), id_of(request))
        assert absent.value.status_code == 404


def test_the_council_sees_requests_by_service_in_a_constant_number_of_queries(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    morgan = Actor.command(demo("Morgan Price"))
    first = ask(db_session, settings, demo)
    with counting_queries() as one:
        report.council_report(db_session, morgan)
    answered = ask(db_session, settings, demo)
    answered.asked_at = utc_now() - timedelta(days=10)
    answered.answered_at = utc_now() - timedelta(days=6)
    late = ask(db_session, settings, demo, service=EDUCATIONAL_PSYCHOLOGY)
    late.due_on = today() - timedelta(days=1)
    db_session.add_all([answered, late])
    db_session.flush()
    with counting_queries() as three:
        figures = {figure.name: figure for figure in report.council_report(db_session, morgan)}
    assert three.count == one.count
    therapy = figures[SPEECH_AND_LANGUAGE_THERAPY]
    assert (therapy.asked, therapy.open, therapy.answered, therapy.overdue, therapy.median_days) == (
        2,
        1,
        1,
        0,
        4,
    )
    psychology = figures[EDUCATIONAL_PSYCHOLOGY]
    assert (psychology.open, psychology.overdue, psychology.median_days) == (1, 1, None)
    assert first.id is not None


def test_through_the_pages_priya_asks_hannah_replies_and_morgan_counts_it(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    plan = sams_plan(db_session, demo)
    therapy = service_called(db_session, SPEECH_AND_LANGUAGE_THERAPY)
    due = today() + timedelta(weeks=3)
    token = sign_in_as(demo("Priya Shah"))
    assert "Ask a service" in client.get(f"/plans/{plan.id}/experts").text
    form = {"csrf_token": token, "kind": "advice", "question": QUESTION, "due_on": due.isoformat()}
    refused = client.post(f"/plans/{plan.id}/experts", data=form, follow_redirects=False)
    assert refused.status_code == 200
    assert "Select the service to ask" in refused.text
    form["service_id"] = str(therapy.id)
    asked = client.post(f"/plans/{plan.id}/experts", data=form, follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == f"/plans/{plan.id}/experts"
    assert "Waiting" in client.get(f"/plans/{plan.id}/experts").text

    token = sign_in_as(demo("Hannah Reed"))
    dashboard = client.get("/dashboard").text
    assert "Requests to your service (1)" in dashboard
    request = db_session.exec(select(ExpertRequest).where(col(ExpertRequest.plan_id) == plan.id)).one()
    assert QUESTION in client.get(f"/experts/requests/{request.id}").text
    reply = {"csrf_token": token, "reply_kind": "provision", "text": "Visual prompts", "amount": "2"}
    half = client.post(f"/experts/requests/{request.id}", data=reply, follow_redirects=False)
    assert half.status_code == 200
    assert "Enter how much and how often together" in half.text
    reply |= {"unit": "sessions", "frequency": "week", "session_minutes": "30"}
    done = client.post(f"/experts/requests/{request.id}", data=reply, follow_redirects=False)
    assert done.status_code == 303
    assert "Requests to your service" not in client.get("/dashboard").text

    sign_in_as(demo("Priya Shah"))
    section = client.get(f"/plans/{plan.id}/sections/F").text
    assert "30 minutes, twice a week, by a speech and language therapist" in section
    sign_in_as(demo("Morgan Price"))
    report_page = client.get("/la/experts").text
    assert SPEECH_AND_LANGUAGE_THERAPY in report_page
    assert "Sam" not in report_page


def test_through_the_api_the_reply_is_written_into_the_plan(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    plan = sams_plan(db_session, demo)
    therapy = service_called(db_session, SPEECH_AND_LANGUAGE_THERAPY)
    csrf = sign_in_as(demo("Tom Baker"))
    given = {
        "service_id": therapy.id,
        "kind": "direct_work",
        "question": QUESTION,
        "due_on": (today() + timedelta(days=10)).isoformat(),
    }
    made = client.post(f"/api/v1/plans/{plan.id}/expert-requests", json=given, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text
    assert made.json()["service_name"] == SPEECH_AND_LANGUAGE_THERAPY
    csrf = sign_in_as(demo("Hannah Reed"))
    waiting = client.get("/api/v1/expert-requests").json()
    assert [found["child_name"] for found in waiting] == ["Sam Taylor"]
    url = f"/api/v1/expert-requests/{made.json()['id']}/reply"
    answer = {"reply_kind": "advice", "text": "Give one instruction at a time, with a picture."}
    replied = client.post(url, json=answer, headers={"X-CSRF-Token": csrf})
    assert replied.status_code == 201, replied.text
    assert replied.json()["section"] == "K"
    again = client.post(url, json=answer, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 422
    sign_in_as(demo("Alex Taylor"))
    assert client.get(f"/api/v1/plans/{plan.id}/expert-requests").json()[0]["reply_kind"] == "advice"
    sign_in_as(demo("Rita Okafor"))
    figures = {found["name"]: found for found in client.get("/api/v1/la/expert-requests").json()}
    assert figures[SPEECH_AND_LANGUAGE_THERAPY]["answered"] == 1
