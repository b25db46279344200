"""The mail outbox, for administrators: where each message stands, never what it says.

A message belongs to its recipient; many carry a link that signs in or sets a password, so the page
shows the recipient, when it was queued, its delivery state, tries and last error, and nothing of
the subject or body, in demo mode too (the demo's worker prints kept messages in its terminal).
"""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dependencies import SessionDep, SettingsDep, requires
from app.models import DeliveryState, OutboxMessage
from app.permissions import Permission
from app.rendering import render
from app.services.mail import recent_messages, transport_of
from app.templating import when

router = APIRouter()

TAGS = {
    DeliveryState.QUEUED: "govuk-tag--grey",
    DeliveryState.SENDING: "govuk-tag--blue",
    DeliveryState.SENT: "govuk-tag--green",
    DeliveryState.FAILED: "govuk-tag--red",
    DeliveryState.KEPT: "govuk-tag--yellow",
}


@dataclass(frozen=True)
class Delivery:
    """A message as the page shows it: its state in words, with no word of its content."""

    message: OutboxMessage
    state: str
    detail: str
    tag: str


def _tries(count: int) -> str:
    return "1 try" if count == 1 else f"{count} tries"


def delivery_of(message: OutboxMessage) -> Delivery:
    state, detail = message.state, ""
    if state is DeliveryState.SENT:
        label, detail = "Sent", when(message.sent_at)
    elif state is DeliveryState.FAILED:
        label = f"Failed after {_tries(message.attempts)}"
    elif state is DeliveryState.KEPT:
        label, detail = "Kept", "in the outbox only: no way of sending mail is configured"
    elif state is DeliveryState.SENDING:
        label = "Sending"
    elif message.attempts:
        label, detail = "Queued", f"next try after {when(message.next_attempt_at)}"
    else:
        label = "Queued"
    return Delivery(message, label, detail, TAGS[state])


@router.get("/outbox", dependencies=[requires(Permission.READ_OUTBOX)])
def outbox_page(request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    deliveries = [delivery_of(message) for message in recent_messages(db)]
    return render(
        request,
        "pages/outbox/outbox.html",
        {"deliveries": deliveries, "sending_on": transport_of(settings) is not None},
    )
