"""Plan management pages: members, stage, reviews, versions and what changed.

OWN: the caller is on the plan in the part their account fits (the coordinator, for the SENCo of a SEN
Support plan and the LA case officer of an EHC plan); an LA audit officer's OWN plan is one of their
council's. OTHER: a plan of another council that the caller is not on (it does not exist for them).
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import Session

from app.models import (
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
)
from app.models.base import id_of
from app.permissions import COORDINATOR_ROLES
from tests.factories import make_organisation, make_person
from tests.matrix import SEES_NO_PLAN, Relationship, Route, only

READERS = frozenset(set(PersonRole) - {PersonRole.ADMINISTRATOR})
COORDINATORS = frozenset({PersonRole.EDUCATION, PersonRole.LA_CASE_OFFICER})
FITTING_PART = {
    PersonRole.LA_CASE_OFFICER: MemberRole.LOCAL_AUTHORITY,
    PersonRole.EDUCATION: MemberRole.EDUCATION,
    PersonRole.HEALTH: MemberRole.HEALTH,
    PersonRole.SOCIAL_CARE: MemberRole.SOCIAL_CARE,
    PersonRole.PARENT_CARER: MemberRole.PARENT_CARER,
    PersonRole.CHILD: MemberRole.CHILD,
}
COORDINATOR_ACCOUNTS = {PlanKind.SEN_SUPPORT: PersonRole.EDUCATION, PlanKind.EHC: PersonRole.LA_CASE_OFFICER}


def _member(
    db: Session, plan: Plan, person: Person, role: MemberRole, *, coordinator: bool = False
) -> PlanMember:
    member = PlanMember(plan_id=id_of(plan), person_id=id_of(person), role=role, is_coordinator=coordinator)
    db.add(member)
    db.flush()
    return member


def _plan(db: Session, caller: Person | None, relationship: Relationship) -> Plan:
    """An EHC plan for an LA case officer, a SEN Support plan for everyone else; the caller on it if OWN."""
    own = relationship is Relationship.OWN and caller is not None
    council: Organisation | None = None
    if own and caller is not None and caller.role is PersonRole.LA_AUDIT_OFFICER:
        council = db.get(Organisation, caller.organisation_id)
    council = council or make_organisation(db, OrganisationKind.LOCAL_AUTHORITY)
    kind = (
        PlanKind.EHC
        if caller is not None and caller.role is PersonRole.LA_CASE_OFFICER
        else PlanKind.SEN_SUPPORT
    )
    child = Child(
        full_name="Matrix Child",
        date_of_birth=date(2016, 4, 1),
        school_year="Year 5",
        local_authority_id=id_of(council),
    )
    db.add(child)
    db.flush()
    plan = Plan(
        kind=kind,
        child_id=id_of(child),
        local_authority_id=id_of(council),
        status=PlanStatus.ACTIVE if kind is PlanKind.SEN_SUPPORT else PlanStatus.DRAFT,
        cycle_stage=CycleStage.ASSESS if kind is PlanKind.SEN_SUPPORT else None,
    )
    db.add(plan)
    db.flush()
    part = FITTING_PART.get(caller.role) if own and caller is not None else None
    caller_coordinates = part is COORDINATOR_ROLES[kind]
    if caller is not None and part is not None:
        _member(db, plan, caller, part, coordinator=caller_coordinates)
    if not caller_coordinates:
        coordinator = make_person(db, COORDINATOR_ACCOUNTS[kind], password=None)
        _member(db, plan, coordinator, COORDINATOR_ROLES[kind], coordinator=True)
    return plan


def _plan_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    return {"plan_id": _plan(db, caller, relationship).id}


def _parent_member(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """A parent on the plan, whom the coordinator may remove."""
    plan = _plan(db, caller, relationship)
    parent = make_person(db, PersonRole.PARENT_CARER, password=None)
    return {"plan_id": plan.id, "member_id": _member(db, plan, parent, MemberRole.PARENT_CARER).id}


def _colleague_member(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """A colleague in the coordinator's part, to whom the coordinator may hand the plan on."""
    plan = _plan(db, caller, relationship)
    colleague = make_person(db, COORDINATOR_ACCOUNTS[plan.kind], password=None)
    return {"plan_id": plan.id, "member_id": _member(db, plan, colleague, COORDINATOR_ROLES[plan.kind]).id}


def reading(allowed: int) -> dict[Relationship, dict[str, int]]:
    """Everyone on the plan (and the council's auditor) reads; administrators never see plans."""
    return {
        Relationship.OWN: only(READERS, allowed, refused=403, anonymous=303) | SEES_NO_PLAN,
        Relationship.OTHER: only(READERS, 404, refused=404, anonymous=303),
    }


def coordinating(allowed: int) -> dict[Relationship, dict[str, int]]:
    """Only the plan's coordinator (a SENCo or an LA case officer); other roles on it are refused (403)."""
    return {
        Relationship.OWN: only(COORDINATORS, allowed, refused=403, anonymous=303) | SEES_NO_PLAN,
        Relationship.OTHER: only(COORDINATORS, 404, refused=404, anonymous=303),
    }


NEW_PARENT = {"email": "matrix.parent@test.example", "role": "parent_carer", "display_name": "Matrix Parent"}
REVIEW = {
    "held_on-day": "1",
    "held_on-month": "9",
    "held_on-year": "2025",
    "participants": "The family and the school",
    "what_worked": "Quiet lunches",
    "what_changes": "A checklist on the desk",
}

ROUTES = [
    Route("GET", "/plans/{plan_id}/members", reading(200), params=_plan_params),
    Route("POST", "/plans/{plan_id}/members", coordinating(303), params=_plan_params, form=NEW_PARENT),
    Route(
        "POST",
        "/plans/{plan_id}/members/{member_id}/remove",
        coordinating(303),
        params=_parent_member,
        form={"reason": "Matrix reason."},
    ),
    Route(
        "POST",
        "/plans/{plan_id}/members/{member_id}/coordinator",
        coordinating(303),
        params=_colleague_member,
    ),
    Route("GET", "/plans/{plan_id}/stage", reading(200), params=_plan_params),
    # An empty choice: the form again with its error (the steps differ by kind of plan).
    Route("POST", "/plans/{plan_id}/stage", coordinating(200), params=_plan_params, form={"step": ""}),
    Route("GET", "/plans/{plan_id}/reviews/new", coordinating(200), params=_plan_params),
    Route("POST", "/plans/{plan_id}/reviews", coordinating(303), params=_plan_params, form=REVIEW),
    Route("GET", "/plans/{plan_id}/versions", reading(200), params=_plan_params),
    Route("GET", "/plans/{plan_id}/changes", reading(200), params=_plan_params),
]
