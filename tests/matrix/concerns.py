"""Concerns and complaints: who raises (the family on their plan), who answers (the setting's staff on the
plan), who reads (the family, the setting, the council's officers on the plan and its auditors; other
agencies on the plan find none: 404), and the council's complaints (its case and audit officers).

OWN: the caller is on the plan in the part their account fits (see plan_management); a complaint of
the caller's own council. OTHER: a plan the caller is not on, a complaint of another council. Each plan
has a concern past its answer date (so the family may make it a complaint) and an answered one.
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from app.clock import uk_today
from app.models import (
    Complaint,
    ConcernAbout,
    MemberRole,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Plan,
    PlanConcern,
    PlanStatus,
)
from app.models.base import id_of
from tests.factories import make_organisation, make_person
from tests.matrix import SEES_NO_PLAN, Relationship, Route, only
from tests.matrix.plan_management import _member, _plan

READERS = frozenset(set(PersonRole) - {PersonRole.ADMINISTRATOR})
CONTRIBUTORS = READERS - {PersonRole.LA_AUDIT_OFFICER}
OTHER_AGENCIES = frozenset({PersonRole.HEALTH, PersonRole.SOCIAL_CARE})
"""On the plan, but not party to concerns between the family and the setting: they find none (404)."""
LA = frozenset({PersonRole.LA_CASE_OFFICER, PersonRole.LA_AUDIT_OFFICER})
CASE_OFFICERS = frozenset({PersonRole.LA_CASE_OFFICER})


def _concern(db: Session, plan: Plan, parent: Person, *, answered: bool) -> PlanConcern:
    today = uk_today()
    concern = PlanConcern(
        plan_id=id_of(plan),
        raised_by_id=id_of(parent),
        about=ConcernAbout.DELIVERY,
        words="Matrix concern",
        raised_on=today - timedelta(days=30),
        answer_days=10,
        due_on=today - timedelta(days=15),
        answer="Matrix answer" if answered else None,
        answered_on=today - timedelta(days=20) if answered else None,
    )
    db.add(concern)
    db.flush()
    return concern


def _plan_with_concerns(
    db: Session, caller: Person | None, relationship: Relationship
) -> tuple[Plan, Person]:
    plan = _plan(db, caller, relationship)
    parent = caller if caller is not None and caller.role is PersonRole.PARENT_CARER else None
    if parent is None or relationship is not Relationship.OWN:
        parent = make_person(db, PersonRole.PARENT_CARER, password=None)
        _member(db, plan, parent, MemberRole.PARENT_CARER)
    return plan, parent


def _waiting(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    plan, parent = _plan_with_concerns(db, caller, relationship)
    return {"plan_id": plan.id, "concern_id": _concern(db, plan, parent, answered=False).id}


def _ended(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """A plan that has ended (closed), with a concern waiting."""
    params = _waiting(db, caller, relationship)
    plan = db.get(Plan, params["plan_id"])
    assert plan is not None
    plan.status = PlanStatus.CLOSED
    db.add(plan)
    db.flush()
    return params


def _answered(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    plan, parent = _plan_with_concerns(db, caller, relationship)
    return {"plan_id": plan.id, "concern_id": _concern(db, plan, parent, answered=True).id}


def _complaint(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """A complaint of the caller's council (OWN, when they belong to one) or of another (OTHER)."""
    plan, parent = _plan_with_concerns(db, None, Relationship.OTHER)
    council = caller.organisation_id if caller is not None and relationship is Relationship.OWN else None
    if council is None or (organisation := db.get(Organisation, council)) is None:
        organisation = make_organisation(db, OrganisationKind.LOCAL_AUTHORITY)
    concern = _concern(db, plan, parent, answered=False)
    complaint = Complaint(
        concern_id=id_of(concern),
        plan_id=id_of(plan),
        local_authority_id=id_of(organisation),
        made_by_id=id_of(parent),
        reason="Matrix reason",
        made_on=uk_today(),
    )
    db.add(complaint)
    db.flush()
    return {"complaint_id": complaint.id}


def on_plan(
    roles: frozenset[PersonRole], allowed: int, route_roles: frozenset[PersonRole], anonymous: int
) -> dict:  # type: ignore[type-arg]
    """`allowed` for these roles on their own plan; 403 for the other roles the route lets in; 404 for
    other agencies on the plan and on a plan the caller may not see."""
    return {
        Relationship.OWN: {
            **only(route_roles, 403, refused=403, anonymous=anonymous),
            **SEES_NO_PLAN,
            **{role.value: 404 for role in OTHER_AGENCIES},
            **{role.value: allowed for role in roles},
        },
        Relationship.OTHER: only(route_roles, 404, refused=404, anonymous=anonymous),
    }


