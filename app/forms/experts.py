"""The Experts at Hand and inclusion base forms: asking a service, the service's reply, a base and a place."""

from datetime import date
from typing import Annotated, ClassVar

from app.forms.base import PageForm
from app.forms.fields import Choice, ChosenId, GovukDate, Number, Text
from app.forms.items import ProvisionAmount, SessionMinutes
from app.models import ProvisionFrequency, ProvisionUnit, ReplyKind, RequestKind


class AskForm(PageForm):
    service_id: Annotated[int, ChosenId("Select the service to ask")]
    kind: Annotated[
        RequestKind, Choice(RequestKind, "Select whether you are asking for advice or direct work")
    ]
    question: Annotated[
        str,
        Text(
            2000,
            missing="Enter the question you are asking the service",
            too_long="The question must be 2,000 characters or fewer",
        ),
    ]
    due_on: Annotated[
        date, GovukDate(label="The date the reply is due", missing="Enter the date the reply is due")
    ]


class ReplyForm(PageForm):
    reply_kind: Annotated[ReplyKind, Choice(ReplyKind, "Select whether your reply is advice or provision")]
    text: Annotated[
        str, Text(10000, missing="Enter your reply", too_long="The reply must be 10,000 characters or fewer")
    ]
    amount: ProvisionAmount
    unit: Annotated[ProvisionUnit | None, Choice(ProvisionUnit)]
    frequency: Annotated[ProvisionFrequency | None, Choice(ProvisionFrequency)]
    session_minutes: SessionMinutes
    location: Annotated[str, Text(200, too_long="The place must be 200 characters or fewer")]


class BaseForm(PageForm):
    name: Annotated[
        str,
        Text(200, missing="Enter the name of the base", too_long="The name must be 200 characters or fewer"),
    ]


class PlaceForm(PageForm):
    base_id: Annotated[int, ChosenId("Select the inclusion base")]
    minutes_a_week: Annotated[
        int,
        Number(
            "Enter the minutes a week as a whole number, like 300",
            at_least=1,
            at_most=2400,
            out_of_range="Enter the minutes a week, from 1 to 2,400",
        ),
    ]
    text: Annotated[
        str,
        Text(
            2000,
            missing="Enter what the child does in the base",
            too_long="The words must be 2,000 characters or fewer",
        ),
    ]


class ServiceContactForm(PageForm):
    """Where a service's requests are mailed: its shared inbox (empty: each of its people instead)."""

    contact_email: Annotated[str, Text(254, too_long="The e-mail address must be 254 characters or fewer")]
    problem_fallback: ClassVar[str | None] = "contact_email"
