"""From assessment to plan: the EHC draft made from the assessment, and the steps the plan's stages close.

When the council decides to issue a plan, "Make the draft plan" starts the child's EHC plan from their
SEN Support plan: its views, needs, outcomes, provision and advice are carried across as the starting
draft (each marked where it came from), its people join, and the assessment with its steps and advice
moves to the new plan, so that one thread runs from the request to the final plan.
"""

from datetime import date

from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import UK_TIME, uk_today
from app.models import (
    SETTING_KINDS,
    Child,
    Item,
    ItemContent,
    ItemKind,
    ItemLink,
    ItemRevision,
    MemberRole,
    Plan,
    PlanKind,
    PlanMember,
    PlanStatus,
    ViewDetail,
    ViewReader,
)
from app.models.base import as_utc, id_of
from app.models.timeline import (
    AdviceAttachment,
    AdviceRequest,
    AssessmentRequest,
    StatutoryStep,
    StepKind,
    StepOutcome,
)
from app.permissions import PlanAccess, may_manage_assessment
from app.services import audit
from app.services.plans.access import refuse
from app.services.plans.plans import PlanProblem, refuse_a_second_live_plan
from app.services.timelines.assessment import open_request
from app.services.timelines.steps import close_step

CARRIED_KINDS = frozenset(
    {ItemKind.VIEW, ItemKind.NEED, ItemKind.OUTCOME, ItemKind.PROVISION, ItemKind.ADVICE}
)
"""What the SEN Support plan gives the draft: everything but the arrangements the council decides."""

FIELD = "make_draft"


def _steps(db: Session, request: AssessmentRequest) -> dict[StepKind, StatutoryStep]:
    rows = db.exec(select(StatutoryStep).where(StatutoryStep.assessment_id == request.id))
    return {step.kind: step for step in rows}


def draft_problem(db: Session, access: PlanAccess) -> str | None:
    """Why the draft cannot be made from this plan's assessment now, or None when it can."""
    request = open_request(db, id_of(access.plan))
    if access.plan.kind not in SETTING_KINDS or request is None:
        return "There is no assessment under way on this plan to make a draft EHC plan from."
    steps = _steps(db, request)
    decision = steps.get(StepKind.ASSESSMENT_DECISION)
    if decision is None or decision.outcome is not StepOutcome.ASSESS:
        return "The council has not decided to assess yet: record the decision to assess first."
    issue = steps.get(StepKind.ISSUE_DECISION)
    if issue is None or issue.done_on is not None or issue.cancelled_on is not None:
        return "The decision whether to issue a plan has already been recorded."
    return None


def may_make_draft(db: Session, access: PlanAccess) -> bool:
    return may_manage_assessment(access) and draft_problem(db, access) is None


def make_draft_plan(db: Session, actor: Actor, access: PlanAccess) -> Plan:
    """The child's EHC plan, in draft, started from the SEN Support plan and the assessment's advice.

    Refused when the council has not decided to assess, or when the child already has a live EHC plan
    (PlanAlreadyLive, with a link to it)."""
    if not may_manage_assessment(access):
        refuse(
            access, "Only the council's case officer on this plan makes the draft.", action="draft.refused"
        )
    problem = draft_problem(db, access)
    if problem is not None:
        raise PlanProblem(FIELD, problem)
    source = access.plan
    request = open_request(db, id_of(source))
    child = db.get(Child, source.child_id)
    if request is None or child is None:  # pragma: no cover - draft_problem found the request
        raise PlanProblem(FIELD, "There is no assessment under way on this plan.")
    refuse_a_second_live_plan(db, access.person, child, PlanKind.EHC)
    plan = Plan(
        kind=PlanKind.EHC,
        child_id=source.child_id,
        local_authority_id=request.local_authority_id,
        setting_id=source.setting_id,
        status=PlanStatus.DRAFT,
    )
    db.add(plan)
    db.flush()
    members = _carry_members(db, access, plan)
    carried = _carry_items(db, source, plan)
    moved = _move_assessment(db, request, source, plan)
    audit.record(
        db,
        actor,
        "assessment.draft_made",
        object_type="plan",
        object_id=plan.id,
        details={
            "from_plan_id": source.id,
            "assessment_id": request.id,
            "child_id": plan.child_id,
            "items": len(carried),
            "members": members,
            "moved": moved,
        },
    )
    return plan


def _carry_members(db: Session, access: PlanAccess, plan: Plan) -> int:
    """The case officer coordinates the draft; everyone else on the SEN Support plan joins it as they were."""
    plan_id, officer = id_of(plan), id_of(access.person)
    db.add(
        PlanMember(
            plan_id=plan_id,
            person_id=officer,
            role=MemberRole.LOCAL_AUTHORITY,
            is_coordinator=True,
            added_by_id=officer,
        )
    )
    others = db.exec(
        select(PlanMember).where(
            PlanMember.plan_id == access.plan.id,
            col(PlanMember.removed_at).is_(None),
            PlanMember.person_id != officer,
        )
    ).all()
    db.add_all(
        PlanMember(plan_id=plan_id, person_id=member.person_id, role=member.role, added_by_id=officer)
        for member in others
    )
    db.flush()
    return len(others) + 1


