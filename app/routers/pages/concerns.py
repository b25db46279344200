"""Concerns raised with the setting from the plan, their answers and complaints; the council's complaints
and its time for settings to answer."""

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.clock import uk_today
from app.dependencies import ActorDep, CurrentPerson, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.forms.concerns import (
    AnswerDaysForm,
    AnswerForm,
    ComplaintForm,
    ConcernForm,
    HandlingForm,
    OutcomeForm,
)
from app.models import COMPLAINT_STAGE_LABELS, CONCERN_ABOUT_LABELS, Child, ConcernAbout, PlanConcern
from app.permissions import (
    PLAN_SECTIONS,
    Permission,
    PlanAccess,
    may_answer_concern,
    may_handle_complaints_of,
    may_raise_concern,
)
from app.rendering import render
from app.routers.pages.inputs import FormValues
from app.services.concerns import complaints, concerns
from app.services.plans.items import ContentProblem
from app.services.plans.plans import SECTION_TITLES, people_by_id
from app.urls import Page, see_other

router = APIRouter()

PLAN = "/plans/{plan_id}/concerns"


def _plan(db: Session, access: PlanAccess) -> dict[str, Any]:
    return {"plan": access.plan, "child": db.get(Child, access.plan.child_id)}


def _sections(access: PlanAccess) -> list[tuple[str, str]]:
    titles = SECTION_TITLES[access.plan.kind]
    return [
        (section.value, title)
        for section, title in titles.items()
        if section in PLAN_SECTIONS[access.plan.kind]
    ]


@router.get(PLAN, dependencies=[requires(Permission.READ_PLANS)])
def concerns_page(request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan) -> Response:
    found = concerns.read_concerns(db, actor, access)
    context = {**_plan(db, access), "concerns": found, "may_raise": may_raise_concern(access)}
    return render(request, "pages/concerns/concerns.html", context)


def _new_form(
    request: Request, db: Session, access: PlanAccess, errors: dict[str, str], values: dict[str, str]
) -> Response:
    concerns.check_may_raise(access)
    abouts = [
        (about.value, CONCERN_ABOUT_LABELS[about]) for about in (ConcernAbout.DELIVERY, ConcernAbout.SECTION)
    ]
    context = {
        **_plan(db, access),
        "abouts": abouts,
        "sections": _sections(access),
        "errors": errors,
        "values": values,
    }
    return render(request, "pages/concerns/new.html", context)


@router.get(PLAN + "/new", dependencies=[requires(Permission.CONTRIBUTE)])
def new_concern_page(request: Request, db: SessionDep, access: CurrentPlan) -> Response:
    return _new_form(request, db, access, {}, {})


@router.post(PLAN, name="raise_concern_form", dependencies=[requires(Permission.CONTRIBUTE)])
def raise_concern(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    access: CurrentPlan,
    form: FormValues,
) -> Response:
    concerns.check_may_raise(access)
    typed, errors = ConcernForm.read(form)
    if typed is not None:
        try:
            concern = concerns.raise_concern(
                db, settings, actor, access, concerns.NewConcern(**typed.model_dump())
            )
        except ContentProblem as problem:
            errors = ConcernForm.problem_errors(problem)
        else:
            return see_other(request, Page.CONCERN, plan_id=access.plan.id, concern_id=concern.id)
    return _new_form(request, db, access, errors, ConcernForm.shown(form))


