"""The Individual Support Plan: a SEN Support plan turned ISP (same plan, same history), its layer
of support and every move between layers with its reason, its duty holder and its next review."""

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.models import (
    ENDED_STATUSES,
    Child,
    MemberRole,
    Person,
    Plan,
    PlanKind,
    PlanMember,
    SupportLayer,
    SupportLayerChange,
)
from app.models.base import Words, id_of
from app.permissions import PlanAccess, may_coordinate
from app.services import audit
from app.services.plans.access import refuse, refuse_change
from app.services.plans.plans import PlanProblem, people_by_id, refuse_a_second_live_plan


class NewIsp(BaseModel):
    """What the SENCo gives to turn a SEN Support plan into an ISP."""

    layer: SupportLayer
    reason: Words = Field(min_length=1, max_length=2000)
    """Why the child needs this layer: kept in the layer's history and the plan's audit trail."""
    duty_holder_id: int
    """The person (a member of the setting's staff on the plan) who answers for the plan."""
    next_review_on: date


class LayerMove(BaseModel):
    layer: SupportLayer
    reason: Words = Field(min_length=1, max_length=2000)


class IspDetails(BaseModel):
    duty_holder_id: int
    next_review_on: date


@dataclass(frozen=True)
class LayerStep:
    change: SupportLayerChange
    by: Person | None


def must_coordinate(access: PlanAccess) -> None:
    """Changing a plan's kind or layer is its coordinator's (refused, 403, with why, otherwise)."""
    if not may_coordinate(access):
        refuse(
            access, "Only the plan's coordinator changes its kind or layer of support.", action="isp.refused"
        )


def duty_holders(db: Session, access: PlanAccess) -> list[Person]:
    """Who may hold the duty: the setting's staff on the plan now (education members)."""
    found = db.exec(
        select(Person)
        .join(PlanMember, col(PlanMember.person_id) == col(Person.id))
        .where(
            col(PlanMember.plan_id) == access.plan.id,
            col(PlanMember.role) == MemberRole.EDUCATION.value,
            col(PlanMember.removed_at).is_(None),
        )
        .order_by(col(Person.display_name))
    )
    return [person for person in found if person.is_active]


def _check_details(db: Session, access: PlanAccess, duty_holder_id: int, next_review_on: date) -> None:
    if duty_holder_id not in {person.id for person in duty_holders(db, access)}:
        raise PlanProblem("duty_holder_id", "Select a member of the setting's staff on this plan")
    if next_review_on < uk_today():
        raise PlanProblem("next_review_on", "The next review must be today or in the future")


def convert_to_isp(db: Session, actor: Actor, access: PlanAccess, new: NewIsp) -> Plan:
    """The same plan row becomes an ISP: its items, views, reviews, versions and trail all stay."""
    must_coordinate(access)
    plan = access.plan
    if plan.kind is not PlanKind.SEN_SUPPORT or plan.status in ENDED_STATUSES:
        refuse_change(
            access,
            "Only a live SEN Support plan can become an Individual Support Plan.",
            action="isp.refused",
        )
    _check_details(db, access, new.duty_holder_id, new.next_review_on)
    child = db.get(Child, plan.child_id)
    if child is not None:
        refuse_a_second_live_plan(db, access.person, child, PlanKind.ISP, besides=id_of(plan))
    plan.kind = PlanKind.ISP
    plan.support_layer = new.layer
    plan.duty_holder_id = new.duty_holder_id
    plan.next_review_on = new.next_review_on
    db.add(plan)
    db.add(
        SupportLayerChange(
            plan_id=id_of(plan), layer=new.layer, reason=new.reason, changed_by_id=access.person.id
        )
    )
    db.flush()
    audit.record(
        db,
        actor,
        "plan.kind_changed",
        object_type="plan",
        object_id=plan.id,
        typed_reason=new.reason,
        details={
            "from": PlanKind.SEN_SUPPORT.value,
            "to": PlanKind.ISP.value,
            "layer": new.layer.value,
            "duty_holder_id": new.duty_holder_id,
            "next_review_on": new.next_review_on.isoformat(),
        },
    )
    return plan