def _day_of(revision: ItemRevision) -> date:
    return as_utc(revision.created_at).astimezone(UK_TIME).date()


def _carry_items(db: Session, source: Plan, plan: Plan) -> dict[int, int]:
    """Each item's current words as the draft's first revision, its author kept; views keep who may read
    them, their pictures, and the links between carried items. Returns new item ids by source id."""
    found = db.exec(
        select(Item, ItemRevision)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(Item.plan_id == source.id, col(Item.kind).in_([kind.value for kind in CARRIED_KINDS]))
        .order_by(col(Item.id))
    ).all()
    carried: dict[int, int] = {}
    for item, revision in found:
        copy = Item(
            plan_id=id_of(plan),
            section=item.section,
            kind=item.kind,
            author_id=item.author_id,
            voice_id=item.voice_id,
            revision_number=1,
            carried_from_id=item.id,
            carried_from_on=_day_of(revision),
        )
        db.add(copy)
        db.flush()
        words = ItemContent.model_validate(revision, from_attributes=True).model_dump()
        first = ItemRevision(**words, item_id=id_of(copy), number=1, author_id=revision.author_id)
        db.add(first)
        db.flush()
        copy.current_revision_id = first.id
        db.add(copy)
        carried[id_of(item)] = id_of(copy)
    _carry_view_rows(db, plan, carried)
    links = db.exec(
        select(ItemLink).where(ItemLink.plan_id == source.id, col(ItemLink.removed_at).is_(None))
    ).all()
    db.add_all(
        ItemLink(
            plan_id=id_of(plan),
            item_id=carried[link.item_id],
            answers_id=carried[link.answers_id],
            created_by=link.created_by,
        )
        for link in links
        if link.item_id in carried and link.answers_id in carried
    )
    attachments = db.exec(
        select(AdviceAttachment).where(col(AdviceAttachment.item_id).in_(list(carried)))
    ).all()
    db.add_all(
        AdviceAttachment(
            plan_id=id_of(plan),
            advice_request_id=attachment.advice_request_id,
            item_id=carried[attachment.item_id or 0],
            file_name=attachment.file_name,
            shown_name=attachment.shown_name,
            media_type=attachment.media_type,
            byte_size=attachment.byte_size,
            uploaded_by=attachment.uploaded_by,
        )
        for attachment in attachments
    )
    db.flush()
    return carried


def _carry_view_rows(db: Session, plan: Plan, carried: dict[int, int]) -> None:
    ids = list(carried)
    for detail in db.exec(select(ViewDetail).where(col(ViewDetail.item_id).in_(ids))).all():
        db.add(
            ViewDetail(
                item_id=carried[detail.item_id],
                plan_id=id_of(plan),
                prompt=detail.prompt,
                audience=detail.audience,
            )
        )
    for reader in db.exec(select(ViewReader).where(col(ViewReader.item_id).in_(ids))).all():
        db.add(ViewReader(item_id=carried[reader.item_id], person_id=reader.person_id))
    db.flush()


def _move_assessment(db: Session, request: AssessmentRequest, source: Plan, plan: Plan) -> dict[str, int]:
    """The assessment, its steps and its advice now belong to the EHC plan's thread."""
    request.from_plan_id, request.plan_id = source.id, id_of(plan)
    db.add(request)
    steps = db.exec(select(StatutoryStep).where(StatutoryStep.assessment_id == request.id)).all()
    advice = db.exec(select(AdviceRequest).where(AdviceRequest.assessment_id == request.id)).all()
    for row in (*steps, *advice):
        row.plan_id = id_of(plan)
        db.add(row)
    db.flush()
    return {"steps": len(steps), "advice": len(advice)}


def draft_made_from(db: Session, access: PlanAccess) -> Plan | None:
    """The EHC plan an assessment asked from this SEN Support plan went on to (its thread is there)."""
    request = db.exec(
        select(AssessmentRequest)
        .where(AssessmentRequest.from_plan_id == access.plan.id)
        .order_by(col(AssessmentRequest.id).desc())
    ).first()
    return db.get(Plan, request.plan_id) if request is not None else None


def record_with_the_plan(
    db: Session, actor: Actor, access: PlanAccess, kind: StepKind, outcome: StepOutcome | None
) -> StatutoryStep | None:
    """The plan's stage closes its assessment step (the draft sent, the final plan issued), dated today:
    not audited here, as part of the stage's one event (which names the step)."""
    step = db.exec(
        select(StatutoryStep).where(
            StatutoryStep.plan_id == access.plan.id,
            StatutoryStep.kind == kind,
            col(StatutoryStep.assessment_id).is_not(None),
            col(StatutoryStep.done_on).is_(None),
            col(StatutoryStep.cancelled_on).is_(None),
        )
    ).first()
    if step is None:
        return None
    return close_step(db, actor, access, step, uk_today(), outcome, audited=False)
