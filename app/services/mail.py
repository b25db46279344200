"""The one way OnePlan sends e-mail: every message is kept in the outbox, and also goes by SMTP when
a host is configured.

The SMTP hand-over waits until the caller's transaction commits, so that a change that is rolled
back sends nothing (no invitation to an account that was never made). The outcome of the hand-over
is then written in a short transaction of its own. Messages say what happened and where, and carry
no personal details about a child.
"""

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from sqlalchemy import event
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from app.config import Settings
from app.models import OutboxMessage
from app.models.base import id_of, utc_now

logger = logging.getLogger("oneplan.mail")

SMTP_TIMEOUT_SECONDS = 15
_PENDING = "oneplan_pending_mail"


@dataclass(frozen=True)
class _Pending:
    message_id: int
    settings: Settings


def send_mail(db: Session, settings: Settings, recipient: str, subject: str, body: str) -> OutboxMessage:
    """Keep the message in the outbox (in the caller's transaction); deliver it by SMTP after commit."""
    message = OutboxMessage(recipient=recipient.strip(), subject=subject, body=body)
    db.add(message)
    db.flush()
    if settings.smtp_host:
        _pending(db).append(_Pending(id_of(message), settings))
    return message


def recent_messages(db: Session, limit: int = 100) -> list[OutboxMessage]:
    """The outbox, newest first (the demo operator's page)."""
    return list(
        db.exec(
            select(OutboxMessage)
            .order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
            .limit(limit)
        )
    )


def _pending(db: Session) -> list[_Pending]:
    """The session's messages waiting for its commit; the listeners are added once per session."""
    pending: list[_Pending] | None = db.info.get(_PENDING)
    if pending is None:
        pending = db.info[_PENDING] = []
        event.listen(db, "after_commit", _deliver_after_commit)
        event.listen(db, "after_transaction_end", _forget_at_end)
    return pending


def _deliver_after_commit(db: Session) -> None:
    if db.in_nested_transaction():
        return  # a savepoint was released: the outer transaction may still roll back
    pending: list[_Pending] = db.info.get(_PENDING, [])
    waiting = list(pending)
    pending.clear()
    for item in waiting:
        _deliver(db, item)


def _forget_at_end(db: Session, transaction: SessionTransaction) -> None:
    """Once the outermost transaction ends, committed or not, nothing of it is left to send."""
    if transaction.parent is None:
        db.info.get(_PENDING, []).clear()


def _deliver(db: Session, item: _Pending) -> None:
    """Hand one committed message to the SMTP server, then note the outcome in its own transaction.

    A message added inside a savepoint that was rolled back was never stored, so it is not found
    here and nothing is sent. A failure is kept on the message (the outbox page shows it) and never
    undoes what was committed.
    """
    with Session(db.get_bind()) as own:
        message = own.get(OutboxMessage, item.message_id)
        if message is None or message.sent_at is not None:
            return
        try:
            _smtp_send(item.settings, message)
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("Could not send outbox message %s: %s", message.id, error)
            message.error = f"{type(error).__name__}: {error}"[:500]
        else:
            message.sent_at = utc_now()
            message.error = None
        own.add(message)
        own.commit()


def _smtp_send(settings: Settings, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    # The domain is given so that make_msgid does not look up this machine's name.
    email["Message-ID"] = make_msgid(
        domain=parseaddr(settings.mail_from)[1].rpartition("@")[2] or "oneplan.invalid"
    )
    email.set_content(message.body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(email)
