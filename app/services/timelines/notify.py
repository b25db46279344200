"""GOV.UK Notify: the mail relay's transport when ONEPLAN_NOTIFY_API_KEY and _TEMPLATE_ID are set.

The Notify template holds two placeholders, ((subject)) and ((body)); OnePlan fills them with the same
words the outbox keeps. Building the message is separate from sending it, so that it can be checked
without the network.
"""

from dataclasses import dataclass
from typing import Any

from notifications_python_client.notifications import NotificationsAPIClient

from app.config import Settings

NOTIFY_TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class NotifyEmail:
    email_address: str
    template_id: str
    personalisation: dict[str, str]
    reference: str
    """Our own name for the message (the reminder's key), shown in Notify's records."""

    def arguments(self) -> dict[str, Any]:
        return {
            "email_address": self.email_address,
            "template_id": self.template_id,
            "personalisation": self.personalisation,
            "reference": self.reference,
        }


def notify_configured(settings: Settings) -> bool:
    return bool(settings.notify_api_key and settings.notify_template_id)


def notify_email(settings: Settings, recipient: str, subject: str, body: str, reference: str) -> NotifyEmail:
    return NotifyEmail(
        email_address=recipient,
        template_id=settings.notify_template_id,
        personalisation={"subject": subject, "body": body},
        reference=reference[:100],
    )


def send_by_notify(settings: Settings, email: NotifyEmail) -> str:
    """Hand the e-mail to GOV.UK Notify; its id for our records (raises on any failure)."""

    client = NotificationsAPIClient(  # type: ignore[no-untyped-call]
        settings.notify_api_key, base_url=settings.notify_base_url, timeout=NOTIFY_TIMEOUT_SECONDS
    )
    response: dict[str, Any] = client.send_email_notification(**email.arguments())  # type: ignore[no-untyped-call]
    return str(response["id"])
