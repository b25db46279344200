"""The concern pages' forms: raising a concern, the setting's answer, the family's word on it, making it a
complaint, the council's handling of a complaint and its time to answer concerns."""

from typing import Annotated

from app.forms.base import PageForm
from app.forms.fields import Choice, ChosenId, Number, Text
from app.models import ComplaintStage, ConcernAbout, ConcernOutcome, Section
from app.services.concerns.complaints import MOST_ANSWER_DAYS
from app.services.concerns.concerns import MAX_WORDS

TOO_LONG = "Use 5,000 characters or fewer"


class ConcernForm(PageForm):
    about: Annotated[ConcernAbout, Choice(ConcernAbout, "Select what your concern is about")]
    section: Annotated[Section | None, Choice(Section, optional=True)]
    item_id: Annotated[int | None, ChosenId(optional=True)]
    words: Annotated[str, Text(MAX_WORDS, missing="Enter your concern", too_long=TOO_LONG)]


class AnswerForm(PageForm):
    words: Annotated[str, Text(MAX_WORDS, missing="Enter your answer", too_long=TOO_LONG)]


class OutcomeForm(PageForm):
    outcome: Annotated[
        ConcernOutcome, Choice(ConcernOutcome, "Select whether the answer resolves your concern")
    ]


class ComplaintForm(PageForm):
    words: Annotated[
        str, Text(MAX_WORDS, missing="Enter why you are making your concern a complaint", too_long=TOO_LONG)
    ]


class HandlingForm(PageForm):
    stage: Annotated[ComplaintStage, Choice(ComplaintStage, "Select the complaint's stage")]
    answer: Annotated[str, Text(MAX_WORDS, too_long=TOO_LONG)]


class AnswerDaysForm(PageForm):
    answer_days: Annotated[
        int,
        Number(
            f"Enter a number of working days from 1 to {MOST_ANSWER_DAYS}",
            at_least=1,
            at_most=MOST_ANSWER_DAYS,
        ),
    ]
