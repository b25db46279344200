"""The delivery pages' forms: the week's log, reduced timetables, the needs map, ending provision and the
family's reply, and moving school."""

from datetime import date
from typing import Annotated, Any

from pydantic import ValidationInfo, field_validator

from app.forms.base import PageForm
from app.forms.fields import Choice, ChosenId, GovukDate, Number, Text
from app.models import Confidence, DeliveryStatus, SupportLevel, TimetableDecisionKind
from app.services.delivery.changes import MAX_REASON, NO_REASON
from app.services.delivery.timetables import FULL_TIME_HOURS

LONG_TEXT = "Use 2,000 characters or fewer"


class WeekForm(PageForm):
    """The week a log is for (a hidden field: its Monday)."""

    week: Annotated[date, GovukDate(label="The week", missing="Enter the week")]


class DayForm(PageForm):
    """One day of the week's log: read with `-<the day, YYYY-MM-DD>` as the suffix of each name."""

    status: Annotated[
        DeliveryStatus | None, Choice(DeliveryStatus, "Select delivered or missed", optional=True)
    ]
    amount: float | None
    reason: str

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, typed: Any, info: ValidationInfo) -> float | None:
        """How much was delivered, if it was and it is given (else the planned share)."""
        if info.data.get("status") is not DeliveryStatus.DELIVERED or not str(typed).strip():
            return None
        return Number("Enter the amount as a number, like 1 or 0.5").read(typed, whole=False)


class TimetableForm(PageForm):
    starts_on: Annotated[date, GovukDate(label="The day it starts", missing="Enter the day it starts")]
    planned_end_on: Annotated[date, GovukDate(label="The planned end", missing="Enter the planned end")]
    hours_a_week: Annotated[
        float,
        Number(
            f"Enter the hours a week as a number more than 0 and less than {FULL_TIME_HOURS:g}",
            more_than=0,
            less_than=FULL_TIME_HOURS,
        ),
    ]
    reason: Annotated[str, Text(2000, missing="Enter why a reduced timetable is needed", too_long=LONG_TEXT)]
    return_plan: Annotated[
        str, Text(2000, missing="Enter the plan to return to full time", too_long=LONG_TEXT)
    ]
    review_on: Annotated[
        date, GovukDate(label="The date of the first review", missing="Enter the date of the first review")
    ]


class DecisionForm(PageForm):
    decision: Annotated[TimetableDecisionKind, Choice(TimetableDecisionKind, "Select the decision")]
    note: Annotated[str, Text(2000, missing="Enter what was decided and why", too_long=LONG_TEXT)]
    next_review_on: Annotated[date | None, GovukDate(label="The next review")]
    planned_end_on: Annotated[date | None, GovukDate(label="The new planned end")]


class NeedsMapForm(PageForm):
    item_id: Annotated[int, ChosenId("Select a need of this plan")]
    setting_support: Annotated[
        SupportLevel, Choice(SupportLevel, "Select how well the setting supports this need")
    ]
    support_offered: Annotated[
        str,
        Text(
            1000,
            missing="Enter the support the setting offers for this need",
            too_long="Use 1,000 characters or fewer",
        ),
    ]
    family_confidence: Annotated[
        Confidence, Choice(Confidence, "Select how confident the family feels at home")
    ]


class EndingForm(PageForm):
    reason: Annotated[
        str,
        Text(MAX_REASON, missing=NO_REASON, too_long=f"The reason must be {MAX_REASON} characters or fewer"),
    ]
    effective_on: Annotated[date | None, GovukDate(label="The day it ends")]


class ReplyForm(PageForm):
    text: Annotated[str, Text(5000, too_long="Your reply must be 5,000 characters or fewer")]


class MoveForm(PageForm):
    to_setting_id: Annotated[int, ChosenId("Select the new school")]
    new_senco_id: Annotated[int, ChosenId("Select the new school's SENCo")]
    moves_on: Annotated[date, GovukDate(label="The day of the move", missing="Enter the day of the move")]
    reason: Annotated[str, Text(MAX_REASON, too_long=f"The reason must be {MAX_REASON} characters or fewer")]
