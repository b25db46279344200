"""What a page request sends: form fields, the plan section in its address, where to go next, and
whether htmx asked (for a fragment rather than the page)."""

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


def section_in_path(access: PlanAccess, section: str) -> Section:
    """The section in the path; one that this kind of plan does not have is not found."""
    found = next((candidate for candidate in Section if candidate.value == section), None)
    if found is None or found not in SECTION_TITLES[access.plan.kind]:
        raise HTTPException(404, "Not Found")
    return found


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
