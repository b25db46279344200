"""The one way OnePlan sends e-mail: a request only queues the message; `oneplan worker` delivers it.

`send_mail` writes the message to the outbox in the caller's transaction, so a change that is rolled
back sends nothing (no invitation to an account that was never made), and no request ever waits on
a mail server. The worker's relay (`relay_due`) claims due messages one at a time, so that several
workers never send one message twice, and delivers each by GOV.UK Notify or SMTP, whichever is
configured. A refusal is tried again after 1, 2, 4... minutes (at most an hour apart); after
ONEPLAN_MAIL_MAX_ATTEMPTS tries, or a refusal that will not change (an unknown recipient), the
message is marked failed with the last error. With neither configured the message is kept in the
outbox only (a demo). Messages say what happened and where, and carry no personal details about a
child.
"""

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import cast

from sqlalchemy import Engine
from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import Session, col, select, update

from app.config import Settings
from app.models import DeliveryState, OutboxMessage
from app.models.base import id_of, utc_now
from app.services.timelines.notify import notify_configured, notify_email, send_by_notify

logger = logging.getLogger("oneplan.mail")

SMTP_TIMEOUT_SECONDS = 15
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
CLAIM = timedelta(minutes=5)
"""How long a worker holds a message it is sending; well over the SMTP time-outs of one hand-over."""
WAITING = (DeliveryState.QUEUED, DeliveryState.SENDING)
_CONTENT = cast(list[QueryableAttribute[str]], [OutboxMessage.subject, OutboxMessage.body])
"""What a message says: never loaded for the administrator's page."""


def send_mail(db: Session, settings: Settings, recipient: str, subject: str, body: str) -> OutboxMessage:
    """Queue the message in the caller's transaction; the worker delivers it (no network call here)."""
    message = OutboxMessage(recipient=recipient.strip(), subject=subject, body=body)
    db.add(message)
    db.flush()
    return message


def recent_messages(db: Session, limit: int = 100) -> list[OutboxMessage]:
    """The outbox, newest first, for the administrator's page of delivery states: without the content."""
    return list(
        db.exec(
            select(OutboxMessage)
            .options(*(defer(content, raiseload=True) for content in _CONTENT))
            .order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
            .limit(limit)
        )
    )


class PermanentRefusal(Exception):
    """The receiving side said no for good (an unknown address): trying again would not help."""


@dataclass(frozen=True)
class Claimed:
    """A message this worker has claimed, with the try it is on (1 for the first)."""

    id: int
    recipient: str
    subject: str
    body: str
    attempt: int


Transport = Callable[[Settings, Claimed], None]


def transport_of(settings: Settings) -> Transport | None:
    """GOV.UK Notify when both its settings are set, else SMTP when a host is set, else none (keep)."""
    if notify_configured(settings):
        return _notify_send
    if settings.smtp_host:
        return _smtp_send
    return None


def retry_wait(attempts: int) -> timedelta:
    """The wait after the given number of failed tries: 1, 2, 4... minutes, never more than an hour."""
    doubled: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(doubled, LONGEST_WAIT)


def relay_due(
    engine: Engine,
    settings: Settings,
    *,
    limit: int = 100,
    keep: Callable[[Claimed], None] | None = None,
) -> int:
    """Deliver the messages that are due, one claimed at a time; how many were handled.

    Each claim and each outcome is a short transaction of its own: no lock is held while the mail
    server is talked to. `keep` is told of each message kept because no transport is configured.
    """
    transport = transport_of(settings)
    handled = 0
    while handled < limit:
        claimed = claim_next(engine)
        if claimed is None:
            break
        handled += 1
        if transport is None:
            _finish(engine, claimed, state=DeliveryState.KEPT)
            if keep is not None:
                keep(claimed)
            continue
        try:
            transport(settings, claimed)
        except Exception as error:  # any failure is the message's to record, never the worker's end
            _note_failure(engine, settings, claimed, error)
        else:
            _finish(engine, claimed, state=DeliveryState.SENT, sent_at=utc_now())
    return handled


