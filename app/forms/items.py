"""The item form (a plan's views, needs, outcomes, provision, advice and decisions): its fields in page
order with their limits, every problem found at once (the service's own checks included), and a saved
revision as the form shows it again."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, ClassVar

from pydantic import Field, ValidationError, ValidationInfo, field_validator

from app.forms.base import PageForm
from app.forms.fields import Choice, ChosenId, GovukDate, Number, Text, date_boxes, problem
from app.models import (
    AreaOfNeed,
    GroupSize,
    ItemContent,
    ItemKind,
    ProvisionFrequency,
    ProvisionUnit,
)
from app.models.provision import LARGEST_SMALL_GROUP, ROLE_MAX_LENGTH, SMALLEST_GROUP
from app.services.plans import items

UNIT_LABELS = {
    ProvisionUnit.MINUTES: "Minutes",
    ProvisionUnit.HOURS: "Hours",
    ProvisionUnit.SESSIONS: "Sessions",
}

PARTICULAR = "must be 200 characters or fewer"

QUANTITY_MISSING = {
    "amount": "Enter how much, as a number",
    "unit": "Select the unit",
    "frequency": "Select how often",
}
"""How much and how often go together: what to do about the part left out."""


ProvisionAmount = Annotated[
    float | None,
    Number(
        "Enter how much as a number, like 3 or 1.5",
        more_than=0,
        at_most=10000,
        out_of_range="Enter how much as a number more than 0 and up to 10,000",
        optional=True,
    ),
]
"""How much of a provision each time or in all (with its unit): one rule wherever provision is typed."""

SessionMinutes = Annotated[
    int | None,
    Number(
        "Enter how long each session is as a whole number of minutes, like 30",
        at_least=1,
        at_most=600,
        out_of_range="Enter how long each session is in minutes, from 1 to 600",
        optional=True,
    ),
]


class ItemForm(PageForm):
    """Read with `needs_voice` in the context where a professional records whose view this is; only the
    fields of the item's kind are read (`read_item`)."""

    voice_id: Annotated[int | None, ChosenId(optional=True)]
    text: Annotated[str, Text(10000, too_long="The words must be 10,000 characters or fewer")]
    area_of_need: Annotated[AreaOfNeed | None, Choice(AreaOfNeed)]
    achieve_by: Annotated[date | None, GovukDate(label="The date to achieve it by")]
    amount: ProvisionAmount
    unit: Annotated[ProvisionUnit | None, Choice(ProvisionUnit)]
    frequency: Annotated[ProvisionFrequency | None, Choice(ProvisionFrequency)]
    session_minutes: SessionMinutes
    group_size: Annotated[GroupSize | None, Choice(GroupSize)]
    group_of: Annotated[
        int | None,
        Number(
            "Enter how many children are in the group as a whole number, like 4",
            at_least=SMALLEST_GROUP,
            at_most=LARGEST_SMALL_GROUP,
            out_of_range=(
                f"Enter how many children are in the group, from {SMALLEST_GROUP} to {LARGEST_SMALL_GROUP}"
            ),
            optional=True,
        ),
    ]
    deliverer_role: Annotated[str | None, Text(ROLE_MAX_LENGTH, too_long="Select a role from the list")]
    """A built-in role or one of the council's: the service checks it is on the plan's list."""
    delivered_by: Annotated[str | None, Text(200, too_long=f"The named service or other role {PARTICULAR}")]
    delivered_by_organisation_id: Annotated[int | None, ChosenId()]
    expertise: Annotated[str | None, Text(200, too_long=f"The expertise or training needed {PARTICULAR}")]
    location: Annotated[str | None, Text(200, too_long=f"Where it happens {PARTICULAR}")]
    starts_on: Annotated[date | None, GovukDate(label="The start date")]
    ends_on: Annotated[date | None, GovukDate(label="The end date")]
    review_on: Annotated[date | None, GovukDate(label="The review date")]
    reason: str
    """Why agreed provision changes (the edit form): the service checks it (items.checked_reason)."""

    always_read: ClassVar[frozenset[str]] = frozenset({"voice_id", "text", "reason"})

    @field_validator("voice_id")
    @classmethod
    def _voice(cls, voice_id: int | None, info: ValidationInfo) -> int | None:
        if voice_id is None and (info.context or {}).get("needs_voice"):
            raise problem("Select whose view this is")
        return voice_id

    @field_validator("delivered_by", "expertise", "location", "deliverer_role")
    @classmethod
    def _blank_is_none(cls, typed: str | None) -> str | None:
        """A particular left empty is not given (as the service stores it)."""
        return typed or None

    @classmethod
    def read_item(cls, posted: Mapping[str, str], kind: ItemKind, *, needs_voice: bool) -> "TypedItem":
        """The item as typed, with every problem found at once: the form's, the parts of how much and
        how often left out, and the service's checks of what could be read (items.checked_content)."""
        kept = cls.always_read | items.PARTICULARS.get(kind, frozenset())
        offered = {name: value for name, value in posted.items() if name.partition("-")[0] in kept}
        form, errors = cls.read(offered, context={"needs_voice": needs_voice})
        if form is None:  # the rest as far as it could be read, for the service's checks
            failed = {name.partition("-")[0] for name in errors}
            form, _ = cls.read(
                {name: value for name, value in offered.items() if name.partition("-")[0] not in failed}
            )
        errors |= cls._quantity_missing(offered, errors)
        content = ItemContent.model_construct(
            **(form.model_dump(include=set(ItemContent.model_fields)) if form else {})
        )
        try:
            items.checked_content(kind, content)
        except items.ContentProblem as refused:
            for field, message in cls.problem_errors(refused).items():
                if not any(name.partition("-")[0] == field.partition("-")[0] for name in errors):
                    errors[field] = message
        except ValidationError:
            pass  # a length or a number out of range, named by the form
        shown = cls.shown(posted) | {"based_on": posted.get("based_on", "")} | _answers_ticked(posted)
        voice_id = form.voice_id if form else None
        return TypedItem(shown, content, voice_id, cls.in_page_order(errors))

    @classmethod
    def _quantity_missing(cls, offered: Mapping[str, str], errors: Mapping[str, str]) -> dict[str, str]:
        typed = {part: offered.get(part, "").strip() for part in QUANTITY_MISSING}
        if not any(typed.values()):
            return {}
        return {
            part: message
            for part, message in QUANTITY_MISSING.items()
            if not typed[part] and part not in errors
        }

    @classmethod
    def values_of(cls, revision: ItemContent) -> dict[str, str]:
        """A saved revision as the form shows it."""
        values = {
            "text": revision.text,
            "area_of_need": revision.area_of_need.value if revision.area_of_need else "",
            "delivered_by": revision.delivered_by or "",
            "delivered_by_organisation_id": str(revision.delivered_by_organisation_id or ""),
            "amount": f"{revision.amount:g}" if revision.amount is not None else "",
            "unit": revision.unit.value if revision.unit else "",
            "frequency": revision.frequency.value if revision.frequency else "",
            "session_minutes": str(revision.session_minutes or ""),
            "group_size": revision.group_size.value if revision.group_size else "",
            "group_of": str(revision.group_of or ""),
            "deliverer_role": revision.deliverer_role or "",
            "expertise": revision.expertise or "",
            "location": revision.location or "",
        }
        for name in ("achieve_by", "starts_on", "ends_on", "review_on"):
            values |= date_boxes(name, getattr(revision, name))
        return values