def _concern_page(
    request: Request,
    db: Session,
    access: PlanAccess,
    concern: PlanConcern,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    complaint = concerns.complaint_of(db, concern)
    wanted = {concern.raised_by_id, concern.answered_by_id}
    if complaint is not None:
        wanted |= {complaint.handler_id, complaint.answered_by_id}
    today = uk_today()
    family = may_raise_concern(access)
    context = {
        **_plan(db, access),
        "concern": concern,
        "complaint": complaint,
        "people": people_by_id(db, wanted),
        "titles": SECTION_TITLES[access.plan.kind],
        "may_answer": may_answer_concern(access) and concern.answer is None and concern.escalated_on is None,
        "may_say_outcome": family and concern.answer is not None and concern.escalated_on is None,
        "is_family": family,
        "why_not_complaint": concerns.why_not_escalate(concern, today),
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "pages/concerns/concern.html", context)


@router.get(PLAN + "/{concern_id}", dependencies=[requires(Permission.READ_PLANS)])
def concern_page(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, concern_id: RowId
) -> Response:
    return _concern_page(request, db, access, concerns.read_concern(db, actor, access, concern_id))


@router.post(
    PLAN + "/{concern_id}/answer", name="answer_concern_form", dependencies=[requires(Permission.CONTRIBUTE)]
)
def answer_concern(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    access: CurrentPlan,
    concern_id: RowId,
    form: FormValues,
) -> Response:
    concern = concerns.concern_of(db, access, concern_id)
    typed, errors = AnswerForm.read(form)
    if typed is not None:
        try:
            concerns.answer(db, settings, actor, access, concern, concerns.Words(words=typed.words))
        except ContentProblem as problem:
            errors = AnswerForm.problem_errors(problem)
        else:
            return see_other(request, Page.CONCERN, plan_id=access.plan.id, concern_id=concern_id)
    return _concern_page(request, db, access, concern, errors, AnswerForm.shown(form))


@router.post(
    PLAN + "/{concern_id}/outcome",
    name="concern_outcome_form",
    dependencies=[requires(Permission.CONTRIBUTE)],
)
def say_outcome(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: CurrentPlan,
    concern_id: RowId,
    form: FormValues,
) -> Response:
    concern = concerns.concern_of(db, access, concern_id)
    typed, errors = OutcomeForm.read(form)
    if typed is not None:
        concerns.say_outcome(db, actor, access, concern, typed.outcome)
        return see_other(request, Page.CONCERN, plan_id=access.plan.id, concern_id=concern_id)
    return _concern_page(request, db, access, concern, errors, OutcomeForm.shown(form))


@router.post(
    PLAN + "/{concern_id}/complaint",
    name="make_complaint_form",
    dependencies=[requires(Permission.CONTRIBUTE)],
)
def make_complaint(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    access: CurrentPlan,
    concern_id: RowId,
    form: FormValues,
) -> Response:
    concern = concerns.concern_of(db, access, concern_id)
    typed, errors = ComplaintForm.read(form)
    if typed is not None:
        try:
            complaints.escalate(db, settings, actor, access, concern, concerns.Words(words=typed.words))
        except ContentProblem as problem:
            errors = ComplaintForm.problem_errors(problem)
        else:
            return see_other(
                request, Page.CONCERN, plan_id=access.plan.id, concern_id=concern_id, fragment="complaint"
            )
    return _concern_page(request, db, access, concern, errors, ComplaintForm.shown(form))


# The council's complaints and its time to answer -------------------------------------------------


@router.get("/la/complaints", dependencies=[requires(Permission.READ_LA_OVERVIEW)])
def complaints_page(request: Request, db: SessionDep, actor: ActorDep, person: CurrentPerson) -> Response:
    found = complaints.council_complaints(db, actor, person)
    context = {"found": found, "may_set_time": may_handle_complaints_of(person, person.organisation_id or 0)}
    return render(request, "pages/concerns/complaints.html", context)


def _complaint_page(
    request: Request,
    person: CurrentPerson,
    found: complaints.CouncilComplaints,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    row = found.rows[0]
    context = {
        "row": row,
        "people": found.people,
        "titles": SECTION_TITLES[row.plan.kind],
        "stages": [(stage.value, label) for stage, label in COMPLAINT_STAGE_LABELS.items()],
        "may_handle": may_handle_complaints_of(person, row.complaint.local_authority_id)
        and row.complaint.closed_on is None,
        "errors": errors or {},
        "values": values or {"stage": row.complaint.stage.value},
    }
    return render(request, "pages/concerns/complaint.html", context)


@router.get("/la/complaints/{complaint_id}", dependencies=[requires(Permission.READ_LA_OVERVIEW)])
def complaint_page(
    request: Request, db: SessionDep, actor: ActorDep, person: CurrentPerson, complaint_id: RowId
) -> Response:
    return _complaint_page(request, person, complaints.read_complaint(db, actor, person, complaint_id))


@router.post(
    "/la/complaints/{complaint_id}",
    name="handle_complaint_form",
    dependencies=[requires(Permission.HANDLE_COMPLAINTS)],
)
def handle_complaint(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    person: CurrentPerson,
    complaint_id: RowId,
    form: FormValues,
) -> Response:
    found = complaints.council_complaint(db, person, complaint_id)
    typed, errors = HandlingForm.read(form)
    if typed is not None:
        try:
            complaints.handle(db, actor, person, found.rows[0], complaints.Handling(**typed.model_dump()))
        except ContentProblem as problem:
            errors = HandlingForm.problem_errors(problem)
        else:
            return see_other(request, Page.COMPLAINT, complaint_id=complaint_id)
    return _complaint_page(request, person, found, errors, HandlingForm.shown(form))


def _time_page(
    request: Request, db: Session, person: CurrentPerson, errors: dict[str, str], values: dict[str, str]
) -> Response:
    days = concerns.answer_days_of(db, person.organisation_id or 0)
    context = {"days": days, "errors": errors, "values": values or {"answer_days": str(days)}}
    return render(request, "pages/concerns/time.html", context)


@router.get("/la/concern-time", dependencies=[requires(Permission.HANDLE_COMPLAINTS)])
def concern_time_page(request: Request, db: SessionDep, person: CurrentPerson) -> Response:
    return _time_page(request, db, person, {}, {})


@router.post(
    "/la/concern-time", name="concern_time_form", dependencies=[requires(Permission.HANDLE_COMPLAINTS)]
)
def set_concern_time(
    request: Request, db: SessionDep, actor: ActorDep, person: CurrentPerson, form: FormValues
) -> Response:
    typed, errors = AnswerDaysForm.read(form)
    if typed is not None:
        try:
            complaints.set_answer_days(db, actor, person, typed.answer_days)
        except ContentProblem as problem:
            errors = AnswerDaysForm.problem_errors(problem)
        else:
            return see_other(request, Page.CONCERN_TIME)
    return _time_page(request, db, person, errors, AnswerDaysForm.shown(form))
