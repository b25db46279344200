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
]