ANSWERS_OFFERED = "answers_offered"
"""Posted by a form that offers what the item answers: without it (an older form), links stay as they are."""


def _answers_ticked(posted: Mapping[str, str]) -> dict[str, str]:
    """The boxes ticked of "What this answers" (named `answers-<item id>`), to show them ticked again."""
    return {
        name: "yes"
        for name in posted
        if name.partition("-")[0] == "answers" and name.partition("-")[2].isdigit() and len(name) < 20
    }


def chosen_answers(posted: Mapping[str, str]) -> set[int] | None:
    """The items ticked as what the item answers, or None when the form did not offer the choice."""
    if posted.get(ANSWERS_OFFERED) != "yes":
        return None
    return {int(name.partition("-")[2]) for name in _answers_ticked(posted)}


def answers_values(answer_ids: set[int]) -> dict[str, str]:
    """What an item answers now, as its edit form shows it ticked."""
    return {f"answers-{answer_id}": "yes" for answer_id in sorted(answer_ids)}


@dataclass(frozen=True)
class TypedItem:
    """What was typed: kept as typed (to show again), as content (to save), and what is wrong with it."""

    values: dict[str, str]
    content: ItemContent
    voice_id: int | None
    errors: dict[str, str]


class RevisionsForm(PageForm):
    """The two revisions an item's page compares (by number): read with `count`, how many there are."""

    compare_from: Annotated[str, Field(alias="compare-from")]
    compare_to: Annotated[str, Field(alias="compare-to")]

    @field_validator("compare_from", "compare_to")
    @classmethod
    def _revision(cls, number: str, info: ValidationInfo) -> str:
        count: int = (info.context or {}).get("count", 0)
        if number and number not in {str(revision) for revision in range(1, count + 1)}:
            raise problem(f"Choose a revision from 1 to {count}")
        return number
