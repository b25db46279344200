"""Experts at Hand by e-mail: a service asked hears of it at its contact address (or its people), the
asker hears of the reply; the council's administrator sets the contact address. The mails are only
queued by the request; the worker's relay delivers them to a real SMTP server on loopback."""

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, delete, select

from app.actor import Actor
from app.auth import SESSION_COOKIE
from app.clock import uk_today
from app.config import Environment, Settings
from app.main import create_app
from app.models import AuditEvent, ExpertRequest, OutboxMessage, Person, PersonRole, ReplyKind, RequestKind
from app.models.base import id_of
from app.services.auth.csrf import csrf_token
from app.services.auth.secrets import digest
from app.services.demo import create_demo
from app.services.demo.experts import EDUCATIONAL_PSYCHOLOGY, SLT_REQUESTS, SPEECH_AND_LANGUAGE_THERAPY
from app.services.experts import contacts, requests
from app.services.mail import relay_due
from app.services.plans.access import plan_access
from tests.databases import migrated_database
from tests.factories import make_person, session_token_for
from tests.smtp_inbox import Inbox, running_inbox
from tests.test_experts import QUESTION, sams_plan, service_called

Lookup = Callable[[str], Person]
SignIn = Callable[[Person], str]


def mails_to(db: Session, address: str) -> list[OutboxMessage]:
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.recipient == address)))


def ask(db: Session, settings: Settings, demo: Lookup, service: str) -> ExpertRequest:
    plan = sams_plan(db, demo)
    actor = Actor.command(demo("Priya Shah"))
    new = requests.NewExpertRequest(
        service_id=id_of(service_called(db, service)),
        kind=RequestKind.ADVICE,
        question=QUESTION,
        due_on=uk_today() + timedelta(weeks=4),
    )
    return requests.ask(db, settings, actor, plan_access(db, actor, id_of(plan)), new)


def event(db: Session, action: str, request: ExpertRequest) -> AuditEvent:
    return db.exec(
        select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_id == str(request.id))
    ).one()


