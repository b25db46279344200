"""What a page request sends: form fields, GOV.UK date inputs, the plan section in its address, where to
go next, and whether htmx asked (for a fragment rather than the page)."""

from datetime import date
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData

from app.models import Section
from app.permissions import PlanAccess
from app.services.plans.plans import SECTION_TITLES


async def form_values(request: Request) -> dict[str, str]:
    """A posted form's text fields by name (dates come as `<name>-day`, `-month` and `-year`)."""
    form: FormData = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


FormValues = Annotated[dict[str, str], Depends(form_values)]


def is_htmx(request: Request) -> bool:
    """A request from htmx wants a fragment; the same address without JavaScript wants the page."""
    return request.headers.get("HX-Request") == "true"


def date_from(values: dict[str, str], name: str, label: str, errors: dict[str, str]) -> date | None:
    """The date typed in a GOV.UK date input, or None; a problem goes in `errors` under its first box."""
    parts = {part: values.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")}
    if not any(parts.values()):
        return None
    missing = [part for part, value in parts.items() if not value]
    if missing:
        errors[f"{name}-{missing[0]}"] = f"{label} must include a {' and a '.join(missing)}"
        return None
    try:
        if len(parts["year"]) != 4:
            raise ValueError("the year has four digits")
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        errors[f"{name}-day"] = f"{label} must be a real date"
        return None


def date_values(name: str, value: date | None) -> dict[str, str]:
    """A stored date as the three boxes of a date input."""
    if value is None:
        return {}
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}


def section_in_path(access: PlanAccess, section: str) -> Section:
    """The section in the path; one that this kind of plan does not have is not found."""
    found = next((candidate for candidate in Section if candidate.value == section), None)
    if found is None or found not in SECTION_TITLES[access.plan.kind]:
        raise HTTPException(404, "Not Found")
    return found


DateParts = tuple[str, str, str]


DATE_PART_NAMES = ("day", "month", "year")


class DateProblem(ValueError):
    """A date typed in the three boxes of a GOV.UK date input that is missing, incomplete or not real."""


def read_date(parts: DateParts, *, missing: str | None) -> date | None:
    """The date typed as day, month and year; `None` when all are empty and the date may be left out."""
    day, month, year = (part.strip() for part in parts)
    if not (day or month or year):
        if missing is None:
            return None
        raise DateProblem(missing)
    absent = [name for name, part in zip(DATE_PART_NAMES, (day, month, year), strict=True) if not part]
    if absent:
        raise DateProblem(f"The date must include a {' and '.join(absent)}")
    if not (day.isdigit() and month.isdigit() and year.isdigit()) or not 1900 <= int(year) <= 9999:
        raise DateProblem("The date must be a real date, like 27 3 2026")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise DateProblem("The date must be a real date, like 27 3 2026") from None


def typed_date_values(name: str, parts: DateParts) -> dict[str, str]:
    """The typed parts again, for the form shown with its errors (`name-day`, `name-month`, `name-year`)."""
    return {f"{name}-{part}": value for part, value in zip(DATE_PART_NAMES, parts, strict=True)}


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
