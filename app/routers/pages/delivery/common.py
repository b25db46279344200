"""What the delivery pages share: the plan with its child."""

from typing import Any

from sqlmodel import Session

from app.models import Child
from app.permissions import PlanAccess


def plan_and_child(db: Session, access: PlanAccess) -> dict[str, Any]:
    return {"plan": access.plan, "child": db.get(Child, access.plan.child_id)}
