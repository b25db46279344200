"""Experts at Hand: who asks a service (the setting's staff on the plan), who replies (the service's own
people, for requests to their service), and the council's figures (its case and audit officers).

OWN for a request: the caller works for the service asked (a service of the caller's own organisation);
OTHER: a request to a service the caller is not part of (absent for them, 404).
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from app.clock import uk_today
from app.models import (
    ExpertRequest,
    ExpertService,
    InclusionBase,
    OrganisationKind,
    Person,
    PersonRole,
    RequestKind,
    Specialism,
)
from app.models.base import id_of
from app.permissions import SERVICE_STAFF_ROLES
from tests.factories import make_organisation, make_person
from tests.matrix import Relationship, Route, only
from tests.matrix.delivery import CONTRIBUTORS, LA, READERS, api, page
from tests.matrix.plan_management import _plan, _plan_params, reading

SETTING_STAFF = frozenset({PersonRole.EDUCATION})
ASK_FORM = {"kind": "advice", "question": "Matrix question"}
"""No service chosen: the form again with its error, for those who may ask (the write: a scenario)."""
REPLY = {"reply_kind": "advice", "text": "Matrix advice"}


def _request(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    plan = _plan(db, None, Relationship.OTHER)
    serves = (
        relationship is Relationship.OWN
        and caller is not None
        and caller.role in SERVICE_STAFF_ROLES
        and caller.organisation_id is not None
    )
    organisation_id = (
        caller.organisation_id
        if serves and caller is not None
        else id_of(make_organisation(db, OrganisationKind.HEALTH))
    )
    service = ExpertService(
        organisation_id=organisation_id or 0, specialism=Specialism.SPEECH_AND_LANGUAGE_THERAPY
    )
    db.add(service)
    db.flush()
    asker = make_person(db, PersonRole.EDUCATION, password=None)
    request = ExpertRequest(
        plan_id=id_of(plan),
        service_id=id_of(service),
        kind=RequestKind.ADVICE,
        question="Matrix question",
        due_on=uk_today() + timedelta(days=14),
        asked_by_id=id_of(asker),
    )
    db.add(request)
    db.flush()
    return {"request_id": request.id}


def answering(allowed: int, anonymous: int) -> dict[Relationship, dict[str, int]]:
    """The service's people: allowed on a request to their service; absent (404) to everyone else who may
    contribute; refused by role (403) for administrators and audit officers, who write nothing."""
    refused_by_role = {PersonRole.ADMINISTRATOR.value: 403, PersonRole.LA_AUDIT_OFFICER.value: 403}
    return {
        Relationship.OWN: only(SERVICE_STAFF_ROLES, allowed, refused=404, anonymous=anonymous)
        | refused_by_role,
        Relationship.OTHER: only(CONTRIBUTORS, 404, refused=404, anonymous=anonymous) | refused_by_role,
    }


def _base(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """A base of the caller's own school (OWN, for a school's staff), else of another school."""
    own = relationship is Relationship.OWN and caller is not None and caller.role is PersonRole.EDUCATION
    school_id = caller.organisation_id if own and caller is not None else None
    school_id = school_id or id_of(make_organisation(db, OrganisationKind.SCHOOL))
    founder = make_person(db, PersonRole.EDUCATION, password=None)
    base = InclusionBase(setting_id=school_id, name="Matrix base", created_by_id=id_of(founder))
    db.add(base)
    db.flush()
    return {"base_id": base.id}


def _plan_at_school(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """A plan whose setting is the caller's school (for a school's staff), with a base there."""
    plan = _plan(db, caller, relationship)
    if caller is not None and caller.role is PersonRole.EDUCATION and caller.organisation_id is not None:
        plan.setting_id = caller.organisation_id
        db.add(plan)
        db.add(
            InclusionBase(setting_id=caller.organisation_id, name="Matrix base", created_by_id=id_of(caller))
        )
        db.flush()
    return {"plan_id": plan.id}


def school_staff(allowed: int, anonymous: int) -> dict[Relationship, dict[str, int]]:
    """A school's own staff on its own base; absent (404) to every other contributor; refused by role (403)
    for administrators and audit officers."""
    refused_by_role = {PersonRole.ADMINISTRATOR.value: 403, PersonRole.LA_AUDIT_OFFICER.value: 403}
    return {
        Relationship.OWN: only(SETTING_STAFF, allowed, refused=404, anonymous=anonymous) | refused_by_role,
        Relationship.OTHER: only(CONTRIBUTORS, 404, refused=404, anonymous=anonymous) | refused_by_role,
    }


ROUTES = [
    Route("GET", "/plans/{plan_id}/experts", reading(200), params=_plan_params),
    Route("GET", "/plans/{plan_id}/experts/new", page(SETTING_STAFF, 200), params=_plan_params),
    Route("POST", "/plans/{plan_id}/experts", page(SETTING_STAFF, 200), params=_plan_params, form=ASK_FORM),
    Route("GET", "/experts/requests/{request_id}", answering(200, 303), params=_request),
    Route("POST", "/experts/requests/{request_id}", answering(303, 303), params=_request, form=REPLY),
    Route("GET", "/la/experts", {Relationship.NONE: only(LA, 200, refused=403, anonymous=303)}),
    Route(
        "GET",
        "/api/v1/plans/{plan_id}/expert-requests",
        api(READERS, 200, READERS),
        params=_plan_params,
    ),
    # No such service: 422 for those who may ask (the write itself: a scenario).
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/expert-requests",
        api(SETTING_STAFF, 422),
        params=_plan_params,
        json={"service_id": 2_000_000, "kind": "advice", "question": "Matrix", "due_on": "2999-01-01"},
    ),
    Route(
        "GET",
        "/api/v1/expert-requests",
        {Relationship.NONE: only(CONTRIBUTORS, 200, refused=403, anonymous=401)},
    ),
    Route(
        "POST", "/api/v1/expert-requests/{request_id}/reply", answering(201, 401), params=_request, json=REPLY
    ),
    Route(
        "GET", "/api/v1/la/expert-requests", {Relationship.NONE: only(LA, 200, refused=403, anonymous=401)}
    ),
    Route(
        "GET", "/inclusion-bases", {Relationship.NONE: only(SETTING_STAFF, 200, refused=403, anonymous=303)}
    ),
    Route(
        "POST",
        "/inclusion-bases",
        {Relationship.NONE: only(SETTING_STAFF, 303, refused=403, anonymous=303)},
        form={"name": "The Matrix Room"},
    ),
    Route("GET", "/inclusion-bases/{base_id}", school_staff(200, 303), params=_base),
    Route("GET", "/api/v1/inclusion-bases/{base_id}/places", school_staff(200, 401), params=_base),
    Route("GET", "/plans/{plan_id}/inclusion-place", page(SETTING_STAFF, 200), params=_plan_at_school),
    # No base chosen: the form again with its error, for the school's staff (the write: a scenario).
    Route(
        "POST",
        "/plans/{plan_id}/inclusion-place",
        page(SETTING_STAFF, 200),
        params=_plan_at_school,
        form={"minutes_a_week": "300", "text": "Matrix place"},
    ),
]
