"""The forms that move a plan on: the next step, a review meeting, and what changed since a day."""

from datetime import date
from typing import Annotated, Any

from pydantic import ValidationInfo, field_validator

from app.clock import uk_today
from app.forms.base import PageForm
from app.forms.fields import Choice, GovukDate, Text, problem
from app.models import CycleStage
from app.services.plans.lifecycle import Step

REASON_LENGTH = 500
"""A plan's ending is recorded with its reason in the audit trail, which keeps 500 characters."""
REASONED = frozenset({Step.CEASE, Step.CLOSE, Step.ISSUE})
"""Steps taken with a reason: why the plan ends, or why provision is not quantified when it is issued."""


class StepForm(PageForm):
    step: Annotated[Step, Choice(Step, "Select what to do next")]
    reason: str
    stage: Annotated[CycleStage | None, Choice(CycleStage)]
    comments_until: Annotated[date | None, GovukDate()]

    @field_validator("reason")
    @classmethod
    def _reason(cls, reason: str, info: ValidationInfo) -> str:
        """Only a step taken with a reason keeps one."""
        if info.data.get("step") not in REASONED:
            return ""
        if len(reason) > REASON_LENGTH:
            raise problem(f"Say why in {REASON_LENGTH} characters or fewer")
        return reason

    @field_validator("stage")
    @classmethod
    def _stage(cls, stage: CycleStage | None, info: ValidationInfo) -> CycleStage | None:
        return stage if info.data.get("step") is Step.MOVE_TO_STAGE else None

    @field_validator("comments_until", mode="before")
    @classmethod
    def _comments_until(cls, typed: Any, info: ValidationInfo) -> Any:
        """The last day for comments is read only when the draft goes out for them."""
        return (
            typed if info.data.get("step") is Step.SEND_FOR_CONSULTATION and "reason" in info.data else None
        )


class ReviewForm(PageForm):
    held_on: Annotated[
        date, GovukDate(missing="Enter the date the meeting was held", marks_missing_box=False)
    ]
    participants: Annotated[
        str,
        Text(
            2000,
            missing="Enter who took part in the meeting",
            too_long="Who took part must be 2,000 characters or fewer",
        ),
    ]
    what_worked: Annotated[
        str,
        Text(
            10000,
            missing="Enter what has worked",
            too_long="What has worked must be 10,000 characters or fewer",
        ),
    ]
    what_changes: Annotated[
        str,
        Text(
            10000,
            missing="Enter what will change",
            too_long="What will change must be 10,000 characters or fewer",
        ),
    ]


class ChangesForm(PageForm):
    """What changed since a day (in the date input, or YYYY-MM-DD in the address), or between versions."""

    since: Annotated[date | None, GovukDate(marks_missing_box=False)]
    from_version: Annotated[str, Text(20, too_long="Select a version of this plan")]
    to_version: Annotated[str, Text(20, too_long="Select a version of this plan")]

    @field_validator("since")
    @classmethod
    def _not_after_today(cls, since: date | None) -> date | None:
        if since is not None and since > uk_today():
            raise problem("The date must be today or in the past")
        return since
