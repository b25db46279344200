"""Who is a school's SENCo: the council's administrator designates anyone of a school's education staff;
a school's own SENCo designates a colleague (or ends a colleague's designation).

OWN: the caller's own school, where an education caller is its designated SENCo. OTHER: another school,
with its own SENCo: absent (404) for education staff. The administrator manages every school's SENCos;
other roles are refused by their role (403).
"""

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from app.models import OrganisationKind, Person, PersonRole
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


def _expect(allowed: int) -> dict[Relationship, dict[str, int]]:
    other = only(MANAGERS, allowed, refused=403, anonymous=303) | {PersonRole.EDUCATION.value: 404}
    return {Relationship.OWN: only(MANAGERS, allowed, refused=403, anonymous=303), Relationship.OTHER: other}


ROUTES = [
    Route("GET", "/settings/{setting_id}/sencos", _expect(200), params=_colleague),
    Route("POST", "/settings/{setting_id}/sencos/{person_id}", _expect(303), params=_colleague),
    Route("POST", "/settings/{setting_id}/sencos/{person_id}/end", _expect(303), params=_senco_colleague),
]