def claim_next(engine: Engine) -> Claimed | None:
    """Take the next due message for this worker, or None when nothing is due.

    PostgreSQL skips rows another worker is claiming (`FOR UPDATE SKIP LOCKED`); on SQLite, and
    everywhere as the last word, the UPDATE only succeeds if the row is still as it was read, so two
    workers can never both claim one try of a message.
    """
    while True:
        with Session(engine) as db:
            now = utc_now()
            row = db.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.state).in_(WAITING), col(OutboxMessage.next_attempt_at) <= now)
                .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            claimed = Claimed(id_of(row), row.recipient, row.subject, row.body, row.attempts + 1)
            taken = db.exec(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == row.id,
                    col(OutboxMessage.state) == row.state,
                    col(OutboxMessage.attempts) == row.attempts,
                )
                .values(state=DeliveryState.SENDING, attempts=claimed.attempt, next_attempt_at=now + CLAIM)
                .execution_options(synchronize_session=False)
            )
            db.commit()
            if taken.rowcount == 1:
                return claimed


def _finish(
    engine: Engine,
    claimed: Claimed,
    *,
    state: DeliveryState,
    sent_at: datetime | None = None,
    next_attempt_at: datetime | None = None,
    error: str | None = None,
) -> None:
    """Write the outcome of this worker's try, unless the claim lapsed and another took the message."""
    values: dict[str, object] = {"state": state, "last_error": error}
    if sent_at is not None:
        values["sent_at"] = sent_at
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    with Session(engine) as db:
        db.exec(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == claimed.id,
                col(OutboxMessage.state) == DeliveryState.SENDING,
                col(OutboxMessage.attempts) == claimed.attempt,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        db.commit()


def _note_failure(engine: Engine, settings: Settings, claimed: Claimed, error: Exception) -> None:
    described = f"{type(error).__name__}: {error}"[:500]
    if isinstance(error, PermanentRefusal) or claimed.attempt >= settings.mail_max_attempts:
        logger.warning("Outbox message %s failed after %s tries: %s", claimed.id, claimed.attempt, described)
        _finish(engine, claimed, state=DeliveryState.FAILED, error=described)
        return
    wait = retry_wait(claimed.attempt)
    logger.info("Outbox message %s refused (try %s): %s", claimed.id, claimed.attempt, described)
    _finish(engine, claimed, state=DeliveryState.QUEUED, next_attempt_at=utc_now() + wait, error=described)


def _smtp_send(settings: Settings, claimed: Claimed) -> None:
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = claimed.recipient
    email["Subject"] = claimed.subject
    email["Date"] = formatdate(localtime=False)
    # The domain is given so that make_msgid does not look up this machine's name.
    email["Message-ID"] = make_msgid(
        domain=parseaddr(settings.mail_from)[1].rpartition("@")[2] or "oneplan.invalid"
    )
    email.set_content(claimed.body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password)
            smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as refused:
        if all(code >= 500 for code, _text in refused.recipients.values()):
            raise PermanentRefusal(f"recipient refused: {refused.recipients}") from refused
        raise
    except smtplib.SMTPDataError as refused:
        if refused.smtp_code >= 500:
            raise PermanentRefusal(f"refused: {refused.smtp_code} {refused.smtp_error!r}") from refused
        raise


def _notify_send(settings: Settings, claimed: Claimed) -> None:
    """Hand the message to GOV.UK Notify; a 400 (such as an address it will not send to) is final."""
    try:
        send_by_notify(
            settings,
            notify_email(settings, claimed.recipient, claimed.subject, claimed.body, f"outbox:{claimed.id}"),
        )
    except Exception as error:
        if getattr(error, "status_code", None) == 400:
            raise PermanentRefusal(str(error)) from error
        raise
