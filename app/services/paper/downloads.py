"""Taking a copy of a plan: each download is one audited read ("plan.exported": who, what, which form).

Copies leave OnePlan, so only the plan's members take them (the LA's auditors read on screen): anyone
else is told the plan does not exist (404), as for every plan they may not see.
"""

from pathlib import Path

from sqlmodel import Session, col, select

from app.actor import Actor
from app.config import Settings
from app.models import AuditEvent, Organisation, PlanMember, Section
from app.models.base import utc_now
from app.permissions import PlanAccess, may_take_copy
from app.services import audit
from app.services.audit import canonical_time
from app.services.paper import pdf, transfer
from app.services.paper.document import PaperPlan, plan_on_paper
from app.services.plans.access import plan_access, refuse_as_absent
from app.services.plans.plans import SECTION_TITLES
from app.services.plans.words import words_for_plan


def check_member(access: PlanAccess) -> None:
    if not may_take_copy(access):
        refuse_as_absent(access)


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
    words = words_for_plan(db, access.plan)
    document = pdf.render_pdf(
        "paper/plan.html",
        {
            "paper": paper,
            "plan": access.plan,
            "plan_words": words,
            "section_k_title": SECTION_TITLES[access.plan.kind].get(Section.K, "Advice"),
        },
        pdf.margin_text(
            f"{paper.child.full_name}: {words.kind_name(access.plan.kind)}",
            paper.version_label,
            access.plan.reference,
        ),
    )
    exported(db, actor, access, "pdf", version=paper.version, bytes=len(document))
    return paper, document


def plan_export(db: Session, settings: Settings, actor: Actor, access: PlanAccess) -> bytes:
    """The plan with its whole history and audit trails, as a zip (export.json and the pictures), signed."""
    check_member(access)
    export = transfer.export_plan(db, settings, access)
    archive = transfer.signed_zip(settings, export)
    exported(
        db,
        actor,
        access,
        "zip",
        format_version=transfer.FORMAT_VERSION,
        views_left_out=export.document["export"]["views_left_out"],
        bytes=len(archive),
    )
    return archive


PERSON_FIELDS = (
    "display_name",
    "email",
    "role",
    "date_of_birth",
    "created_at",
    "last_signed_in_at",
    "deactivated_at",
)
"""What OnePlan holds on a person's own record (never their password's or second factor's secrets)."""


def subject_access(db: Session, settings: Settings, actor: Actor) -> bytes:
    """Everything OnePlan holds about the person asking: their record, their plans, what they did."""
    person = actor.signed_in()
    exports = []
    plan_ids = db.exec(
        select(PlanMember.plan_id)
        .where(col(PlanMember.person_id) == person.id, col(PlanMember.removed_at).is_(None))
        .order_by(col(PlanMember.plan_id))
    )
    for plan_id in plan_ids:
        exports.append(transfer.export_plan(db, settings, plan_access(db, actor, plan_id)))
    events = db.exec(
        select(AuditEvent).where(col(AuditEvent.actor_id) == person.id).order_by(col(AuditEvent.id))
    )
    organisation = db.get(Organisation, person.organisation_id) if person.organisation_id else None
    document = {
        "format": transfer.SUBJECT_ACCESS_FORMAT,
        "format_version": transfer.FORMAT_VERSION,
        "export": {"source": settings.public_url, "exported_at": canonical_time(utc_now())},
        "person": {
            **{name: transfer.plain(getattr(person, name)) for name in PERSON_FIELDS},
            "organisation": organisation.name if organisation else None,
        },
        "plans": [export.document for export in exports],
        "audit": {"events": [transfer.event_of(event) for event in events]},
    }
    archive = transfer.zipped(exports, document, name="subject-access.json")
    audit.record(
        db,
        actor,
        "person.data_exported",
        object_type="person",
        object_id=person.id,
        details={"plans": len(exports), "bytes": len(archive)},
    )
    return archive
