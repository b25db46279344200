"""The forms of the Individual Support Plan: turning a plan into one, moving layers, the duty holder and
review date, and a council's words."""

from datetime import date
from typing import Annotated, ClassVar

from app.forms.base import PageForm
from app.forms.fields import Choice, ChosenId, GovukDate, Text
from app.models import SupportLayer

REASON_TOO_LONG = "The reason must be 2,000 characters or fewer"
DUTY_HOLDER = ChosenId("Select who holds the duty for this plan")
NEXT_REVIEW = GovukDate(label="The next review", missing="Enter the date of the next review")


class ConvertForm(PageForm):
    layer: Annotated[SupportLayer, Choice(SupportLayer, "Select the layer of support")]
    reason: Annotated[
        str, Text(2000, missing="Enter why the child needs this layer", too_long=REASON_TOO_LONG)
    ]
    duty_holder_id: Annotated[int, DUTY_HOLDER]
    next_review_on: Annotated[date, NEXT_REVIEW]
    problem_fallback: ClassVar[str | None] = "layer"


class LayerForm(PageForm):
    layer: Annotated[SupportLayer, Choice(SupportLayer, "Select the new layer of support")]
    reason: Annotated[str, Text(2000, missing="Enter why the layer changes", too_long=REASON_TOO_LONG)]
    problem_fallback: ClassVar[str | None] = "layer"


class DetailsForm(PageForm):
    duty_holder_id: Annotated[int, DUTY_HOLDER]
    next_review_on: Annotated[date, NEXT_REVIEW]
    problem_fallback: ClassVar[str | None] = "duty_holder_id"


def _name(missing: str, limit: int) -> Text:
    return Text(limit, missing=missing, too_long=f"The name must be {limit} characters or fewer")


class WordsForm(PageForm):
    plan_name: Annotated[str, _name("Enter the name of the plan", 80)]
    targeted: Annotated[str, _name("Enter the name of the first layer", 60)]
    targeted_plus: Annotated[str, _name("Enter the name of the second layer", 60)]
    specialist: Annotated[str, _name("Enter the name of the third layer", 60)]
    problem_fallback: ClassVar[str | None] = "plan_name"