def change_layer(db: Session, actor: Actor, access: PlanAccess, move: LayerMove) -> SupportLayerChange:
    """A child moves between layers in any order; each move keeps its reason."""
    must_coordinate(access)
    plan = access.plan
    if plan.kind is not PlanKind.ISP or plan.status in ENDED_STATUSES:
        refuse_change(
            access, "Only a live Individual Support Plan has a layer of support.", action="isp.refused"
        )
    if move.layer is plan.support_layer:
        raise PlanProblem("layer", "Choose a different layer from the one the child is at now")
    change = SupportLayerChange(
        plan_id=id_of(plan),
        layer=move.layer,
        previous_layer=plan.support_layer,
        reason=move.reason,
        changed_by_id=access.person.id,
    )
    plan.support_layer = move.layer
    db.add(plan)
    db.add(change)
    db.flush()
    audit.record(
        db,
        actor,
        "plan.layer_changed",
        object_type="plan",
        object_id=plan.id,
        typed_reason=move.reason,
        details={
            "from": change.previous_layer.value if change.previous_layer else None,
            "to": move.layer.value,
            "change_id": change.id,
        },
    )
    return change


def change_details(db: Session, actor: Actor, access: PlanAccess, given: IspDetails) -> Plan:
    """A new duty holder (the SENCo leaves) or a new review date."""
    must_coordinate(access)
    plan = access.plan
    if plan.kind is not PlanKind.ISP or plan.status in ENDED_STATUSES:
        refuse_change(access, "Only a live Individual Support Plan has a duty holder.", action="isp.refused")
    _check_details(db, access, given.duty_holder_id, given.next_review_on)
    plan.duty_holder_id = given.duty_holder_id
    plan.next_review_on = given.next_review_on
    db.add(plan)
    db.flush()
    audit.record(
        db,
        actor,
        "plan.isp_changed",
        object_type="plan",
        object_id=plan.id,
        details={"duty_holder_id": given.duty_holder_id, "next_review_on": given.next_review_on.isoformat()},
    )
    return plan


def layer_history(db: Session, plan_id: int) -> list[SupportLayerChange]:
    """Every layer the child has been at, oldest first."""
    return list(
        db.exec(
            select(SupportLayerChange)
            .where(col(SupportLayerChange.plan_id) == plan_id)
            .order_by(col(SupportLayerChange.changed_at), col(SupportLayerChange.id))
        )
    )


def read_layer_history(db: Session, actor: Actor, access: PlanAccess) -> list[SupportLayerChange]:
    """The history as a read of the plan (audited: a family can see who looked)."""
    found = layer_history(db, id_of(access.plan))
    audit.record(
        db,
        actor,
        "plan.layers_read",
        object_type="plan",
        object_id=access.plan.id,
        details={"changes": len(found)},
    )
    return found


def layer_steps(db: Session, plan_id: int) -> list[LayerStep]:
    """The history with who made each move, newest first (the plan page's list)."""
    changes = layer_history(db, plan_id)
    people = people_by_id(db, {change.changed_by_id for change in changes})
    return [LayerStep(change, people.get(change.changed_by_id or 0)) for change in reversed(changes)]


@dataclass(frozen=True)
class OutlinePanel:
    """What the plan page shows of an ISP: the layer now, its history, the duty holder, the next review."""

    steps: list[LayerStep]
    duty_holder: Person | None
    may_change: bool
    may_convert: bool


def outline_panel(db: Session, access: PlanAccess) -> OutlinePanel:
    plan = access.plan
    live = plan.status not in ENDED_STATUSES
    coordinating = may_coordinate(access) and live
    if plan.kind is not PlanKind.ISP:
        return OutlinePanel([], None, False, coordinating and plan.kind is PlanKind.SEN_SUPPORT)
    duty_holder = db.get(Person, plan.duty_holder_id) if plan.duty_holder_id else None
    return OutlinePanel(layer_steps(db, id_of(plan)), duty_holder, coordinating, False)
