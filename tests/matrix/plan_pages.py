"""The plan pages: the plans list, starting a plan, the plan page, adding, editing and commenting.

OWN: the caller is on the plan in the part their account fits (coordinating it when that part
coordinates this kind of plan), with an item of their own in a section they write; an LA audit
officer's OWN plan is one of their council's. OTHER: a plan of another council that the caller is
not on (it does not exist for them).
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import Session

from app.models import (
    SECTION_KIND,
    AreaOfNeed,
    Child,
    CycleStage,
    Item,
    ItemRevision,
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
)
from app.models.base import id_of
from app.permissions import COORDINATOR_ROLES
from tests.factories import make_organisation, make_person
from tests.matrix import SEES_NO_PLAN, Relationship, Route, only

READERS = frozenset(set(PersonRole) - {PersonRole.ADMINISTRATOR})
CONTRIBUTORS = READERS - {PersonRole.LA_AUDIT_OFFICER}
STARTERS = frozenset({PersonRole.EDUCATION, PersonRole.LA_CASE_OFFICER})
FITTING_PART = {
    PersonRole.LA_CASE_OFFICER: MemberRole.LOCAL_AUTHORITY,
    PersonRole.EDUCATION: MemberRole.EDUCATION,
    PersonRole.HEALTH: MemberRole.HEALTH,
    PersonRole.SOCIAL_CARE: MemberRole.SOCIAL_CARE,
    PersonRole.PARENT_CARER: MemberRole.PARENT_CARER,
    PersonRole.CHILD: MemberRole.CHILD,
}
OWN_SECTION = {
    MemberRole.LOCAL_AUTHORITY: Section.I,
    MemberRole.EDUCATION: Section.B,
    MemberRole.HEALTH: Section.C,
    MemberRole.SOCIAL_CARE: Section.D,
    MemberRole.PARENT_CARER: Section.A,
    MemberRole.CHILD: Section.A,
}
"""A section each part writes in (the form below suits every one of them)."""
COORDINATOR_ACCOUNTS = {PlanKind.SEN_SUPPORT: PersonRole.EDUCATION, PlanKind.EHC: PersonRole.LA_CASE_OFFICER}
ITEM_FORM = {"text": "Words from the permission matrix.", "area_of_need": AreaOfNeed.INDEPENDENCE.value}


def _member(db: Session, plan: Plan, person: Person, role: MemberRole, *, coordinator: bool = False) -> None:
    db.add(PlanMember(plan_id=id_of(plan), person_id=id_of(person), role=role, is_coordinator=coordinator))
    db.flush()


def _plan(db: Session, caller: Person | None, relationship: Relationship) -> tuple[Plan, Person, MemberRole]:
    """An EHC plan for an LA case officer, a SEN Support plan for everyone else; the caller on it if OWN.

    Returns the plan, and who writes in it with their part: the caller if on it, else the coordinator.
    """
    own = relationship is Relationship.OWN and caller is not None
    council: Organisation | None = None
    if own and caller is not None and caller.role is PersonRole.LA_AUDIT_OFFICER:
        council = db.get(Organisation, caller.organisation_id)
    council = council or make_organisation(db, OrganisationKind.LOCAL_AUTHORITY)
    is_case_officer = caller is not None and caller.role is PersonRole.LA_CASE_OFFICER
    kind = PlanKind.EHC if is_case_officer else PlanKind.SEN_SUPPORT
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
    if caller is not None and part is not None:
        coordinates = part is COORDINATOR_ROLES[kind]
        _member(db, plan, caller, part, coordinator=coordinates)
        if not coordinates:
            _member(
                db,
                plan,
                make_person(db, COORDINATOR_ACCOUNTS[kind], password=None),
                COORDINATOR_ROLES[kind],
                coordinator=True,
            )
        return plan, caller, part
    coordinator = make_person(db, COORDINATOR_ACCOUNTS[kind], password=None)
    _member(db, plan, coordinator, COORDINATOR_ROLES[kind], coordinator=True)
    return plan, coordinator, COORDINATOR_ROLES[kind]


def _plan_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    return {"plan_id": _plan(db, caller, relationship)[0].id}


def _section_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    plan, _writer, part = _plan(db, caller, relationship)
    return {"plan_id": plan.id, "section": OWN_SECTION.get(part, Section.B).value}


def _item_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """An item that the writer (the caller, when on the plan) wrote in their own section, at revision 1."""
    plan, writer, part = _plan(db, caller, relationship)
    section = OWN_SECTION.get(part, Section.B)
    kind = SECTION_KIND[section]
    item = Item(
        plan_id=id_of(plan),
        section=section,
        kind=kind,
        author_id=id_of(writer),
        voice_id=writer.id if section is Section.A else None,
        revision_number=1,
    )
    db.add(item)
    db.flush()
    revision = ItemRevision(
        item_id=id_of(item),
        number=1,
        author_id=id_of(writer),
        text="Words written before the matrix came.",
        area_of_need=AreaOfNeed.INDEPENDENCE if section in {Section.B, Section.C, Section.D} else None,
    )
    db.add(revision)
    db.flush()
    item.current_revision_id = revision.id
    db.add(item)
    db.flush()
    return {"plan_id": plan.id, "item_id": item.id}


def reading(allowed: int) -> dict[Relationship, dict[str, int]]:
    """Everyone on the plan (and the council's auditor) reads; administrators never see plans."""
    return {
        Relationship.OWN: only(READERS, allowed, refused=403, anonymous=303) | SEES_NO_PLAN,
        Relationship.OTHER: only(READERS, 404, refused=404, anonymous=303),
    }


def contributing(allowed: int) -> dict[Relationship, dict[str, int]]:
    """Members write as far as their part allows; the auditor is refused (403); administrators: 404."""
    return {
        Relationship.OWN: only(CONTRIBUTORS, allowed, refused=403, anonymous=303) | SEES_NO_PLAN,
        Relationship.OTHER: only(CONTRIBUTORS, 404, refused=404, anonymous=303),
    }


ROUTES = [
    Route("GET", "/plans", {Relationship.NONE: only(READERS, 200, refused=403, anonymous=303)}),
    Route("GET", "/plans/new", {Relationship.NONE: only(STARTERS, 200, refused=403, anonymous=303)}),
    # An incomplete form: the page again with its errors (starting a plan is tested in test_plan_pages).
    Route(
        "POST",
        "/plans/new",
        {Relationship.NONE: only(STARTERS, 200, refused=403, anonymous=303)},
        form={"child_full_name": ""},
    ),
    Route("GET", "/plans/{plan_id}", reading(200), params=_plan_params),
    Route("GET", "/plans/{plan_id}/sections/{section}", reading(200), params=_section_params),
    Route("GET", "/plans/{plan_id}/quality", reading(200), params=_plan_params),
    Route("GET", "/plans/{plan_id}/sections/{section}/new", contributing(200), params=_section_params),
    Route(
        "POST",
        "/plans/{plan_id}/sections/{section}/items",
        contributing(303),
        params=_section_params,
        form=ITEM_FORM,
    ),
    Route("GET", "/plans/{plan_id}/items/{item_id}", reading(200), params=_item_params),
    Route("GET", "/plans/{plan_id}/items/{item_id}/edit", contributing(200), params=_item_params),
    Route(
        "POST",
        "/plans/{plan_id}/items/{item_id}",
        contributing(303),
        params=_item_params,
        form={**ITEM_FORM, "based_on": "1"},
    ),
    # Without htmx, asking for the comment form leads to the item's page, which has it.
    Route("GET", "/plans/{plan_id}/items/{item_id}/comments/new", contributing(303), params=_item_params),
    Route(
        "POST",
        "/plans/{plan_id}/items/{item_id}/comments",
        contributing(303),
        params=_item_params,
        form={"comment": "A comment from the permission matrix."},
    ),
]
