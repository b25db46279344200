"""Mail: a request only queues; the worker's relay delivers to a real SMTP server (aiosmtpd) on loopback.

The relay commits for real and works in its own transactions, so these tests use a database of
their own (built by the migrations) and empty its outbox after each test.
"""

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, col, delete, select, update

from app import migrate
from app.auth import BROWSER_COOKIE, SESSION_COOKIE
from app.config import Environment, Settings
from app.db import build_engine
from app.main import create_app
from app.models import DeliveryState, OutboxMessage, PersonRole
from app.models.base import as_utc, utc_now
from app.services.auth.csrf import csrf_token
from app.services.mail import Claimed, relay_due, retry_wait, send_mail
from tests.browser.server import free_port
from tests.databases import fresh_database, migrated_database
from tests.factories import make_person, session_token_for
from tests.page_checks import check_page
from tests.smtp_inbox import Inbox, running_inbox

RECIPIENT = "mail-test@test.example"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with running_inbox() as received:
        yield received


@pytest.fixture(scope="module")
def mail_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """An app on a database of its own, whose requests commit for real."""
    with migrated_database(tmp_path_factory.mktemp("mail-db")) as url:
        settings = Settings(
            environment=Environment.TEST, database_url=url, data_dir=tmp_path_factory.mktemp("mail-data")
        )
        application = create_app(settings)
        yield application
        application.state.engine.dispose()


@pytest.fixture
def engine(mail_app: FastAPI) -> Iterator[Engine]:
    engine: Engine = mail_app.state.engine
    yield engine
    with Session(engine) as cleanup:
        cleanup.exec(delete(OutboxMessage))
        cleanup.commit()


@pytest.fixture
def base_settings(mail_app: FastAPI) -> Iterator[Settings]:
    settings: Settings = mail_app.state.settings
    yield settings
    mail_app.state.settings = settings


def smtp_settings(settings: Settings, port: int, **extra: Any) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, **extra})


def queue(engine: Engine, settings: Settings, subject: str, body: str = "body") -> int:
    with Session(engine) as db:
        message = send_mail(db, settings, RECIPIENT, subject, body)
        db.commit()
        assert message.id is not None
        return message.id


