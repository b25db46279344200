"""The item form: reading what was typed into an item's fields, its problems in the order of the fields,
and an item's words as the form shows them again."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from app.models import (
    AreaOfNeed,
    DelivererRole,
    GroupSize,
    ItemContent,
    ItemKind,
    ProvisionFrequency,
    ProvisionUnit,
)
from app.models.provision import LARGEST_SMALL_GROUP, SMALLEST_GROUP
from app.routers.pages.inputs import date_from, date_values
from app.services.plans import items

DATE_FIELDS = {
    "achieve_by": "The date to achieve it by",
    "starts_on": "The start date",
    "ends_on": "The end date",
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
    "session_minutes",
    "group_size",
    "group_of",
    "deliverer_role",
    "expertise",
    "location",
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
    "amount",
    "unit",
    "frequency",
    "session_minutes",
    "group_size",
    "group_of",
    "deliverer_role",
    "delivered_by",
    "delivered_by_organisation_id",
    "expertise",
    "location",
    *(
        f"{name}-{part}"
        for name in ("starts_on", "ends_on", "review_on")
        for part in ("day", "month", "year")
    ),
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


WHOLE_NUMBERS = {
    "session_minutes": (
        1,
        600,
        "Enter how long each session is as a whole number of minutes, like 30",
        "Enter how long each session is in minutes, from 1 to 600",
    ),
    "group_of": (
        SMALLEST_GROUP,
        LARGEST_SMALL_GROUP,
        "Enter how many children are in the group as a whole number, like 4",
        f"Enter how many children are in the group, from {SMALLEST_GROUP} to {LARGEST_SMALL_GROUP}",
    ),
}
"""Particulars typed as whole numbers: their least and greatest, and what to do when they are not."""
TEXT_LIMITS = {
    "delivered_by": "The named service or other role",
    "expertise": "The expertise or training needed",
    "location": "Where it happens",
}
"""Particulars typed as words, of at most 200 characters."""


def whole_number_of(name: str, typed: str, errors: dict[str, str]) -> int | None:
    """A whole number typed in a box ("30", not "30.5" or "half an hour"), or None when left empty."""
    typed = typed.strip()
    if not typed:
        return None
    least, most, not_whole, out_of_range = WHOLE_NUMBERS[name]
    if not (typed.isascii() and typed.isdigit()):
        errors[name] = not_whole
        return None
    number = int(typed) if len(typed) <= 6 else most + 1
    if not least <= number <= most:
        errors[name] = out_of_range
        return None
    return number


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
        for name, label in TEXT_LIMITS.items():
            if len(values[name]) > 200:
                errors[name] = f"{label} must be 200 characters or fewer"
        organisation = values["delivered_by_organisation_id"]
        fields |= {
            "delivered_by": values["delivered_by"],
            "delivered_by_organisation_id": int(organisation) if organisation.isdigit() else None,
            "amount": amount_of(values["amount"], errors),
            "unit": choice_of(values["unit"], ProvisionUnit),
            "frequency": choice_of(values["frequency"], ProvisionFrequency),
            "session_minutes": whole_number_of("session_minutes", values["session_minutes"], errors),
            "group_size": choice_of(values["group_size"], GroupSize),
            "group_of": whole_number_of("group_of", values["group_of"], errors),
            "deliverer_role": choice_of(values["deliverer_role"], DelivererRole),
            "expertise": values["expertise"],
            "location": values["location"],
            "starts_on": date_from(form, "starts_on", DATE_FIELDS["starts_on"], errors),
            "ends_on": date_from(form, "ends_on", DATE_FIELDS["ends_on"], errors),
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
        "session_minutes": str(revision.session_minutes or ""),
        "group_size": revision.group_size.value if revision.group_size else "",
        "group_of": str(revision.group_of or ""),
        "deliverer_role": revision.deliverer_role.value if revision.deliverer_role else "",
        "expertise": revision.expertise or "",
        "location": revision.location or "",
    }
    for name in DATE_FIELDS:
        value: date | None = getattr(revision, name)
        values |= date_values(name, value)
    return values
