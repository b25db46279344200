"""Starting plans and listing the plans a person may see."""

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.models import (
    EHC_SECTION_TITLES,
    ENDED_STATUSES,
    PLAN_KIND_LABELS,
    SEN_SUPPORT_SECTION_TITLES,
    SETTING_KINDS,
    Child,
    CycleStage,
    MemberRole,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanMember,
    PlanStatus,
    Section,
    SupportLayer,
    SupportLayerChange,
    live_together,
)
from app.models.base import PLAIN_TEXT, Words, id_of
from app.permissions import COORDINATOR_ROLES
from app.services import audit, sencos

FIRST_LAYER_REASON = "Plan started"
"""The reason the layer history gives for an ISP's first layer when it is started as an ISP."""
SECTION_TITLES: dict[PlanKind, dict[Section, str]] = {
    PlanKind.EHC: EHC_SECTION_TITLES,
    PlanKind.SEN_SUPPORT: SEN_SUPPORT_SECTION_TITLES,
    PlanKind.ISP: SEN_SUPPORT_SECTION_TITLES,
}


class PlanProblem(ValueError):
    """Something typed cannot be used; `field` names the form field it belongs beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class PlanAlreadyLive(PlanProblem):
    """One child, one live plan of each kind: a second would split the child's record in two."""

    def __init__(self, plan: Plan, child: Child, may_see: bool) -> None:
        kind = PLAN_KIND_LABELS[plan.kind]
        where = f": {plan.reference}" if may_see else ". Ask its coordinator to add you to it"
        super().__init__("child_full_name", f"{child.full_name} already has a live {kind}{where}")
        self.plan = plan
        self.may_see = may_see


class NewPlan(BaseModel):
    """What the coordinator types to start a plan for a child."""

    kind: PlanKind
    child_full_name: Words = Field(min_length=1, max_length=120)
    child_preferred_name: str | None = Field(default=None, max_length=60, pattern=PLAIN_TEXT)
    child_date_of_birth: date
    child_school_year: Words = Field(min_length=1, max_length=20)
    setting_id: int | None = None
    """EHC plans: the school or college named; SEN Support plans are the coordinator's own school's."""
    layer: SupportLayer | None = None
    """An ISP's first layer of support (for other kinds, none)."""
    duty_holder_id: int | None = None
    """An ISP's duty holder: one of the school's education staff (joins the plan if not its starter); none
    given, the SENCo starting it."""
    next_review_on: date | None = None
    """An ISP's first review."""


@dataclass(frozen=True)
class PlanSummary:
    plan: Plan
    child: Child


