"""Issuing an EHC plan: refused while provision is unquantified, unless the coordinator records why."""

from sqlmodel import Session, col, select

from app.models import IssueReason
from app.models.base import id_of
from app.permissions import PlanAccess
from app.services.plans.access import refuse_change
from app.services.plans.content import plan_items
from app.services.plans.links import plan_links
from app.services.quality.report import assess

REASON_LENGTH = 500


def unquantified_count(db: Session, access: PlanAccess) -> int:
    """How many provisions of the plan do not say how much and how often (for the issue form)."""
    plan_id = id_of(access.plan)
    found = plan_items(db, access)
    return len(assess(plan_id, ((e.item, e.revision) for e in found), plan_links(db, plan_id)).unquantified)


def check_before_issue(db: Session, access: PlanAccess, reason: str | None) -> IssueReason | None:
    """Refuse (409) to issue a plan whose provision does not say how much and how often, unless a
    reason is given; with one, keep it beside the plan (the issue step's audit event carries it too).
    """
    plan = access.plan
    found = plan_items(db, access)
    report = assess(
        id_of(plan), ((entry.item, entry.revision) for entry in found), plan_links(db, id_of(plan))
    )
    unquantified = report.unquantified
    if not unquantified:
        return None
    why = (reason or "").strip()
    if not why:
        count = len(unquantified)
        refuse_change(
            access,
            f"{count} {'provision does' if count == 1 else 'provisions do'} not say how much and how often. "
            "Quantify the provision before issuing the plan, or record why it is issued without it.",
            action="plan.step_refused",
        )
    record = IssueReason(
        plan_id=id_of(plan),
        version=plan.version,
        reason=why[:REASON_LENGTH],
        unquantified=len(unquantified),
        recorded_by_id=id_of(access.person),
    )
    db.add(record)
    db.flush()
    return record


def issue_reasons(db: Session, plan_id: int) -> list[IssueReason]:
    """Why each version was issued with unquantified provision, oldest first (one query)."""
    return list(
        db.exec(select(IssueReason).where(col(IssueReason.plan_id) == plan_id).order_by(col(IssueReason.id)))
    )
