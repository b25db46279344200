"""The plans API: on a plan the caller is on (OWN) and on one they are not (OTHER).

OWN: the caller is a member in the part that fits their role (an education caller coordinates a SEN
Support plan, an LA case officer an EHC plan in draft); an LA audit officer is on no plan but audits
the plan, which belongs to their own council. Each plan has an item the caller wrote themselves
(their view in A, or their advice in K) and a colleague of the coordinator's part (`member_id`).
Anything the caller may see but not do is 403; a plan they may not see is 404 whatever their role
(administrators see none). PUT is played without If-Match: 428 shows the caller got past every refusal.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.models import (
    FAMILY_MEMBER_ROLES,
    Child,
    CycleStage,
    Item,
    ItemKind,
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
from tests.matrix import SEES_NO_PLAN, Relationship, Route, only, statuses

MEMBER_ROLE_FOR = {
    PersonRole.LA_CASE_OFFICER: MemberRole.LOCAL_AUTHORITY,
    PersonRole.EDUCATION: MemberRole.EDUCATION,
    PersonRole.HEALTH: MemberRole.HEALTH,
    PersonRole.SOCIAL_CARE: MemberRole.SOCIAL_CARE,
    PersonRole.PARENT_CARER: MemberRole.PARENT_CARER,
    PersonRole.CHILD: MemberRole.CHILD,
}
PERSON_ROLE_FOR = {
    MemberRole.EDUCATION: PersonRole.EDUCATION,
    MemberRole.LOCAL_AUTHORITY: PersonRole.LA_CASE_OFFICER,
}
READERS = frozenset(set(PersonRole) - {PersonRole.ADMINISTRATOR})
CONTRIBUTORS = READERS - {PersonRole.LA_AUDIT_OFFICER}
COORDINATORS = frozenset({PersonRole.EDUCATION, PersonRole.LA_CASE_OFFICER})
NEW_MEMBER_EMAIL = "matrix.parent@test.example"


def _plan(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """A plan with an item and a colleague of the coordinator; the caller is on it for OWN."""
    own = caller if relationship is Relationship.OWN else None
    role = own.role if own is not None else None
    council = (
        db.get(Organisation, own.organisation_id)
        if own is not None and role in {PersonRole.LA_CASE_OFFICER, PersonRole.LA_AUDIT_OFFICER}
        else None
    ) or make_organisation(db, OrganisationKind.LOCAL_AUTHORITY)
    kind = PlanKind.EHC if role is PersonRole.LA_CASE_OFFICER else PlanKind.SEN_SUPPORT
    lead = COORDINATOR_ROLES[kind]
    child = Child(
        full_name="Matrix Child",
        date_of_birth=date(2016, 1, 1),
        school_year="Year 5",
        local_authority_id=id_of(council),
    )
    db.add(child)
    db.flush()
    plan = Plan(
        kind=kind,
        child_id=id_of(child),
        local_authority_id=id_of(council),
        status=PlanStatus.DRAFT if kind is PlanKind.EHC else PlanStatus.ACTIVE,
        cycle_stage=None if kind is PlanKind.EHC else CycleStage.ASSESS,
    )
    db.add(plan)
    db.flush()

    def enrol(person: Person, part: MemberRole, *, coordinator: bool = False) -> PlanMember:
        member = PlanMember(
            plan_id=id_of(plan), person_id=id_of(person), role=part, is_coordinator=coordinator
        )
        db.add(member)
        db.flush()
        return member

    author: Person | None = None
    if own is not None and role in MEMBER_ROLE_FOR:
        part = MEMBER_ROLE_FOR[own.role]
        enrol(own, part, coordinator=part is lead)
        author = own
    if own is None or role not in COORDINATORS:
        coordinator = make_person(db, PERSON_ROLE_FOR[lead], password=None)
        enrol(coordinator, lead, coordinator=True)
        author = author or coordinator
    colleague = enrol(make_person(db, PERSON_ROLE_FOR[lead], password=None), lead)
    assert author is not None
    _ensure_person_to_add(db)
    return {"plan_id": plan.id, "item_id": _own_words(db, plan, author).id, "member_id": colleague.id}


def _own_words(db: Session, plan: Plan, author: Person) -> Item:
    """A view in A (family) or advice in K (professionals): only its author revises it."""
    family = MEMBER_ROLE_FOR.get(author.role) in FAMILY_MEMBER_ROLES
    item = Item(
        plan_id=id_of(plan),
        section=Section.A if family else Section.K,
        kind=ItemKind.VIEW if family else ItemKind.ADVICE,
        author_id=id_of(author),
        voice_id=author.id if family else None,
        revision_number=1,
    )
    db.add(item)
    db.flush()
    revision = ItemRevision(item_id=id_of(item), number=1, author_id=id_of(author), text="Matrix words.")
    db.add(revision)
    db.flush()
    item.current_revision_id = revision.id
    db.add(item)
    db.flush()
    return item


def _ensure_person_to_add(db: Session) -> None:
    if db.exec(select(Person).where(col(Person.email) == NEW_MEMBER_EMAIL)).first() is None:
        make_person(db, PersonRole.PARENT_CARER, email=NEW_MEMBER_EMAIL, password=None)


def on_plan(
    roles: frozenset[PersonRole], allowed: int, **on_own_plan: int
) -> dict[Relationship, dict[str, int]]:
    """`allowed` on their own plan for these roles (unless named), 403 for the rest; 404 on another's."""
    own = only(roles, allowed, refused=403, anonymous=401) | SEES_NO_PLAN | on_own_plan
    return {
        Relationship.OWN: own,
        Relationship.OTHER: only(roles, 404, refused=404, anonymous=401),
    }