def create_plan(db: Session, actor: Actor, new: NewPlan) -> Plan:
    """SEN Support plans start with the SENCo's school; EHC plans with the LA case officer's council."""
    person = actor.signed_in()
    organisation = db.get(Organisation, person.organisation_id) if person.organisation_id else None
    duty_holder: Person | None = None
    if new.kind in SETTING_KINDS:
        if (
            person.role is not PersonRole.EDUCATION
            or organisation is None
            or organisation.local_authority_id is None
        ):
            raise PlanProblem("kind", f"Only a school's SENCo can start {_a(new.kind)}")
        local_authority_id = organisation.local_authority_id
        setting_id: int | None = id_of(organisation)
        if new.kind is PlanKind.ISP:
            duty_holder = _isp_checked(db, person, organisation, new)
    else:
        if person.role is not PersonRole.LA_CASE_OFFICER or organisation is None:
            raise PlanProblem("kind", "Only a local authority case officer can start an EHC plan")
        local_authority_id = id_of(organisation)
        setting_id = new.setting_id
        if setting_id is not None:
            setting = db.get(Organisation, setting_id)
            if (
                setting is None
                or setting.kind is not OrganisationKind.SCHOOL
                or setting.local_authority_id != local_authority_id
            ):
                raise PlanProblem("setting_id", "Select a school or college in your local authority")
    if new.child_date_of_birth > uk_today():
        raise PlanProblem("child_date_of_birth", "Date of birth must be in the past")
    child = _known_child(db, local_authority_id, new)
    if child is None:
        child = Child(
            full_name=new.child_full_name,
            preferred_name=(new.child_preferred_name or "").strip() or None,
            date_of_birth=new.child_date_of_birth,
            school_year=new.child_school_year,
            setting_id=setting_id,
            local_authority_id=local_authority_id,
        )
        db.add(child)
        db.flush()
    else:
        refuse_a_second_live_plan(db, person, child, new.kind)
    plan = Plan(
        kind=new.kind,
        child_id=id_of(child),
        local_authority_id=local_authority_id,
        setting_id=setting_id,
        status=PlanStatus.ACTIVE if new.kind in SETTING_KINDS else PlanStatus.DRAFT,
        cycle_stage=CycleStage.ASSESS if new.kind in SETTING_KINDS else None,
        support_layer=new.layer if duty_holder else None,
        duty_holder_id=duty_holder.id if duty_holder else None,
        next_review_on=new.next_review_on if duty_holder else None,
    )
    db.add(plan)
    db.flush()
    db.add(
        PlanMember(
            plan_id=id_of(plan),
            person_id=id_of(person),
            role=COORDINATOR_ROLES[new.kind],
            is_coordinator=True,
            added_by_id=person.id,
        )
    )
    details: dict[str, object] = {"kind": plan.kind.value, "child_id": child.id}
    if duty_holder is not None:
        details |= _first_layer(db, plan, person, duty_holder)
    audit.record(db, actor, "plan.created", object_type="plan", object_id=plan.id, details=details)
    return plan


def _a(kind: PlanKind) -> str:
    label = PLAN_KIND_LABELS[kind]
    return f"{'an' if label[:1] in 'AEIOU' else 'a'} {label}"


def _isp_checked(db: Session, person: Person, school: Organisation, new: NewPlan) -> Person:
    """An ISP started directly: by the school's designated SENCo, with its layer, duty holder and review.

    The layer of support is the SENCo's call (a class teacher starts a SEN Support plan, which the SENCo
    may turn into an ISP); the duty holder is one of the school's active education staff, the SENCo
    starting it unless they name someone else.
    """
    if not sencos.leads(db, person, id_of(school)):
        raise PlanProblem("kind", f"Only the school's SENCo can start {_a(PlanKind.ISP)}")
    if new.layer is None:
        raise PlanProblem("layer", "Select the layer of support")
    duty_holder = db.get(Person, new.duty_holder_id) if new.duty_holder_id else person
    if (
        duty_holder is None
        or duty_holder.role is not PersonRole.EDUCATION
        or duty_holder.organisation_id != school.id
        or not duty_holder.is_active
    ):
        raise PlanProblem("duty_holder_id", f"Select who holds the duty for the plan, at {school.name}")
    if new.next_review_on is None:
        raise PlanProblem("next_review_on", "Enter the date of the first review")
    if new.next_review_on < uk_today():
        raise PlanProblem("next_review_on", "The first review must be today or in the future")
    return duty_holder


def _first_layer(db: Session, plan: Plan, person: Person, duty_holder: Person) -> dict[str, object]:
    """The ISP's first layer in its history ("Plan started"); a duty holder not starting it joins it."""
    layer = plan.support_layer or SupportLayer.TARGETED
    db.add(
        SupportLayerChange(
            plan_id=id_of(plan), layer=layer, reason=FIRST_LAYER_REASON, changed_by_id=person.id
        )
    )
    if duty_holder.id != person.id:
        db.add(
            PlanMember(
                plan_id=id_of(plan),
                person_id=id_of(duty_holder),
                role=MemberRole.EDUCATION,
                added_by_id=person.id,
            )
        )
    db.flush()
    return {
        "layer": layer.value,
        "duty_holder_id": duty_holder.id,
        "duty_holder_joined": duty_holder.id != person.id,
        "next_review_on": plan.next_review_on.isoformat() if plan.next_review_on else None,
    }


