"""Statutory timelines: the timeline page and its forms, assessment requests, advice, dashboards, and the API.

OWN: the caller is on the plan in the part their account fits (plan_management's `_plan`: the SENCo
coordinates a SEN Support plan, the LA case officer an EHC plan); an LA audit officer's OWN plan is
one of their council's. OTHER: a plan of another council that the caller is not on (absent: 404).
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import Session

from app.clock import uk_today
from app.models import Organisation, OrganisationKind, Person, PersonRole, Plan
from app.models.base import id_of
from app.models.timeline import (
    AdviceAttachment,
    AdviceRequest,
    AdviceTopic,
    AssessmentRequest,
    RequesterKind,
    StatutoryStep,
    StepKind,
)
from tests.factories import make_organisation, make_person
from tests.matrix import ANONYMOUS, SEES_NO_PLAN, Relationship, Route, only
from tests.matrix.plan_management import COORDINATORS, READERS, _plan, coordinating, reading

CONTRIBUTORS = frozenset(set(PersonRole) - {PersonRole.ADMINISTRATOR, PersonRole.LA_AUDIT_OFFICER})
LA_OFFICERS = frozenset({PersonRole.LA_CASE_OFFICER, PersonRole.LA_AUDIT_OFFICER})


def _figure_params(_db: Session, _caller: Person | None, _relationship: Relationship) -> Mapping[str, Any]:
    return {"figure": "issued"}


def _plan_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    return {"plan_id": _plan(db, caller, relationship).id}


def _request_on(db: Session, plan: Plan, *, council_id: int | None = None) -> AssessmentRequest:
    asker = make_person(db, PersonRole.PARENT_CARER, password=None)
    request = AssessmentRequest(
        plan_id=id_of(plan),
        child_id=plan.child_id,
        local_authority_id=council_id or plan.local_authority_id,
        requested_by_id=id_of(asker),
        requester_kind=RequesterKind.PARENT_CARER,
        requested_on=uk_today(),
    )
    db.add(request)
    db.flush()
    return request


def _step_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """A review meeting step (the plan's coordinator records it) on the caller's plan."""
    plan = _plan(db, caller, relationship)
    step = StatutoryStep(plan_id=id_of(plan), kind=StepKind.PHASE_TRANSFER, due_on=date(2030, 2, 15))
    db.add(step)
    db.flush()
    return {"plan_id": plan.id, "step_id": step.id}


def _take_on_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """A new request of the caller's own council (OWN) or of another council (OTHER)."""
    plan = _plan(db, None, Relationship.OTHER)
    council: Organisation | None = None
    if relationship is Relationship.OWN and caller is not None and caller.organisation_id is not None:
        council = db.get(Organisation, caller.organisation_id)
    council = council if council and council.kind is OrganisationKind.LOCAL_AUTHORITY else None
    council = council or make_organisation(db, OrganisationKind.LOCAL_AUTHORITY)
    return {"request_id": _request_on(db, plan, council_id=id_of(council)).id}


DONE = {"done_on-day": "", "done_on-month": "", "done_on-year": ""}
RETURNED_EMPTY: dict[str, str] = {}


def _advice_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:

    plan = _plan(db, caller, relationship)
    team = make_organisation(db, OrganisationKind.HEALTH)
    sender = make_person(db, PersonRole.LA_CASE_OFFICER, password=None)
    advice = AdviceRequest(
        plan_id=id_of(plan),
        topic=AdviceTopic.HEALTH,
        organisation_id=id_of(team),
        sent_on=date(2026, 1, 5),
        due_on=date(2026, 2, 16),
        sent_by_id=id_of(sender),
    )
    db.add(advice)
    db.flush()
    return {"plan_id": plan.id, "advice_id": advice.id}


def _asked_of_caller(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """Advice asked of the caller's own organisation (a new one for a caller with none)."""
    params = _advice_params(db, caller, relationship)
    if caller is not None and caller.organisation_id is not None:
        advice = db.get(AdviceRequest, params["advice_id"])
        assert advice is not None
        advice.organisation_id = caller.organisation_id
        db.add(advice)
        db.flush()
    return params


def _attachment_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """A file returned with advice on the caller's plan (its file never written)."""
    params = _advice_params(db, caller, relationship)
    uploader = make_person(db, PersonRole.HEALTH, password=None)
    attachment = AdviceAttachment(
        plan_id=params["plan_id"],
        advice_request_id=params["advice_id"],
        file_name="matrixmatrixmatrixmatrix.pdf",
        shown_name="report.pdf",
        media_type="application/pdf",
        byte_size=10,
        uploaded_by=id_of(uploader),
    )
    db.add(attachment)
    db.flush()
    return {"plan_id": params["plan_id"], "attachment_id": attachment.id}


def contributing(allowed: int) -> dict[Relationship, dict[str, int]]:
    """Contributors on the plan get `allowed`; its auditor 403; administrators 404 (they see no plan)."""
    return {
        Relationship.OWN: only(CONTRIBUTORS, allowed, refused=403, anonymous=303) | SEES_NO_PLAN,
        Relationship.OTHER: only(CONTRIBUTORS, 404, refused=404, anonymous=303),
    }


def _api(expect: dict[Relationship, dict[str, int]]) -> dict[Relationship, dict[str, int]]:
    """The same answers through the API, where a visitor gets 401 instead of the sign-in redirect."""
    return {relationship: {**answers, ANONYMOUS: 401} for relationship, answers in expect.items()}


# Asking for an assessment: a parent, a young person from 16, or the school; a SEN Support plan only
# (so the LA case officer's own EHC plan answers 409, and others on the plan a 403 of their part).
REQUEST_ANSWERS = {
    Relationship.OWN: {
        **only(CONTRIBUTORS, 403, refused=403, anonymous=303),
        **SEES_NO_PLAN,
        PersonRole.PARENT_CARER.value: 303,
        PersonRole.EDUCATION.value: 303,
    },
    Relationship.OTHER: only(CONTRIBUTORS, 404, refused=404, anonymous=303),
}
TAKE_ON_ANSWERS = {
    Relationship.OWN: {
        **only(COORDINATORS, 404, refused=403, anonymous=303),
        PersonRole.LA_CASE_OFFICER.value: 303,
    },
    Relationship.OTHER: only(COORDINATORS, 404, refused=403, anonymous=303),
}
# Recording advice returned: the form again with its error for anyone who may, else refused.
RETURNED_ANSWERS = {
    Relationship.OWN: {
        **only(CONTRIBUTORS, 403, refused=403, anonymous=303),
        **SEES_NO_PLAN,
        PersonRole.LA_CASE_OFFICER.value: 200,
    },
    Relationship.OTHER: only(CONTRIBUTORS, 404, refused=404, anonymous=303),
}
# Advice asked of the caller's own team: anyone of it on the plan records that it came back (the form
# again, with its error); the auditor and the family are refused (permissions.may_record_return).
RETURNED_BY_TEAM = {
    **RETURNED_ANSWERS,
    Relationship.OWN: {
        **RETURNED_ANSWERS[Relationship.OWN],
        **{role.value: 200 for role in (PersonRole.EDUCATION, PersonRole.HEALTH, PersonRole.SOCIAL_CARE)},
    },
}
RETURNED_ANSWERS_API = {
    **RETURNED_ANSWERS,
    Relationship.OWN: {**RETURNED_ANSWERS[Relationship.OWN], PersonRole.LA_CASE_OFFICER.value: 422},
}
# Making the draft plan: the council's case officer only (the SENCo coordinating a SEN Support plan may not).
DRAFT_ANSWERS = {
    **coordinating(200),
    Relationship.OWN: {**coordinating(200)[Relationship.OWN], PersonRole.EDUCATION.value: 403},
}
# A phase transfer on a SEN Support plan: the SENCo is refused by the plan's kind (409).
PHASE_ANSWERS = {
    Relationship.OWN: {
        **only(COORDINATORS, 303, refused=403, anonymous=303),
        **SEES_NO_PLAN,
        PersonRole.EDUCATION.value: 409,
    },
    Relationship.OTHER: only(COORDINATORS, 404, refused=404, anonymous=303),
}
REVIEW_ANSWERS = {
    Relationship.OWN: {**only(COORDINATORS, 409, refused=403, anonymous=303), **SEES_NO_PLAN},
    Relationship.OTHER: only(COORDINATORS, 404, refused=404, anonymous=303),
}
MEETING = {"meeting_on-day": "1", "meeting_on-month": "1", "meeting_on-year": "2099"}
ADVICE_FORM = {"topic": ""}
# Only the council's case officer asks for advice (the SENCo coordinating a SEN Support plan may not).
ADVICE_ANSWERS = {
    **coordinating(200),
    Relationship.OWN: {**coordinating(200)[Relationship.OWN], PersonRole.EDUCATION.value: 403},
}
STEP_DONE_ANSWERS = coordinating(200)
LA_PAGE = {Relationship.NONE: only(LA_OFFICERS, 200, refused=403, anonymous=303)}
DASHBOARD = {Relationship.NONE: only(READERS, 200, refused=403, anonymous=303)}

ROUTES = [
    Route("GET", "/plans/{plan_id}/timeline", reading(200), params=_plan_params),
    Route("GET", "/plans/{plan_id}/assessment-request", contributing(200), params=_plan_params),
    Route("POST", "/plans/{plan_id}/assessment-request", REQUEST_ANSWERS, params=_plan_params),
    Route("GET", "/plans/{plan_id}/timeline/steps/{step_id}", reading(200), params=_step_params),
    Route(
        "POST",
        "/plans/{plan_id}/timeline/steps/{step_id}/done",
        STEP_DONE_ANSWERS,
        params=_step_params,
        form=DONE,
    ),
    Route(
        "POST",
        "/plans/{plan_id}/timeline/steps/{step_id}/exception",
        STEP_DONE_ANSWERS,
        params=_step_params,
        form={"exception": ""},
    ),
    Route("GET", "/plans/{plan_id}/advice-requests/new", coordinating(200), params=_plan_params),
    Route("POST", "/plans/{plan_id}/advice-requests", ADVICE_ANSWERS, params=_plan_params, form=ADVICE_FORM),
    Route("GET", "/plans/{plan_id}/advice-requests/{advice_id}", reading(200), params=_advice_params),
    # Returning advice with nothing written: the page again with its error, for the case officer.
    Route(
        "POST",
        "/plans/{plan_id}/advice-requests/{advice_id}/advice",
        RETURNED_ANSWERS,
        params=_advice_params,
        form=RETURNED_EMPTY,
    ),
    Route(
        "POST",
        "/plans/{plan_id}/advice-requests/{advice_id}/advice",
        RETURNED_BY_TEAM,
        params=_asked_of_caller,
        form=RETURNED_EMPTY,
    ),
    # The file was never written: readers get as far as the file (404); see test_assessment_to_plan.
    Route("GET", "/plans/{plan_id}/advice-files/{attachment_id}", reading(404), params=_attachment_params),
    # No assessment on the case officer's own plan: the timeline again, the refusal beside the button.
    Route("POST", "/plans/{plan_id}/draft-plan", DRAFT_ANSWERS, params=_plan_params),
    Route("POST", "/plans/{plan_id}/review-meetings", REVIEW_ANSWERS, params=_plan_params, form=MEETING),
    Route(
        "POST",
        "/plans/{plan_id}/phase-transfers",
        PHASE_ANSWERS,
        params=_plan_params,
        form={"transfer_year": "2030"},
    ),
    Route("GET", "/dashboard", DASHBOARD),
    Route("GET", "/la/dashboard", LA_PAGE),
    Route("GET", "/la/dashboard/plans/{figure}", LA_PAGE, params=_figure_params),
    Route("POST", "/la/assessment-requests/{request_id}/take-on", TAKE_ON_ANSWERS, params=_take_on_params),
    # The API
    Route("GET", "/api/v1/plans/{plan_id}/timeline", _api(reading(200)), params=_plan_params),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/assessment-requests",
        _api(
            {
                **REQUEST_ANSWERS,
                Relationship.OWN: {
                    **REQUEST_ANSWERS[Relationship.OWN],
                    "parent_carer": 201,
                    "education": 201,
                },
            }
        ),
        params=_plan_params,
        json={},
    ),
    Route(
        "POST",
        "/api/v1/la/assessment-requests/{request_id}/take-on",
        _api(
            {
                **TAKE_ON_ANSWERS,
                Relationship.OWN: {**TAKE_ON_ANSWERS[Relationship.OWN], "la_case_officer": 200},
            }
        ),
        params=_take_on_params,
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/steps/{step_id}/done",
        _api(coordinating(200)),
        params=_step_params,
        json={"done_on": "2026-01-05"},
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/steps/{step_id}/exception",
        _api(coordinating(422)),
        params=_step_params,
        json={"exception": "family_away", "reason": "Away abroad for six weeks"},
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/advice-requests",
        _api(
            {
                **coordinating(403),
                Relationship.OWN: {**coordinating(403)[Relationship.OWN], "la_case_officer": 422},
            }
        ),
        params=_plan_params,
        json={"topic": "health", "organisation_id": 2147483647, "sent_on": "2026-01-05"},
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/advice-requests/{advice_id}/returned",
        _api(
            {
                **RETURNED_ANSWERS,
                Relationship.OWN: {**RETURNED_ANSWERS[Relationship.OWN], "la_case_officer": 422},
            }
        ),
        params=_advice_params,
        json={"returned_on": "2026-02-01"},
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/advice-requests/{advice_id}/advice",
        _api(RETURNED_ANSWERS_API),
        params=_advice_params,
        json={"text": ""},
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/draft-plan",
        _api(
            {**DRAFT_ANSWERS, Relationship.OWN: {**DRAFT_ANSWERS[Relationship.OWN], "la_case_officer": 409}}
        ),
        params=_plan_params,
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/review-meetings",
        _api(REVIEW_ANSWERS),
        params=_plan_params,
        json={"meeting_on": "2099-01-01"},
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/phase-transfers",
        _api(
            {**PHASE_ANSWERS, Relationship.OWN: {**PHASE_ANSWERS[Relationship.OWN], "la_case_officer": 201}}
        ),
        params=_plan_params,
        json={"transfer_year": 2030},
    ),
    Route("GET", "/api/v1/dashboard", _api(DASHBOARD)),
    Route("GET", "/api/v1/la/dashboard", _api(LA_PAGE)),
]
