"""The mail interface against a real SMTP server (aiosmtpd) on a free loopback port.

These tests commit for real (delivery waits for the commit), so each one removes its messages.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, delete, select

from app.config import Settings
from app.models import OutboxMessage, Person, PersonRole
from app.services.mail import send_mail
from tests.browser.server import free_port
from tests.factories import make_person
from tests.page_checks import check_page

RECIPIENT = "mail-test@test.example"


@dataclass
class Inbox:
    """What the SMTP server received, and the settings that point OnePlan at it."""

    port: int
    messages: list[tuple[list[str], Message]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def _authenticate(inbox: Inbox) -> Any:
    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"oneplan", b"s3cret")
        if ok:
            inbox.logins.append(data.login.decode())
        return AuthResult(success=ok)

    return authenticator


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    received = Inbox(port=free_port())
    controller = Controller(
        received,
        hostname="127.0.0.1",
        port=received.port,
        authenticator=_authenticate(received),
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield received
    finally:
        controller.stop()


@pytest.fixture
def engine_session(app: FastAPI) -> Iterator[Session]:
    """A session on the real engine, so that commits are real; its messages are removed afterwards."""
    with Session(app.state.engine) as db:
        yield db
    with Session(app.state.engine) as cleanup:
        cleanup.exec(delete(OutboxMessage).where(col(OutboxMessage.recipient) == RECIPIENT))
        cleanup.commit()


def smtp_settings(settings: Settings, port: int, **extra: Any) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, **extra})


def stored(app: FastAPI) -> list[OutboxMessage]:
    with Session(app.state.engine) as db:
        return list(db.exec(select(OutboxMessage).where(OutboxMessage.recipient == RECIPIENT)))


def test_a_committed_message_is_kept_and_delivered(
    app: FastAPI, engine_session: Session, settings: Settings, inbox: Inbox
) -> None:
    configured = smtp_settings(settings, inbox.port)
    send_mail(engine_session, configured, RECIPIENT, "Your invitation", "Open this link:\nhttp://x.test/a")
    assert inbox.messages == [], "nothing may leave before the commit"

    engine_session.commit()

    [(recipients, message)] = inbox.messages
    assert recipients == [RECIPIENT]
    assert message["Subject"] == "Your invitation"
    assert message["From"] == configured.mail_from
    assert "http://x.test/a" in message.get_payload(decode=True).decode()
    [kept] = stored(app)
    assert kept.sent_at is not None
    assert kept.error is None


def test_a_rolled_back_transaction_delivers_nothing(
    app: FastAPI, engine_session: Session, settings: Settings, inbox: Inbox
) -> None:
    send_mail(engine_session, smtp_settings(settings, inbox.port), RECIPIENT, "Never sent", "body")
    engine_session.rollback()
    engine_session.commit()  # a later commit of the same session must not send it either

    assert inbox.messages == []
    assert stored(app) == []


def test_a_rolled_back_savepoint_drops_only_its_own_messages(
    app: FastAPI, engine_session: Session, settings: Settings, inbox: Inbox
) -> None:
    configured = smtp_settings(settings, inbox.port)
    send_mail(engine_session, configured, RECIPIENT, "Kept", "body")
    savepoint = engine_session.begin_nested()
    send_mail(engine_session, configured, RECIPIENT, "Dropped", "body")
    savepoint.rollback()
    released = engine_session.begin_nested()
    send_mail(engine_session, configured, RECIPIENT, "Released", "body")
    released.commit()
    assert inbox.messages == [], "releasing a savepoint is not the commit"

    engine_session.commit()

    assert sorted(message["Subject"] for _, message in inbox.messages) == ["Kept", "Released"]
    assert sorted(message.subject for message in stored(app)) == ["Kept", "Released"]


def test_without_an_smtp_host_the_outbox_keeps_the_message_and_nothing_is_sent(
    app: FastAPI, engine_session: Session, settings: Settings, inbox: Inbox
) -> None:
    assert settings.smtp_host == ""
    send_mail(engine_session, settings, RECIPIENT, "Kept here", "body")
    engine_session.commit()

    assert inbox.messages == []
    [kept] = stored(app)
    assert (kept.subject, kept.sent_at, kept.error) == ("Kept here", None, None)


def test_login_is_used_when_a_username_is_configured(
    app: FastAPI, engine_session: Session, settings: Settings, inbox: Inbox
) -> None:
    configured = smtp_settings(settings, inbox.port, smtp_username="oneplan", smtp_password="s3cret")
    send_mail(engine_session, configured, RECIPIENT, "Authenticated", "body")
    engine_session.commit()

    assert inbox.logins == ["oneplan"]
    assert [message["Subject"] for _, message in inbox.messages] == ["Authenticated"]


def test_a_failed_delivery_is_noted_and_the_commit_stands(
    app: FastAPI, engine_session: Session, settings: Settings
) -> None:
    nobody_listening = free_port()
    send_mail(engine_session, smtp_settings(settings, nobody_listening), RECIPIENT, "Undeliverable", "b")
    engine_session.commit()

    [kept] = stored(app)
    assert kept.sent_at is None
    assert kept.error is not None
    assert "Connection" in kept.error


def test_the_outbox_page_lists_messages_newest_first_with_followable_links(
    client: TestClient, db_session: Session, settings: Settings, sign_in_as: Callable[[Person], str]
) -> None:
    send_mail(db_session, settings, "first@test.example", "Older message", "Nothing to follow.")
    send_mail(
        db_session,
        settings,
        "second@test.example",
        "Newer message",
        'Open this link:\nhttp://127.0.0.1:8000/invitations/abc"<x>\n\nThanks.',
    )
    sign_in_as(make_person(db_session, PersonRole.ADMINISTRATOR))

    page = client.get("/outbox")

    assert page.status_code == 200
    check_page(page.text)
    assert page.text.index("Newer message") < page.text.index("Older message")
    assert '<a class="govuk-link" href="http://127.0.0.1:8000/invitations/abc&#34;&lt;x&gt;">' in page.text
    assert "second@test.example" in page.text
    assert "Kept in the outbox (no SMTP server is configured)" in page.text


def test_the_outbox_page_does_not_exist_outside_demo_mode(
    app: FastAPI,
    client: TestClient,
    db_session: Session,
    settings: Settings,
    sign_in_as: Callable[[Person], str],
) -> None:
    sign_in_as(make_person(db_session, PersonRole.ADMINISTRATOR))
    app.state.settings = settings.model_copy(update={"demo_mode": False})
    try:
        assert client.get("/outbox").status_code == 404
    finally:
        app.state.settings = settings
    assert client.get("/outbox").status_code == 200