def _known_child(db: Session, local_authority_id: int, new: NewPlan) -> Child | None:
    """The council's record of this child (same name, whatever the case, and date of birth), if any."""
    name = " ".join(new.child_full_name.split()).casefold()
    candidates = db.exec(
        select(Child).where(
            col(Child.local_authority_id) == local_authority_id,
            col(Child.date_of_birth) == new.child_date_of_birth,
        )
    )
    return next((child for child in candidates if " ".join(child.full_name.split()).casefold() == name), None)


def refuse_a_second_live_plan(
    db: Session, person: Person, child: Child, kind: PlanKind, *, besides: int | None = None
) -> None:
    """One live plan of a kind per child (an ISP and a SEN Support plan count as one kind)."""
    live = db.exec(
        select(Plan).where(
            col(Plan.child_id) == child.id,
            col(Plan.kind).in_([each.value for each in live_together(kind)]),
            col(Plan.status).not_in(ENDED_STATUSES),
            col(Plan.id) != (besides or 0),
        )
    ).first()
    if live is None:
        return
    member = db.exec(
        select(PlanMember.id).where(
            col(PlanMember.plan_id) == live.id,
            col(PlanMember.person_id) == person.id,
            col(PlanMember.removed_at).is_(None),
        )
    ).first()
    raise PlanAlreadyLive(live, child, may_see=member is not None)


def visible_plans(db: Session, actor: Actor) -> list[PlanSummary]:
    """Plans the person is on, and for an LA audit officer every plan of their council; one query."""
    person = actor.signed_in()
    member_of = select(PlanMember.plan_id).where(
        col(PlanMember.person_id) == person.id, col(PlanMember.removed_at).is_(None)
    )
    visible: ColumnElement[bool] = col(Plan.id).in_(member_of)
    if person.role is PersonRole.LA_AUDIT_OFFICER and person.organisation_id is not None:
        visible = or_(visible, col(Plan.local_authority_id) == person.organisation_id)
    if person.role is PersonRole.ADMINISTRATOR or not person.is_active:
        return []
    rows = db.exec(
        select(Plan, Child)
        .join(Child, col(Child.id) == col(Plan.child_id))
        .where(visible)
        .order_by(col(Child.full_name), col(Plan.id))
    ).all()
    audit.record(db, actor, "plans.listed", details={"plan_ids": [plan.id for plan, _child in rows]})
    return [PlanSummary(plan, child) for plan, child in rows]


def people_by_id(db: Session, ids: set[int | None]) -> dict[int, Person]:
    """Authors and members named on a page, in one query however many there are."""
    wanted = {person_id for person_id in ids if person_id is not None}
    if not wanted:
        return {}
    return {id_of(person): person for person in db.exec(select(Person).where(col(Person.id).in_(wanted)))}


def organisations_by_id(db: Session, ids: set[int | None]) -> dict[int, Organisation]:
    wanted = {organisation_id for organisation_id in ids if organisation_id is not None}
    if not wanted:
        return {}
    return {
        id_of(organisation): organisation
        for organisation in db.exec(select(Organisation).where(col(Organisation.id).in_(wanted)))
    }


def own_memberships(db: Session, person: Person) -> dict[int, PlanMember]:
    """The person's current part in each plan they are on, by plan id (the plans list's "your part")."""
    rows = db.exec(
        select(PlanMember).where(col(PlanMember.person_id) == person.id, col(PlanMember.removed_at).is_(None))
    )
    return {member.plan_id: member for member in rows}


def local_organisations(
    db: Session, local_authority_id: int, kinds: set[OrganisationKind] | None = None
) -> list[Organisation]:
    """The local authority and the organisations that belong to it, by name (choices in forms)."""
    query = (
        select(Organisation)
        .where(
            or_(
                col(Organisation.id) == local_authority_id,
                col(Organisation.local_authority_id) == local_authority_id,
            )
        )
        .order_by(col(Organisation.name))
    )
    if kinds is not None:
        query = query.where(col(Organisation.kind).in_([kind.value for kind in kinds]))
    return list(db.exec(query))
