"""The timeline's forms: asking for an assessment, steps done and their exceptions, advice, reviews."""

from datetime import date
from typing import Annotated

from app.forms.base import PageForm
from app.forms.fields import Choice, ChosenId, GovukDate, Number, Text
from app.models.timeline import AdviceTopic, ExceptionKind, StepOutcome


class AssessmentRequestForm(PageForm):
    reason: Annotated[str, Text(2000, too_long="Say why in 2,000 characters or fewer")]
    requested_on: Annotated[date | None, GovukDate()]


class StepDoneForm(PageForm):
    done_on: Annotated[date, GovukDate(missing="Enter the date it happened")]
    outcome: Annotated[StepOutcome | None, Choice(StepOutcome)]
    note: Annotated[str, Text(2000, too_long="Write the differences of opinion in 2,000 characters or fewer")]


class StepExceptionForm(PageForm):
    exception: Annotated[ExceptionKind, Choice(ExceptionKind, "Select which exception applies")]
    exception_reason: Annotated[
        str,
        Text(500, missing="Enter why the exception applies", too_long="Say why in 500 characters or fewer"),
    ]


class AdviceRequestForm(PageForm):
    topic: Annotated[AdviceTopic, Choice(AdviceTopic, "Select the kind of advice")]
    organisation_id: Annotated[int, ChosenId("Select the organisation asked")]
    person_id: Annotated[int | None, ChosenId("Select a person, or nobody", optional=True)]
    sent_on: Annotated[date, GovukDate(missing="Enter the date the request was sent")]


class AdviceReturnedForm(PageForm):
    """Shown once for each request for advice on the timeline: read with the request's id as suffix."""

    returned_on: Annotated[date, GovukDate(missing="Enter the date the advice came back")]
    problem_fallback = "returned_on"


class ReviewMeetingForm(PageForm):
    meeting_on: Annotated[date, GovukDate(missing="Enter the date of the meeting")]


class PhaseTransferForm(PageForm):
    transfer_year: Annotated[
        int, Number("Enter the year of the move, like 2027", at_least=2000, at_most=2100)
    ]
    into_post_16: str = ""


class WrittenAdviceForm(PageForm):
    """The adviser's advice, written where it was asked for; its files are read beside the form."""

    advice_text: Annotated[
        str,
        Text(
            10000,
            missing="Write the advice (a summary, at least, of any report you attach)",
            too_long="Write the advice in 10,000 characters or fewer, and attach the rest as a file",
        ),
    ]
    attachments: str = ""
    problem_fallback = "advice_text"


class DraftPlanForm(PageForm):
    """ "Make the draft plan": a button; a refusal is shown beside it."""

    problem_fallback = "make_draft"
