"""What the delivery pages share: a date typed as text (YYYY-MM-DD), and the plan with its child."""

from datetime import date
from typing import Any

from sqlmodel import Session

from app.models import Child
from app.permissions import PlanAccess


def iso_date(
    values: dict[str, str], name: str, label: str, errors: dict[str, str], *, required: bool = True
) -> date | None:
    text = values.get(name, "").strip()
    if not text:
        if required:
            errors[name] = f"Enter {label}"
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{label[0].upper()}{label[1:]} must be a real date, like 2026-11-23"
        return None


def plan_and_child(db: Session, access: PlanAccess) -> dict[str, Any]:
    return {"plan": access.plan, "child": db.get(Child, access.plan.child_id)}