def outbox(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as db:
        return list(db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def make_due(engine: Engine) -> None:
    """As if the back-off had passed: every waiting message may be tried now."""
    with Session(engine) as db:
        db.exec(update(OutboxMessage).values(next_attempt_at=utc_now()))
        db.commit()


def test_a_password_reset_request_only_queues_and_the_relay_sends_it_on_the_third_try(
    mail_app: FastAPI, engine: Engine, base_settings: Settings, inbox: Inbox
) -> None:
    settings = smtp_settings(base_settings, inbox.port)
    mail_app.state.settings = settings
    with Session(engine) as db:
        person = make_person(db)
        address = person.email or ""
        db.commit()
    inbox.refuse = 2
    client = TestClient(mail_app)
    client.cookies.set(BROWSER_COOKIE, "mail-visitor")
    csrf = csrf_token(settings.secret_key, "browser:mail-visitor")

    answer = client.post("/password-reset", data={"email": address, "csrf_token": csrf})

    assert answer.status_code == 200
    assert inbox.connections == 0, "the request must not talk to the mail server"
    [queued] = outbox(engine)
    assert (queued.recipient, queued.state, queued.attempts) == (address, DeliveryState.QUEUED, 0)

    before = utc_now()
    assert relay_due(engine, settings) == 1
    [first] = outbox(engine)
    assert (first.state, first.attempts, first.sent_at) == (DeliveryState.QUEUED, 1, None)
    assert first.last_error is not None
    assert "451" in first.last_error
    assert as_utc(first.next_attempt_at) >= before + timedelta(minutes=1)
    assert relay_due(engine, settings) == 0, "not due again before its back-off has passed"

    make_due(engine)
    assert relay_due(engine, settings) == 1
    [second] = outbox(engine)
    assert (second.state, second.attempts) == (DeliveryState.QUEUED, 2)
    assert inbox.messages == []

    make_due(engine)
    assert relay_due(engine, settings) == 1
    [sent] = outbox(engine)
    assert (sent.state, sent.attempts, sent.last_error) == (DeliveryState.SENT, 3, None)
    assert sent.sent_at is not None
    [(recipients, message)] = inbox.messages
    assert recipients == [address]
    assert message["Subject"] == "Reset your OnePlan password"
    assert message["From"] == settings.mail_from
    assert "/password-reset/" in message.get_payload(decode=True).decode()
    assert inbox.connections == 3


def test_back_off_doubles_from_a_minute_to_at_most_an_hour() -> None:
    assert [retry_wait(tries) for tries in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_wait(12) == timedelta(hours=1)


def test_after_the_last_try_the_message_has_failed_and_the_outbox_page_says_so_without_content(
    mail_app: FastAPI, engine: Engine, base_settings: Settings, inbox: Inbox
) -> None:
    settings = smtp_settings(base_settings, inbox.port, mail_max_attempts=3)
    inbox.refuse = 99
    queue(engine, settings, "Secret subject", "Set your password: http://127.0.0.1:8000/invitations/SECRET")
    for _try in range(3):
        make_due(engine)
        assert relay_due(engine, settings) == 1
    make_due(engine)
    assert relay_due(engine, settings) == 0, "a failed message is not tried again"

    [failed] = outbox(engine)
    assert (failed.state, failed.attempts, failed.sent_at) == (DeliveryState.FAILED, 3, None)
    assert failed.last_error is not None
    assert "451" in failed.last_error
    assert inbox.messages == []

    with Session(engine) as db:
        admin = make_person(db, PersonRole.ADMINISTRATOR)
        token = session_token_for(db, admin)
        db.commit()
    mail_app.state.settings = settings
    client = TestClient(mail_app)
    client.cookies.set(SESSION_COOKIE, token)
    page = client.get("/outbox")

    assert page.status_code == 200
    check_page(page.text)
    assert "Failed after 3 tries" in page.text
    assert RECIPIENT in page.text
    assert "451" in page.text
    assert "SECRET" not in page.text
    assert "Secret subject" not in page.text
    assert "/invitations/" not in page.text


def test_two_workers_relaying_at_once_deliver_each_message_exactly_once(
    engine: Engine, base_settings: Settings, inbox: Inbox
) -> None:
    settings = smtp_settings(base_settings, inbox.port)
    subjects = [f"Message {number}" for number in range(24)]
    for subject in subjects:
        queue(engine, settings, subject)
    start = threading.Barrier(2)
    handled: list[int] = []
    problems: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            count = 0
            while (did := relay_due(engine, settings, limit=3)) > 0:
                count += did
            handled.append(count)
        except BaseException as error:
            problems.append(error)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert problems == []
    assert sum(handled) == len(subjects)
    received = sorted(message["Subject"] for _, message in inbox.messages)
    assert received == sorted(subjects), "each message exactly once"
    assert {(m.state, m.attempts) for m in outbox(engine)} == {(DeliveryState.SENT, 1)}


def test_a_rolled_back_transaction_queues_nothing(
    engine: Engine, base_settings: Settings, inbox: Inbox
) -> None:
    settings = smtp_settings(base_settings, inbox.port)
    with Session(engine) as db:
        send_mail(db, settings, RECIPIENT, "Never sent", "body")
        db.rollback()
        db.commit()

    assert relay_due(engine, settings) == 0
    assert inbox.connections == 0
    assert outbox(engine) == []


def test_without_a_way_of_sending_the_message_is_kept_and_nothing_is_sent(
    engine: Engine, base_settings: Settings, inbox: Inbox
) -> None:
    assert base_settings.smtp_host == ""
    queue(engine, base_settings, "Kept here")
    kept: list[Claimed] = []

    assert relay_due(engine, base_settings, keep=kept.append) == 1

    assert inbox.connections == 0
    [message] = outbox(engine)
    assert (message.subject, message.state, message.sent_at) == ("Kept here", DeliveryState.KEPT, None)
    assert [claimed.subject for claimed in kept] == ["Kept here"]
    assert relay_due(engine, base_settings) == 0


def test_login_is_used_when_a_username_is_configured(
    engine: Engine, base_settings: Settings, inbox: Inbox
) -> None:
    settings = smtp_settings(base_settings, inbox.port, smtp_username="oneplan", smtp_password="s3cret")
    queue(engine, settings, "Authenticated")

    relay_due(engine, settings)

    assert inbox.logins == ["oneplan"]
    assert [message["Subject"] for _, message in inbox.messages] == ["Authenticated"]


def test_nobody_listening_is_a_failed_try_to_repeat(engine: Engine, base_settings: Settings) -> None:
    settings = smtp_settings(base_settings, free_port())
    queue(engine, settings, "Undeliverable")

    relay_due(engine, settings)

    [message] = outbox(engine)
    assert (message.state, message.attempts, message.sent_at) == (DeliveryState.QUEUED, 1, None)
    assert message.last_error is not None
    assert "Connection" in message.last_error


def test_an_unknown_recipient_fails_at_once(engine: Engine, base_settings: Settings, inbox: Inbox) -> None:
    settings = smtp_settings(base_settings, inbox.port)
    inbox.refuse_recipients = True
    queue(engine, settings, "Nobody there")

    relay_due(engine, settings)

    [message] = outbox(engine)
    assert (message.state, message.attempts) == (DeliveryState.FAILED, 1)
    assert message.last_error is not None
    assert "550" in message.last_error


def test_a_claim_that_lapsed_is_taken_again_and_its_first_worker_cannot_overwrite_it(
    engine: Engine, base_settings: Settings, inbox: Inbox
) -> None:
    """A worker that died mid-send: after its claim lapses, another worker sends the message."""
    settings = smtp_settings(base_settings, inbox.port)
    queue(engine, settings, "Abandoned")
    with Session(engine) as db:  # as the dead worker left it: claimed, its claim already lapsed
        db.exec(
            update(OutboxMessage).values(
                state=DeliveryState.SENDING, attempts=1, next_attempt_at=utc_now() - timedelta(seconds=1)
            )
        )
        db.commit()

    assert relay_due(engine, settings) == 1

    [message] = outbox(engine)
    assert (message.state, message.attempts) == (DeliveryState.SENT, 2)
    assert len(inbox.messages) == 1


def test_the_migration_gives_earlier_messages_their_state(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        migrate.upgrade(url, "b7e4c1d95a20")  # the revision before this one
        settings = Settings(environment=Environment.TEST, database_url=url, data_dir=tmp_path)
        engine = build_engine(settings)
        with engine.begin() as connection:
            for subject, sent_at, error in [
                ("sent", "2026-11-01 10:00:00", None),
                ("refused", None, "SMTPDataError: 451"),
                ("demo", None, None),
            ]:
                connection.execute(
                    text(
                        "INSERT INTO outbox_message (recipient, subject, body, created_at, sent_at, error)"
                        " VALUES ('a@test.example', :subject, 'b', '2026-11-01 09:00:00', :sent_at, :error)"
                    ),
                    {"subject": subject, "sent_at": sent_at, "error": error},
                )
        engine.dispose()
        migrate.upgrade(url)
        engine = build_engine(settings)
        with Session(engine) as db:
            found = {m.subject: (m.state, m.attempts, m.last_error) for m in db.exec(select(OutboxMessage))}
        engine.dispose()
    assert found == {
        "sent": (DeliveryState.SENT, 1, None),
        "refused": (DeliveryState.FAILED, 1, "SMTPDataError: 451"),
        "demo": (DeliveryState.KEPT, 0, None),
    }


def test_the_outbox_page_is_for_administrators_in_and_out_of_demo_mode(
    mail_app: FastAPI, engine: Engine, base_settings: Settings, make_client: Callable[[], TestClient]
) -> None:
    queue(engine, base_settings, "Only the state shows")
    with Session(engine) as db:
        admin_token = session_token_for(db, make_person(db, PersonRole.ADMINISTRATOR))
        parent_token = session_token_for(db, make_person(db, PersonRole.PARENT_CARER))
        db.commit()
    for demo_mode in (True, False):
        mail_app.state.settings = base_settings.model_copy(update={"demo_mode": demo_mode})
        admin = make_client()
        admin.cookies.set(SESSION_COOKIE, admin_token)
        page = admin.get("/outbox")
        assert page.status_code == 200
        assert "Queued" in page.text
        assert "Only the state shows" not in page.text
        parent = make_client()
        parent.cookies.set(SESSION_COOKIE, parent_token)
        assert parent.get("/outbox").status_code == 403


@pytest.fixture
def make_client(mail_app: FastAPI) -> Callable[[], TestClient]:
    return lambda: TestClient(mail_app)


@dataclass
class NotifyServer:
    """GOV.UK Notify's e-mail endpoint on loopback: answers `statuses` in turn, then 201."""

    base_url: str
    statuses: list[int]
    requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def notify_server() -> Iterator[NotifyServer]:
    server_state = NotifyServer(base_url="", statuses=[])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length))
            server_state.requests.append((self.path, self.headers["Authorization"], body))
            status = server_state.statuses.pop(0) if server_state.statuses else 201
            answer = (
                {"id": "3f0e0c6a-0000-4000-8000-000000000001"}
                if status == 201
                else {"status_code": status, "errors": [{"error": "Error", "message": "try later"}]}
            )
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield server_state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_with_notify_configured_the_relay_sends_through_notify_and_retries_its_refusals(
    engine: Engine, base_settings: Settings, notify_server: NotifyServer, inbox: Inbox
) -> None:
    settings = smtp_settings(base_settings, inbox.port).model_copy(
        update={
            "notify_api_key": f"oneplan-test-{uuid.uuid4()}-{uuid.uuid4()}",
            "notify_template_id": "template-1",
            "notify_base_url": notify_server.base_url,
        }
    )
    notify_server.statuses = [500]
    message_id = queue(engine, settings, "Due on plan OP-1001", "Plan OP-1001: a review is due.")

    relay_due(engine, settings)
    [refused] = outbox(engine)
    assert (refused.state, refused.attempts) == (DeliveryState.QUEUED, 1)
    assert refused.last_error is not None
    assert "500" in refused.last_error

    make_due(engine)
    relay_due(engine, settings)

    [sent] = outbox(engine)
    assert (sent.state, sent.attempts, sent.last_error) == (DeliveryState.SENT, 2, None)
    assert inbox.connections == 0, "Notify is used instead of SMTP"
    path, authorization, body = notify_server.requests[-1]
    assert path == "/v2/notifications/email"
    assert authorization.startswith("Bearer ")
    assert body == {
        "email_address": RECIPIENT,
        "template_id": "template-1",
        "personalisation": {"subject": "Due on plan OP-1001", "body": "Plan OP-1001: a review is due."},
        "reference": f"outbox:{message_id}",
    }


def test_a_message_notify_will_not_send_fails_at_once(
    engine: Engine, base_settings: Settings, notify_server: NotifyServer
) -> None:
    settings = base_settings.model_copy(
        update={
            "notify_api_key": f"oneplan-test-{uuid.uuid4()}-{uuid.uuid4()}",
            "notify_template_id": "template-1",
            "notify_base_url": notify_server.base_url,
        }
    )
    notify_server.statuses = [400]
    queue(engine, settings, "Refused")

    relay_due(engine, settings)

    [message] = outbox(engine)
    assert (message.state, message.attempts) == (DeliveryState.FAILED, 1)
