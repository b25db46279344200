"""The lists of many plans: a school's children with plans and its evidence pack (its SENCo), the council's
list of every child and plan (its case and audit officers).

OWN: the caller's own school, where the caller is its designated SENCo. OTHER: another school, with its
own SENCo: absent (404) for education staff; other roles are refused by their role (403), whichever school
it is. The council's list is about no one's plan in particular.
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
from tests.factories import make_organisation, make_person
from tests.matrix import Relationship, Route, only
from tests.plan_factories import designate_senco

LA_OFFICERS = frozenset({PersonRole.LA_CASE_OFFICER, PersonRole.LA_AUDIT_OFFICER})
SENCOS = frozenset({PersonRole.EDUCATION})


def _coordinated_plan(db: Session, school_id: int, council_id: int, senco: Person) -> None:
    child = Child(
        full_name="Matrix Child",
        date_of_birth=date(2016, 1, 1),
        school_year="Year 5",
        local_authority_id=council_id,
    )
    db.add(child)
    db.flush()
    plan = Plan(
        kind=PlanKind.SEN_SUPPORT,
        child_id=id_of(child),
        local_authority_id=council_id,
        setting_id=school_id,
        status=PlanStatus.ACTIVE,
    )
    db.add(plan)
    db.flush()
    db.add(
        PlanMember(
            plan_id=id_of(plan), person_id=id_of(senco), role=MemberRole.EDUCATION, is_coordinator=True
        )
    )
    db.flush()


def _setting(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    council = make_organisation(db, OrganisationKind.LOCAL_AUTHORITY)
    own = caller is not None and caller.role is PersonRole.EDUCATION and relationship is Relationship.OWN
    if own and caller is not None and caller.organisation_id is not None:
        _coordinated_plan(db, caller.organisation_id, id_of(council), designate_senco(db, caller))
        return {"setting_id": caller.organisation_id}
    school = make_organisation(db, OrganisationKind.SCHOOL, council)
    senco = designate_senco(db, make_person(db, PersonRole.EDUCATION, organisation=school, password=None))
    _coordinated_plan(db, id_of(school), id_of(council), senco)
    return {"setting_id": school.id}


def _senco_only(relationship: Relationship) -> dict[str, int]:
    return only(SENCOS, 200 if relationship is Relationship.OWN else 404, refused=403, anonymous=303)


SETTING = {relationship: _senco_only(relationship) for relationship in (Relationship.OWN, Relationship.OTHER)}

ROUTES = [
    Route("GET", "/settings/{setting_id}/plans", SETTING, params=_setting),
    Route("GET", "/settings/{setting_id}/plans.csv", SETTING, params=_setting),
    Route("GET", "/settings/{setting_id}/evidence", SETTING, params=_setting),
    Route("GET", "/settings/{setting_id}/evidence.csv", SETTING, params=_setting),
    Route("GET", "/la/plans", {Relationship.NONE: only(LA_OFFICERS, 200, refused=403, anonymous=303)}),
    Route("GET", "/api/v1/la/plans", {Relationship.NONE: only(LA_OFFICERS, 200, refused=403, anonymous=401)}),
]
