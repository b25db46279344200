"""A plan's history as kept: its frozen versions and its review meetings, oldest first.

Read by the plan's content and by its stages alike (one place, no circle between them).
"""

from sqlmodel import Session, col, select

from app.models import PlanReview, PlanVersion
from app.permissions import PlanAccess


def versions(db: Session, access: PlanAccess) -> list[PlanVersion]:
    return list(
        db.exec(
            select(PlanVersion)
            .where(col(PlanVersion.plan_id) == access.plan.id)
            .order_by(col(PlanVersion.number))
        )
    )


def reviews(db: Session, access: PlanAccess) -> list[PlanReview]:
    return list(
        db.exec(
            select(PlanReview)
            .where(col(PlanReview.plan_id) == access.plan.id)
            .order_by(col(PlanReview.held_on))
        )
    )
