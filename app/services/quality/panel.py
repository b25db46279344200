"""What the plan's pages show of the quality checks: the summary, the checks page, each item's flags."""

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from app.models import PlanStatus
from app.models.base import id_of
from app.permissions import PlanAccess, may_comment
from app.services.plans.content import PlanContent, PlanOutline
from app.services.plans.links import LinkEnds, plan_links
from app.services.quality import differences
from app.services.quality.issue import issue_reasons
from app.services.quality.report import QualityReport, outline_quality, quality_of


def quality_context(db: Session, access: PlanAccess, plan_content: PlanContent) -> dict[str, Any]:
    """What the plan page's quality panel and item flags need: a fixed number of queries."""
    plan_id = id_of(access.plan)
    entries = [(entry.item, entry.revision) for section in plan_content.sections for entry in section.items]
    return {
        "quality": quality_of(plan_id, entries, plan_links(db, plan_id)),
        "item_text": {id_of(item): revision.text for item, revision in entries},
        "item_section": {id_of(item): item.section.value for item, _revision in entries},
        "differences": differences.differences(db, plan_id),
        "issue_reasons": issue_reasons(db, plan_id),
        "may_record_difference": may_comment(access)
        and access.plan.status not in {PlanStatus.CEASED, PlanStatus.CLOSED},
    }


def outline_context(
    db: Session, access: PlanAccess, outline: PlanOutline, links: Sequence[LinkEnds]
) -> dict[str, Any]:
    """The plan page's summary of the checks and each section's count of flags, without reading the words."""
    plan_id = id_of(access.plan)
    report = outline_quality(db, plan_id, {head.id: head.kind for head in outline.heads}, links)
    return {
        "quality": report,
        "section_flags": section_flags(report, {head.id: head.section.value for head in outline.heads}),
        "differences": differences.differences(db, plan_id),
    }


def section_flags(report: QualityReport, sections: dict[int, str]) -> Counter[str]:
    """How many checks each section fails: breaks in the thread and what is unspecific."""
    flags: Counter[str] = Counter()
    for entry in report.items.values():
        flags[sections[entry.item_id]] += entry.flag_count
    return flags
