"""Taking a copy of a plan: each download is one audited read ("plan.exported": who, what, which form).

Copies leave OnePlan, so only the plan's members take them (the LA's auditors read on screen): anyone
else is told the plan does not exist (404), as for every plan they may not see.
"""

from pathlib import Path

from sqlmodel import Session

from app.actor import Actor
from app.errors import Refused
from app.models import PLAN_KIND_LABELS, Section
from app.permissions import PlanAccess
from app.services import audit
from app.services.paper import pdf
from app.services.paper.document import PaperPlan, plan_on_paper
from app.services.plans.plans import SECTION_TITLES


def check_member(access: PlanAccess) -> None:
    if access.membership is None:
        raise Refused(
            404,
            "Not Found",
            action="plan.refused",
            person=access.person,
            object_type="plan",
            object_id=access.plan.id,
        )


def exported(db: Session, actor: Actor, access: PlanAccess, form: str, **details: object) -> None:
    """The one audit event of a download: who took a copy of which plan, in which form."""
    audit.record(
        db,
        actor,
        "plan.exported",
        object_type="plan",
        object_id=access.plan.id,
        details={"format": form, **details},
    )


def plan_pdf(
    db: Session, actor: Actor, access: PlanAccess, data_dir: Path, version: int | None = None
) -> tuple[PaperPlan, bytes]:
    """The plan (a chosen version, else the current one) as a tagged PDF, as this member may read it."""
    check_member(access)
    paper = plan_on_paper(db, access, data_dir, version)
    document = pdf.render_pdf(
        "paper/plan.html",
        {
            "paper": paper,
            "plan": access.plan,
            "section_k_title": SECTION_TITLES[access.plan.kind].get(Section.K, "Advice"),
        },
        pdf.margin_text(
            f"{paper.child.full_name}: {PLAN_KIND_LABELS[access.plan.kind]}",
            paper.version_label,
            access.plan.reference,
        ),
    )
    exported(db, actor, access, "pdf", version=paper.version, bytes=len(document))
    return paper, document