def page(
    roles: frozenset[PersonRole], allowed: int, route_roles: frozenset[PersonRole] = CONTRIBUTORS
) -> dict:  # type: ignore[type-arg]
    return on_plan(roles, allowed, route_roles, 303)


def api(
    roles: frozenset[PersonRole], allowed: int, route_roles: frozenset[PersonRole] = CONTRIBUTORS
) -> dict:  # type: ignore[type-arg]
    return on_plan(roles, allowed, route_roles, 401)


FAMILY = frozenset({PersonRole.PARENT_CARER})
"""The matrix's child account has no date of birth, so is not yet 16: their parents raise concerns."""
WHOLE_FAMILY = frozenset({PersonRole.PARENT_CARER, PersonRole.CHILD})
SETTING = frozenset({PersonRole.EDUCATION})
PARTIES = READERS - OTHER_AGENCIES


def council(
    roles: frozenset[PersonRole], allowed: int, route_roles: frozenset[PersonRole], anonymous: int
) -> dict:  # type: ignore[type-arg]
    """A complaint of the caller's council, or of another (absent: 404) for those the route lets in."""
    return {
        Relationship.OWN: {
            **only(route_roles, 403, refused=403, anonymous=anonymous),
            **{r.value: allowed for r in roles},
        },
        Relationship.OTHER: only(route_roles, 404, refused=403, anonymous=anonymous),
    }


CONCERN_FORM = {"about": "delivery", "words": "Matrix concern"}

ROUTES = [
    Route("GET", "/plans/{plan_id}/concerns", page(PARTIES, 200, READERS), params=_waiting),
    Route("GET", "/plans/{plan_id}/concerns/new", page(FAMILY, 200), params=_waiting),
    Route("POST", "/plans/{plan_id}/concerns", page(FAMILY, 303), params=_waiting, form=CONCERN_FORM),
    # A plan that has ended: its family is told concerns go to the council (409,
    # permissions.concerns_go_to_council), the child too; the others as on a live plan.
    Route("POST", "/plans/{plan_id}/concerns", page(WHOLE_FAMILY, 409), params=_ended, form=CONCERN_FORM),
    Route("GET", "/plans/{plan_id}/concerns/{concern_id}", page(PARTIES, 200, READERS), params=_waiting),
    Route(
        "POST",
        "/plans/{plan_id}/concerns/{concern_id}/answer",
        page(SETTING, 303),
        params=_waiting,
        form={"words": "Matrix answer"},
    ),
    Route(
        "POST",
        "/plans/{plan_id}/concerns/{concern_id}/outcome",
        page(FAMILY, 303),
        params=_answered,
        form={"outcome": "not_resolved"},
    ),
    Route(
        "POST",
        "/plans/{plan_id}/concerns/{concern_id}/complaint",
        page(FAMILY, 303),
        params=_waiting,
        form={"words": "Matrix: no answer in time"},
    ),
    Route("GET", "/la/complaints", {Relationship.NONE: only(LA, 200, refused=403, anonymous=303)}),
    Route("GET", "/la/complaints/{complaint_id}", council(LA, 200, LA, 303), params=_complaint),
    Route(
        "POST",
        "/la/complaints/{complaint_id}",
        council(CASE_OFFICERS, 303, CASE_OFFICERS, 303),
        params=_complaint,
        form={"stage": "stage_one"},
    ),
    Route(
        "GET", "/la/concern-time", {Relationship.NONE: only(CASE_OFFICERS, 200, refused=403, anonymous=303)}
    ),
    Route(
        "POST",
        "/la/concern-time",
        {Relationship.NONE: only(CASE_OFFICERS, 303, refused=403, anonymous=303)},
        form={"answer_days": "7"},
    ),
    # API
    Route("GET", "/api/v1/plans/{plan_id}/concerns", api(PARTIES, 200, READERS), params=_waiting),
    Route("POST", "/api/v1/plans/{plan_id}/concerns", api(FAMILY, 201), params=_waiting, json=CONCERN_FORM),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/concerns/{concern_id}/answer",
        api(SETTING, 200),
        params=_waiting,
        json={"words": "Matrix answer"},
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/concerns/{concern_id}/outcome",
        api(FAMILY, 200),
        params=_answered,
        json={"outcome": "not_resolved"},
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/concerns/{concern_id}/complaint",
        api(FAMILY, 201),
        params=_waiting,
        json={"words": "Matrix: no answer in time"},
    ),
    Route("GET", "/api/v1/la/complaints", {Relationship.NONE: only(LA, 200, refused=403, anonymous=401)}),
    Route(
        "POST",
        "/api/v1/la/complaints/{complaint_id}",
        council(CASE_OFFICERS, 200, CASE_OFFICERS, 401),
        params=_complaint,
        json={"stage": "stage_two"},
    ),
]
