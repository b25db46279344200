"""The form to start a plan: the kind of plan, the child, and for an EHC plan the school named in it."""

from datetime import date
from typing import Annotated, Any

from pydantic import ValidationInfo, field_validator

from app.forms.base import PageForm
from app.forms.fields import Choice, ChosenId, GovukDate, Text, problem
from app.models import PlanKind, SupportLayer


class NewPlanForm(PageForm):
    """Read with the kinds of plan this person starts as `kinds` in the context (none: none)."""

    kind: PlanKind
    child_full_name: Annotated[
        str,
        Text(
            120,
            missing="Enter the child's full name",
            too_long="The child's full name must be 120 characters or fewer",
        ),
    ]
    child_preferred_name: Annotated[
        str, Text(60, too_long="The name they like to be called must be 60 characters or fewer")
    ]
    child_date_of_birth: Annotated[
        date,
        GovukDate(label="Date of birth", missing="Enter the child's date of birth"),
    ]
    child_school_year: Annotated[
        str,
        Text(
            20,
            missing="Enter the child's school year",
            too_long="The school year must be 20 characters or fewer",
        ),
    ]
    setting_id: Annotated[int | None, ChosenId()]
    layer: Annotated[SupportLayer | None, Choice(SupportLayer)]
    """An Individual Support Plan's first layer of support (the service asks for it, for an ISP)."""
    duty_holder_id: Annotated[int | None, ChosenId()]
    next_review_on: Annotated[date | None, GovukDate(label="The first review")]

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any, info: ValidationInfo) -> PlanKind:
        """Only a kind of plan this person starts (the form offers only those)."""
        kinds: tuple[PlanKind, ...] = (info.context or {}).get("kinds", ())
        found = next((kind for kind in kinds if value == kind.value), None)
        if found is None:
            raise problem("Select the kind of plan")
        return found

    @field_validator("setting_id")
    @classmethod
    def _setting(cls, setting_id: int | None, info: ValidationInfo) -> int | None:
        """An EHC plan names the school or college; a plan for SEN support names none here."""
        if PlanKind.EHC not in (info.context or {}).get("kinds", ()):
            return None
        if setting_id is None:
            raise problem("Select the school or college named in the plan")
        return setting_id
