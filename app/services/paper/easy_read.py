"""The child's own summary of their plan, in plain words and large type: "My plan".

What I said (the child's own views that this reader may see), what my team will do (the outcomes and
the support, in the team's words), who helps me (the people on the plan), and when we next talk (the
next review). As a page and as a PDF; each is one audited read.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import UK_TIME
from app.clock import uk_today as today
from app.models import (
    SETTING_KINDS,
    Child,
    ItemKind,
    MemberRole,
    PlanReview,
    PlanVersion,
    Section,
)
from app.models.base import as_utc, id_of
from app.permissions import PlanAccess
from app.services import audit
from app.services.paper import downloads, pdf
from app.services.plans.content import PlanItem, plan_items
from app.services.plans.members import members
from app.services.plans.seen import chosen_views
from app.services.timelines import rules
from app.services.voices import names
from app.templating import day

HELPER_WORDS = {
    MemberRole.LOCAL_AUTHORITY: "from the council",
    MemberRole.EDUCATION: "from school",
    MemberRole.HEALTH: "a health worker",
    MemberRole.SOCIAL_CARE: "a social worker",
    MemberRole.PARENT_CARER: "my family",
    MemberRole.READER: "reads my plan",
}
"""Who each person is, in words a child knows."""


@dataclass(frozen=True)
class Helper:
    name: str
    who: str


@dataclass(frozen=True)
class MyPlan:
    access: PlanAccess
    child: Child
    said: list[PlanItem]
    goals: list[PlanItem]
    support: list[PlanItem]
    helpers: list[Helper]
    next_talk: date | None
    only_seen_by: dict[int, str]
    """Views of the child's shared with a few people only: who can see each, so no copy hides it."""

    @property
    def name(self) -> str:
        return self.child.known_as


def next_talk(db: Session, access: PlanAccess, child: Child) -> date | None:
    """When the plan is next reviewed: SEN Support within four months, an issued EHC plan every year."""
    plan = access.plan
    if plan.kind in SETTING_KINDS:
        last = db.exec(
            select(PlanReview)
            .where(col(PlanReview.plan_id) == plan.id)
            .order_by(col(PlanReview.held_on).desc())
        ).first()
        held = last.held_on if last is not None else as_utc(plan.created_at).astimezone(UK_TIME).date()
        return rules.next_sen_support_review(held)
    version = db.exec(
        select(PlanVersion)
        .where(col(PlanVersion.plan_id) == plan.id)
        .order_by(col(PlanVersion.number).desc())
    ).first()
    if version is None:
        return None
    return rules.next_annual_review(as_utc(version.made_at).astimezone(UK_TIME).date(), child.date_of_birth)


def _summary(db: Session, access: PlanAccess) -> MyPlan:
    child = db.get(Child, access.plan.child_id)
    if child is None:
        raise LookupError(f"plan {access.plan.id} has no child")
    entries = plan_items(db, access)
    said = [
        entry
        for entry in entries
        if entry.item.kind is ItemKind.VIEW
        and child.person_id is not None
        and entry.item.voice_id == child.person_id
    ]
    chosen = chosen_views(db, [id_of(access.plan)]) & {id_of(entry.item) for entry in said}
    voices = {id_of(entry.item): int(entry.item.voice_id or 0) for entry in said}
    for_a_child = access.member_role is MemberRole.CHILD
    helpers = [
        Helper(membership.person.display_name, HELPER_WORDS.get(membership.member.role, ""))
        for membership in members(db, access)
        if membership.member.role is not MemberRole.CHILD
    ]
    return MyPlan(
        access=access,
        child=child,
        said=said,
        goals=[entry for entry in entries if entry.item.section is Section.E],
        support=[entry for entry in entries if entry.item.section is Section.F],
        helpers=helpers,
        next_talk=next_talk(db, access, child),
        only_seen_by=names.only_seen_by(db, access, chosen, voices, for_a_child=for_a_child),
    )


def my_plan(db: Session, actor: Actor, access: PlanAccess) -> MyPlan:
    """The summary as a page (audited as a read of the plan)."""
    summary = _summary(db, access)
    audit.record(db, actor, "plan.summary_read", object_type="plan", object_id=access.plan.id)
    return summary


def my_plan_pdf(db: Session, actor: Actor, access: PlanAccess) -> bytes:
    """The summary as a PDF in large type (a copy: members only, audited as "plan.exported")."""
    downloads.check_member(access)
    summary = _summary(db, access)
    document = pdf.render_pdf(
        "paper/my_plan.html",
        {"summary": summary, "plan": access.plan},
        pdf.margin_text(f"My plan: {summary.name}", f"Made on {day(today())}", access.plan.reference),
    )
    downloads.exported(db, actor, access, "my_plan_pdf", bytes=len(document))
    return document