def test_the_speech_and_language_service_is_mailed_at_its_contact_and_priya_hears_of_the_reply(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    request = ask(db_session, settings, demo, SPEECH_AND_LANGUAGE_THERAPY)
    plan = sams_plan(db_session, demo)
    [mail] = mails_to(db_session, SLT_REQUESTS)
    due = request.due_on
    assert mail.subject == f"A request for advice about plan {plan.reference}, due {due.day} {due:%B %Y}"
    assert "Priya Shah (Riverside Primary School) has asked your service for advice" in mail.body
    assert f"{settings.public_url}/experts/requests/{request.id}" in mail.body
    assert QUESTION not in mail.body, "no words about the child in a mail"
    assert "Sam" not in mail.body
    assert mails_to(db_session, demo("Hannah Reed").email or "") == [], "the shared inbox, not each person"
    assert event(db_session, "expert_request.made", request).details["outbox_message_ids"] == [mail.id]

    hannah = Actor.command(demo("Hannah Reed"))
    row = requests.request_to_answer(db_session, hannah, id_of(request), reading=False)
    requests.reply(
        db_session,
        settings,
        hannah,
        row,
        requests.ExpertReply(reply_kind=ReplyKind.ADVICE, text="Use a visual timetable."),
    )
    [told] = [
        mail for mail in mails_to(db_session, demo("Priya Shah").email or "") if "replied" in mail.subject
    ]
    assert told.subject == f"The service replied to your request about plan {plan.reference}"
    assert "Hannah Reed (Northshire Speech and Language Therapy Service) has replied" in told.body
    assert "The reply is in the plan's advice." in told.body
    assert "visual timetable" not in told.body
    assert event(db_session, "expert_request.answered", request).details["outbox_message_id"] == told.id


def test_a_service_without_a_contact_address_is_mailed_at_each_of_its_people_who_answer(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    service = service_called(db_session, EDUCATIONAL_PSYCHOLOGY)
    psychologist = make_person(db_session, PersonRole.EDUCATION)
    psychologist.organisation_id = service.organisation_id
    left = make_person(db_session, PersonRole.EDUCATION)
    left.organisation_id, left.deactivated_at = service.organisation_id, left.created_at
    db_session.add_all([psychologist, left])
    db_session.flush()
    assert service.contact_email is None
    request = ask(db_session, settings, demo, EDUCATIONAL_PSYCHOLOGY)
    mailed = db_session.exec(
        select(OutboxMessage).where(col(OutboxMessage.body).contains(f"/experts/requests/{request.id}"))
    ).all()
    assert [mail.recipient for mail in mailed] == [psychologist.email]


# The council's administrator sets the contact address -------------------------------------------------


def test_the_administrator_sets_and_clears_a_services_contact_address(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    service = service_called(db_session, EDUCATIONAL_PSYCHOLOGY)
    csrf = sign_in_as(demo("Admin"))
    listing = client.get("/admin/expert-services")
    assert listing.status_code == 200
    assert SLT_REQUESTS in listing.text
    assert "No contact address: each of its people who answer requests" in listing.text
    address = f"/admin/expert-services/{service.id}"
    wrong = client.post(address, data={"contact_email": "psychology at northshire", "csrf_token": csrf})
    assert wrong.status_code == 200
    assert 'href="#contact_email">Enter an e-mail address in the right format' in wrong.text
    assert 'value="psychology at northshire"' in wrong.text
    saved = client.post(
        address,
        data={"contact_email": " EP.Requests@Northshire.example ", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    db_session.refresh(service)
    assert service.contact_email == "ep.requests@northshire.example"
    assert "ep.requests@northshire.example" in client.get("/admin/expert-services").text
    client.post(address, data={"contact_email": "", "csrf_token": csrf})
    db_session.refresh(service)
    assert service.contact_email is None
    changed = db_session.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "expert_service.contact_changed")
        .order_by(col(AuditEvent.id))
    ).all()
    assert [(e.actor_id, e.details["has_one"]) for e in changed] == [
        (demo("Admin").id, True),
        (demo("Admin").id, False),
    ]
    assert client.get("/admin/expert-services/2000000").status_code == 404
    sign_in_as(demo("Morgan Price"))
    assert client.get("/admin/expert-services").status_code == 403


def test_the_contact_address_is_checked_in_the_service(db_session: Session, demo: Lookup) -> None:
    service = service_called(db_session, EDUCATIONAL_PSYCHOLOGY)
    admin = Actor.command(demo("Admin"))
    for wrong in ("@northshire.example", "ep@", "e p@northshire.example", "x" * 250 + "@n.example"):
        with pytest.raises(contacts.ContactProblem):
            contacts.set_contact(db_session, admin, id_of(service), wrong)
    with pytest.raises(LookupError):
        contacts.set_contact(db_session, admin, 2_000_000, "ep@northshire.example")


# Real SMTP on loopback: the request only queues; the relay delivers ------------------------------------


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The demo on a database of its own, whose requests commit for real (the relay works apart)."""
    with migrated_database(tmp_path_factory.mktemp("expert-mail-db")) as url:
        settings = Settings(
            environment=Environment.TEST,
            database_url=url,
            data_dir=tmp_path_factory.mktemp("expert-mail-data"),
        )
        application = create_app(settings)
        with Session(application.state.engine) as db:
            create_demo(db, settings)
            db.commit()
        yield application
        application.state.engine.dispose()


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with running_inbox() as received:
        yield received


def test_through_the_pages_the_mails_reach_a_real_smtp_server_only_through_the_relay(
    demo_app: FastAPI, inbox: Inbox
) -> None:
    engine: Engine = demo_app.state.engine
    settings = demo_app.state.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port})
    demo_app.state.settings = settings
    with Session(engine) as db:
        db.exec(delete(OutboxMessage))
        named = {person.display_name: person for person in db.exec(select(Person))}
        plan_id = id_of(sams_plan(db, named.__getitem__))
        service_id = id_of(service_called(db, SPEECH_AND_LANGUAGE_THERAPY))
        tokens = {name: session_token_for(db, named[name]) for name in ("Priya Shah", "Hannah Reed")}
        priyas_address = named["Priya Shah"].email
        db.commit()

    def signed_in(name: str) -> tuple[TestClient, str]:
        client = TestClient(demo_app)
        client.cookies.set(SESSION_COOKIE, tokens[name])
        return client, csrf_token(settings.secret_key, f"session:{digest(tokens[name])}")

    priya, csrf = signed_in("Priya Shah")
    due = uk_today() + timedelta(weeks=3)
    asked = priya.post(
        f"/plans/{plan_id}/experts",
        data={
            "service_id": str(service_id),
            "kind": "advice",
            "question": QUESTION,
            "due_on-day": str(due.day),
            "due_on-month": str(due.month),
            "due_on-year": str(due.year),
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert asked.status_code == 303, asked.text
    assert inbox.connections == 0, "the request must not talk to the mail server"
    assert relay_due(engine, settings) == 1
    [(recipients, message)] = inbox.messages
    assert recipients == [SLT_REQUESTS]
    assert message["From"] == settings.mail_from
    body = message.get_payload(decode=True).decode()
    with Session(engine) as db:
        request = db.exec(select(ExpertRequest).order_by(col(ExpertRequest.id).desc())).first()
        assert request is not None
    assert f"/experts/requests/{request.id}" in body
    assert f"{due.day} {due:%B %Y}" in message["Subject"]
    assert QUESTION not in body

    hannah, csrf = signed_in("Hannah Reed")
    replied = hannah.post(
        f"/experts/requests/{request.id}",
        data={"reply_kind": "advice", "text": "Use a visual timetable.", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert replied.status_code == 303, replied.text
    assert relay_due(engine, settings) == 1
    (recipients, told) = inbox.messages[1]
    assert recipients == [priyas_address]
    assert "replied to your request" in told["Subject"]
