"""The Individual Support Plan: making one, moving its layer, its duty holder and review, the layer's
history in the API, removing a member (with its confirmation page), and a council's words.

OWN and OTHER as in `plan_management`: an education caller coordinates a SEN Support plan (made an ISP
for the routes of an ISP); an LA case officer an EHC plan, which is neither (409 once every permission
check has passed).
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from app.clock import uk_today
from app.models import MemberRole, OrganisationKind, Person, PersonRole, Plan, PlanKind, SupportLayer
from app.models.base import id_of
from tests.factories import make_organisation, make_person
from tests.matrix import Relationship, Route, only
from tests.matrix.plan_management import COORDINATORS, READERS, _member, _parent_member, _plan, coordinating
from tests.matrix.plans_api import on_plan

NEXT = uk_today() + timedelta(days=30)
DATE = {
    "next_review_on-day": str(NEXT.day),
    "next_review_on-month": str(NEXT.month),
    "next_review_on-year": str(NEXT.year),
}
BASE = "/api/v1/plans/{plan_id}"
WORDS_PAGE = "/admin/local-authorities/{local_authority_id}/words"


def _duty_holder(db: Session, plan: Plan) -> Person:
    """A member of the setting's staff on the plan, who may hold the duty."""
    teacher = make_person(db, PersonRole.EDUCATION, password=None)
    _member(db, plan, teacher, MemberRole.EDUCATION)
    return teacher


def _sen_support(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    plan = _plan(db, caller, relationship)
    return {"plan_id": plan.id, "duty_holder_id": _duty_holder(db, plan).id}


def _isp(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """The SEN Support plan made an ISP at Targeted (an LA case officer's EHC plan stays as it is)."""
    plan = _plan(db, caller, relationship)
    teacher = _duty_holder(db, plan)
    if plan.kind is PlanKind.SEN_SUPPORT:
        plan.kind, plan.support_layer, plan.duty_holder_id = PlanKind.ISP, SupportLayer.TARGETED, teacher.id
        db.add(plan)
        db.flush()
    return {"plan_id": plan.id, "duty_holder_id": teacher.id}


def _council(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    return {"local_authority_id": id_of(make_organisation(db, OrganisationKind.LOCAL_AUTHORITY))}


def on_setting_plan(allowed: int) -> dict[Relationship, dict[str, int]]:
    """The coordinator of a setting's plan; the LA case officer's EHC plan is the wrong kind (409)."""
    expected = coordinating(allowed)
    expected[Relationship.OWN] = expected[Relationship.OWN] | {PersonRole.LA_CASE_OFFICER.value: 409}
    return expected


CONVERT = {"layer": "targeted", "reason": "Needs met in class", **DATE}
LAYER = {"layer": "targeted_plus", "reason": "Speech therapy weekly"}
WORDS = {"plan_name": "Support Passport", "targeted": "Green", "targeted_plus": "Amber", "specialist": "Red"}
ADMIN = frozenset({PersonRole.ADMINISTRATOR})

ROUTES = [
    Route("GET", "/plans/{plan_id}/support-plan", on_setting_plan(200), params=_sen_support),
    # No duty holder chosen: the form again with its error, once every permission check has passed.
    Route("POST", "/plans/{plan_id}/support-plan", on_setting_plan(200), params=_sen_support, form=CONVERT),
    Route("GET", "/plans/{plan_id}/layer", on_setting_plan(200), params=_isp),
    Route("POST", "/plans/{plan_id}/layer", on_setting_plan(303), params=_isp, form=LAYER),
    Route("GET", "/plans/{plan_id}/support-plan/details", on_setting_plan(200), params=_isp),
    Route("POST", "/plans/{plan_id}/support-plan/details", on_setting_plan(200), params=_isp, form=DATE),
    Route("GET", "/plans/{plan_id}/members/{member_id}/remove", coordinating(200), params=_parent_member),
    Route(
        "GET",
        f"{WORDS_PAGE}",
        {Relationship.NONE: only(ADMIN, 200, refused=403, anonymous=303)},
        params=_council,
    ),
    Route(
        "POST",
        f"{WORDS_PAGE}",
        {Relationship.NONE: only(ADMIN, 303, refused=403, anonymous=303)},
        params=_council,
        form=WORDS,
    ),
    # No duty holder in the body: 422 once the caller is known to coordinate a plan they may see.
    Route("POST", f"{BASE}/support-plan", on_plan(COORDINATORS, 422), params=_sen_support, json=LAYER),
    Route("POST", f"{BASE}/layers", on_plan(COORDINATORS, 201, la_case_officer=409), params=_isp, json=LAYER),
    Route("GET", f"{BASE}/layers", on_plan(READERS, 200), params=_isp),
    Route(
        "POST",
        f"{BASE}/support-plan/details",
        on_plan(COORDINATORS, 422),
        params=_isp,
        json={"next_review_on": NEXT.isoformat()},
    ),
]
