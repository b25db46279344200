"""A real SMTP server (aiosmtpd) on a free loopback port, that can refuse, for the mail tests."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.browser.server import free_port


@dataclass
class Inbox:
    """A real SMTP server's side: what it was asked and what it accepted; it can refuse on DATA."""

    port: int
    refuse: int = 0
    """How many DATA commands to answer with 451 (try again later) before accepting."""
    refuse_recipients: bool = False
    connections: int = 0
    messages: list[tuple[list[str], Message]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse_recipients:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 Mailbox busy, try again later"
            self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def _authenticate(inbox: Inbox) -> Any:
    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"oneplan", b"s3cret")
        if ok:
            inbox.logins.append(data.login.decode())
        return AuthResult(success=ok)

    return authenticator


@contextmanager
def running_inbox() -> Iterator[Inbox]:
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
