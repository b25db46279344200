"""The item form: reading what was typed into an item's fields, its problems in the order of the fields,
and an item's words as the form shows them again."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from app.models import (
    AreaOfNeed,
    ItemContent,
    ItemKind,
    ProvisionFrequency,
    ProvisionUnit,
)
from app.routers.pages.inputs import date_from, date_values
from app.services.plans import items

DATE_FIELDS = {
    "achieve_by": "The date to achieve it by",
    "starts_on": "The start date",
    "review_on": "The review date",
}


FORM_FIELDS: tuple[str, ...] = (
    "voice_id",
    "text",
    "area_of_need",
    "delivered_by",
    "delivered_by_organisation_id",
    "amount",
    "unit",
    "frequency",
    *(f"{name}-{part}" for name in DATE_FIELDS for part in ("day", "month", "year")),
)


@dataclass(frozen=True)
class ItemForm:
    """What was typed: kept as typed (to show again), as content (to save), and what is wrong with it."""

    values: dict[str, str]
    content: ItemContent
    voice_id: int | None
    errors: dict[str, str]


ERROR_ORDER = [
    "voice_id",
    "text",
    "area_of_need",
    *(f"achieve_by-{part}" for part in ("day", "month", "year")),
    "delivered_by",
    "delivered_by_organisation_id",
    "amount",
    "unit",
    "frequency",
    *(f"{name}-{part}" for name in ("starts_on", "review_on") for part in ("day", "month", "year")),
    "reason",
]
"""Fields in the order the form shows them: the error summary lists problems in this order."""


QUANTITY_MISSING = {
    "amount": "Enter how much, as a number",
    "unit": "Select the unit",
    "frequency": "Select how often",
}
"""How much and how often go together: what to do about the part left out."""


UNIT_LABELS = {
    ProvisionUnit.MINUTES: "Minutes",
    ProvisionUnit.HOURS: "Hours",
    ProvisionUnit.SESSIONS: "Sessions",
}


def field_key(field: str) -> str:
    """Where a problem named by the service goes: a date's problem goes beside its first box."""
    return f"{field}-day" if field in DATE_FIELDS else field


def in_page_order(errors: dict[str, str]) -> dict[str, str]:
    order = {name: index for index, name in enumerate(ERROR_ORDER)}
    return dict(sorted(errors.items(), key=lambda pair: order.get(pair[0], len(order))))


def choice_of(value: str, choices: type[Any]) -> Any:
    """The enum member whose value was chosen, or None (a missing choice is the service's to name)."""
    return next((member for member in choices if member.value == value), None)


def amount_of(typed: str, errors: dict[str, str]) -> float | None:
    typed = typed.strip()
    if not typed:
        return None
    try:
        amount = float(typed)
    except ValueError:
        errors["amount"] = "Enter how much as a number, like 3 or 1.5"
        return None
    if not 0 < amount <= 10000:
        errors["amount"] = "Enter how much as a number more than 0 and up to 10,000"
        return None
    return amount


def read_item_form(form: dict[str, str], kind: ItemKind, *, needs_voice: bool) -> ItemForm:
    """The item as typed, with every problem found at once (the service's own checks included)."""
    values = {name: form.get(name, "") for name in (*FORM_FIELDS, "based_on", "reason")}
    errors: dict[str, str] = {}
    if len(values["text"]) > 10000:
        errors["text"] = "The words must be 10,000 characters or fewer"
    fields: dict[str, Any] = {"text": values["text"]}
    if kind is ItemKind.NEED:
        fields["area_of_need"] = choice_of(values["area_of_need"], AreaOfNeed)
    if kind is ItemKind.OUTCOME:
        fields["achieve_by"] = date_from(form, "achieve_by", DATE_FIELDS["achieve_by"], errors)
    if kind is ItemKind.PROVISION:
        if len(values["delivered_by"]) > 200:
            errors["delivered_by"] = "Who delivers it must be 200 characters or fewer"
        organisation = values["delivered_by_organisation_id"]
        fields |= {
            "delivered_by": values["delivered_by"],
            "delivered_by_organisation_id": int(organisation) if organisation.isdigit() else None,
            "amount": amount_of(values["amount"], errors),
            "unit": choice_of(values["unit"], ProvisionUnit),
            "frequency": choice_of(values["frequency"], ProvisionFrequency),
            "starts_on": date_from(form, "starts_on", DATE_FIELDS["starts_on"], errors),
            "review_on": date_from(form, "review_on", DATE_FIELDS["review_on"], errors),
        }
        quantity = {
            "amount": values["amount"].strip(),
            "unit": values["unit"],
            "frequency": values["frequency"],
        }
        if any(quantity.values()):
            for part, typed in quantity.items():
                if not typed:
                    errors.setdefault(part, QUANTITY_MISSING[part])
    content = ItemContent.model_construct(**fields)
    try:
        items.checked_content(kind, content)
    except items.ContentProblem as problem:
        for field, message in problem.errors.items():
            key = field_key(field)
            if not any(name.startswith(field) for name in errors):
                errors[key] = message
    except ValidationError:
        pass  # a length or a number out of range, named above
    voice_id = int(values["voice_id"]) if values["voice_id"].isdigit() else None
    if needs_voice and voice_id is None:
        errors["voice_id"] = "Select whose view this is"
    return ItemForm(values, content, voice_id, in_page_order(errors))


def form_values_of(revision: ItemContent) -> dict[str, str]:
    """A saved revision as the form shows it."""
    values = {
        "text": revision.text,
        "area_of_need": revision.area_of_need.value if revision.area_of_need else "",
        "delivered_by": revision.delivered_by or "",
        "delivered_by_organisation_id": str(revision.delivered_by_organisation_id or ""),
        "amount": f"{revision.amount:g}" if revision.amount is not None else "",
        "unit": revision.unit.value if revision.unit else "",
        "frequency": revision.frequency.value if revision.frequency else "",
    }
    for name in DATE_FIELDS:
        value: date | None = getattr(revision, name)
        values |= date_values(name, value)
    return values
