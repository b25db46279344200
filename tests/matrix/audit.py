"""The audit trail: the LA audit officer's search, export and API, and a plan's own record.

OWN: a plan the caller is on in the part their account fits; for an LA audit officer, a plan of
their own council. OTHER: a plan of another council that the caller is not on (absent for them).
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import Session

from app.models import (
    Child,
    MemberRole,
    OrganisationKind,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanMember,
    PlanStatus,
)
from app.models.base import id_of
from tests.factories import make_organisation
from tests.matrix import SEES_NO_PLAN, Relationship, Route, only

AUDITORS = frozenset({PersonRole.LA_AUDIT_OFFICER})
READERS = frozenset(set(PersonRole) - {PersonRole.ADMINISTRATOR})
PART = {
    PersonRole.LA_CASE_OFFICER: MemberRole.LOCAL_AUTHORITY,
    PersonRole.EDUCATION: MemberRole.EDUCATION,
    PersonRole.HEALTH: MemberRole.HEALTH,
    PersonRole.SOCIAL_CARE: MemberRole.SOCIAL_CARE,
    PersonRole.PARENT_CARER: MemberRole.PARENT_CARER,
    PersonRole.CHILD: MemberRole.CHILD,
}


def _plan(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    own = relationship is Relationship.OWN and caller is not None
    if own and caller is not None and caller.role is PersonRole.LA_AUDIT_OFFICER:
        council_id = caller.organisation_id
    else:
        council_id = make_organisation(db, OrganisationKind.LOCAL_AUTHORITY).id
    assert council_id is not None
    child = Child(
        full_name="Matrix Child",
        date_of_birth=date(2016, 4, 1),
        school_year="Year 5",
        local_authority_id=council_id,
    )
    db.add(child)
    db.flush()
    plan = Plan(
        kind=PlanKind.SEN_SUPPORT,
        child_id=id_of(child),
        local_authority_id=council_id,
        status=PlanStatus.ACTIVE,
    )
    db.add(plan)
    db.flush()
    if own and caller is not None and caller.role in PART:
        db.add(PlanMember(plan_id=id_of(plan), person_id=id_of(caller), role=PART[caller.role]))
        db.flush()
    return {"plan_id": plan.id}


def _auditors(allowed: int, *, anonymous: int) -> dict[Relationship, dict[str, int]]:
    return {Relationship.NONE: only(AUDITORS, allowed, refused=403, anonymous=anonymous)}


def _plan_readers(*, anonymous: int) -> dict[Relationship, dict[str, int]]:
    return {
        Relationship.OWN: only(READERS, 200, refused=403, anonymous=anonymous) | SEES_NO_PLAN,
        Relationship.OTHER: only(READERS, 404, refused=404, anonymous=anonymous),
    }


ROUTES = [
    Route("GET", "/audit", _auditors(200, anonymous=303)),
    Route("GET", "/audit/contributions", _auditors(200, anonymous=303)),
    Route("GET", "/audit/export.csv", _auditors(200, anonymous=303)),
    Route("GET", "/audit/checkpoints", _auditors(200, anonymous=303)),
    Route("POST", "/audit/checkpoints", _auditors(200, anonymous=303)),
    # The matrix's world has published no checkpoint: there is none to download.
    Route("GET", "/audit/checkpoints/latest", _auditors(404, anonymous=303)),
    Route("GET", "/audit/checkpoints/public-key", _auditors(200, anonymous=303)),
    Route("GET", "/api/v1/audit", _auditors(200, anonymous=401)),
    Route("GET", "/plans/{plan_id}/audit", _plan_readers(anonymous=303), params=_plan),
    Route("GET", "/api/v1/plans/{plan_id}/audit", _plan_readers(anonymous=401), params=_plan),
]
