"""What the plan page shows of the quality checks: the panel, each item's flags, differences of opinion."""

from typing import Any

from sqlmodel import Session

from app.models import PlanStatus
from app.models.base import id_of
from app.permissions import PlanAccess, may_comment
from app.services.plans.content import PlanContent
from app.services.plans.links import plan_links
from app.services.quality import differences
from app.services.quality.issue import issue_reasons
from app.services.quality.report import quality_of


def quality_context(db: Session, access: PlanAccess, plan_content: PlanContent) -> dict[str, Any]:
    """What the plan page's quality panel and item flags need: a fixed number of queries."""
    plan_id = id_of(access.plan)
    entries = [(entry.item, entry.revision) for section in plan_content.sections for entry in section.items]
    return {
        "quality": quality_of(plan_id, entries, plan_links(db, plan_id)),
        "item_text": {id_of(item): revision.text for item, revision in entries},
        "differences": differences.differences(db, plan_id),
        "issue_reasons": issue_reasons(db, plan_id),
        "may_record_difference": may_comment(access)
        and access.plan.status not in {PlanStatus.CEASED, PlanStatus.CLOSED},
    }
