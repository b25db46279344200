"""Who is a school's SENCo, and starting an Individual Support Plan directly (a SENCo's).

Designating: the council's administrator designates anyone of a school's education staff; a school's own
SENCo designates a colleague (or ends a colleague's designation). OWN: the caller's own school, where an
education caller is its designated SENCo. OTHER: another school, with its own SENCo: absent (404) for
education staff. The administrator manages every school's SENCos; other roles are refused by their role.

Starting an ISP: OWN, an education caller is their school's designated SENCo; OTHER, they are not (a
class teacher): the page does not offer an ISP (the form again, 200), the API refuses (403). An LA case
officer starts EHC plans only.
"""

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from app.models import Organisation, OrganisationKind, Person, PersonRole
from tests.factories import make_organisation, make_person
from tests.matrix import Relationship, Route, only
from tests.plan_factories import designate_senco

MANAGERS = frozenset({PersonRole.ADMINISTRATOR, PersonRole.EDUCATION})


def _school_and_colleague(
    db: Session, caller: Person | None, relationship: Relationship, *, designated: bool
) -> Mapping[str, Any]:
    if caller is not None and caller.role is PersonRole.EDUCATION and relationship is Relationship.OWN:
        school_id = designate_senco(db, caller).organisation_id
    else:
        school = make_organisation(db, OrganisationKind.SCHOOL)
        designate_senco(db, make_person(db, PersonRole.EDUCATION, organisation=school, password=None))
        school_id = school.id
    colleague = make_person(db, PersonRole.EDUCATION, password=None)
    colleague.organisation_id = school_id
    db.add(colleague)
    db.flush()
    if designated:
        designate_senco(db, colleague)
    return {"setting_id": school_id, "person_id": colleague.id}


def _colleague(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    return _school_and_colleague(db, caller, relationship, designated=False)


def _senco_colleague(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    return _school_and_colleague(db, caller, relationship, designated=True)


def _expect(allowed: int, anonymous: int = 303) -> dict[Relationship, dict[str, int]]:
    own = only(MANAGERS, allowed, refused=403, anonymous=anonymous)
    return {Relationship.OWN: own, Relationship.OTHER: own | {PersonRole.EDUCATION.value: 404}}


API = "/api/v1/settings/{setting_id}/sencos"
ROUTES = [
    Route("GET", "/settings/{setting_id}/sencos", _expect(200), params=_colleague),
    Route("POST", "/settings/{setting_id}/sencos/{person_id}", _expect(303), params=_colleague),
    Route("POST", "/settings/{setting_id}/sencos/{person_id}/end", _expect(303), params=_senco_colleague),
    Route("GET", API, _expect(200, anonymous=401), params=_colleague),
    Route("PUT", API + "/{person_id}", _expect(200, anonymous=401), params=_colleague),
    Route("DELETE", API + "/{person_id}", _expect(204, anonymous=401), params=_senco_colleague),
]


def _senco_or_teacher(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    if caller is not None and caller.role is PersonRole.EDUCATION:
        school = db.get(Organisation, caller.organisation_id)
        if school is not None:  # a school of a council, as every school is
            school.local_authority_id = make_organisation(db, OrganisationKind.LOCAL_AUTHORITY).id
            db.add(school)
            db.flush()
        if relationship is Relationship.OWN:
            designate_senco(db, caller)
    return {}


ISP_FORM = {
    "kind": "isp",
    "child_full_name": "Matrix Child",
    "child_date_of_birth-day": "1",
    "child_date_of_birth-month": "1",
    "child_date_of_birth-year": "2016",
    "child_school_year": "Year 5",
    "layer": "targeted",
    "next_review_on-day": "1",
    "next_review_on-month": "1",
    "next_review_on-year": "2030",
}
ISP_JSON = {
    "kind": "isp",
    "child_full_name": "Matrix Child",
    "child_date_of_birth": "2016-01-01",
    "child_school_year": "Year 5",
    "layer": "targeted",
    "next_review_on": "2030-01-01",
}
STARTERS = frozenset({PersonRole.EDUCATION, PersonRole.LA_CASE_OFFICER})


def _starting_isp(
    senco: int, teacher: int, officer: int, anonymous: int
) -> dict[Relationship, dict[str, int]]:
    def row(education: int) -> dict[str, int]:
        return only(STARTERS, education, refused=403, anonymous=anonymous) | {
            PersonRole.LA_CASE_OFFICER.value: officer
        }

    return {Relationship.OWN: row(senco), Relationship.OTHER: row(teacher)}


ROUTES += [
    Route("POST", "/plans/new", _starting_isp(303, 200, 200, 303), params=_senco_or_teacher, form=ISP_FORM),
    Route(
        "POST", "/api/v1/plans", _starting_isp(201, 403, 403, 401), params=_senco_or_teacher, json=ISP_JSON
    ),
]