READ = on_plan(READERS, 200)
ADVICE = {"section": "K", "text": "Matrix advice."}
REVIEW = {
    "held_on": "2026-01-15",
    "participants": "Everyone",
    "what_worked": "Most things.",
    "what_changes": "Little.",
}
BASE = "/api/v1/plans/{plan_id}"

ROUTES = [
    Route("GET", "/api/v1/plans", {Relationship.NONE: statuses(200, anonymous=401, administrator=403)}),
    Route(
        "POST",
        "/api/v1/plans",
        {Relationship.NONE: only(frozenset({PersonRole.LA_CASE_OFFICER}), 201, refused=403, anonymous=401)},
        json={
            "kind": "ehc",
            "child_full_name": "Matrix Child",
            "child_date_of_birth": "2016-01-01",
            "child_school_year": "Year 5",
        },
    ),
    Route("GET", BASE, READ, params=_plan),
    Route("GET", f"{BASE}/items", READ, params=_plan),
    Route(
        "POST",
        f"{BASE}/items",
        on_plan(CONTRIBUTORS, 201, parent_carer=403, child=403),
        params=_plan,
        json=ADVICE,
    ),
    Route("GET", f"{BASE}/items/{{item_id}}", READ, params=_plan),
    Route(
        "PUT",
        f"{BASE}/items/{{item_id}}",
        on_plan(CONTRIBUTORS, 428),
        params=_plan,
        json={"text": "Matrix words, changed."},
    ),
    Route(
        "POST",
        f"{BASE}/items/{{item_id}}/comments",
        on_plan(CONTRIBUTORS, 201),
        params=_plan,
        json={"text": "Matrix comment."},
    ),
    Route("GET", f"{BASE}/members", READ, params=_plan),
    Route(
        "POST",
        f"{BASE}/members",
        on_plan(COORDINATORS, 201),
        params=_plan,
        json={"role": "parent_carer", "email": NEW_MEMBER_EMAIL},
    ),
    Route(
        "DELETE",
        f"{BASE}/members/{{member_id}}",
        on_plan(COORDINATORS, 204),
        params=_plan,
        json={"reason": "Matrix reason."},
    ),
    Route("POST", f"{BASE}/members/{{member_id}}/coordinator", on_plan(COORDINATORS, 200), params=_plan),
    Route(
        "POST",
        f"{BASE}/steps",
        # The education caller's plan is a SEN Support plan (it moves stage); the LA's is an EHC plan in
        # draft, which has no stages: 409 after every permission check has passed.
        on_plan(COORDINATORS, 200, la_case_officer=409),
        params=_plan,
        json={"step": "move_to_stage", "stage": "plan"},
    ),
    Route("GET", f"{BASE}/reviews", READ, params=_plan),
    Route("POST", f"{BASE}/reviews", on_plan(COORDINATORS, 201), params=_plan, json=REVIEW),
    Route("GET", f"{BASE}/versions", READ, params=_plan),
    Route("GET", f"{BASE}/changes", READ, params=_plan),
]
