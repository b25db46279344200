"""Statutory timelines: asking for an assessment, the timeline, steps and advice, and the dashboards."""

from datetime import date

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from app.clock import uk_today
from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, requires
from app.models.base import id_of
from app.models.timeline import (
    ADVICE_TOPIC_LABELS,
    ASSESSMENT_STEPS,
    EXCEPTION_KIND_LABELS,
    STEP_OUTCOME_LABELS,
    STEP_OUTCOMES,
    AdviceTopic,
    ExceptionKind,
    StepKind,
    StepOutcome,
)
from app.permissions import Permission, PlanAccess, may_manage_assessment, may_manage_reviews
from app.rendering import render
from app.routers.pages.inputs import DateProblem, FormValues, read_date
from app.services.plans.plans import PlanProblem
from app.services.timelines import rules, timelines
from app.services.timelines.labels import LABELS

router = APIRouter()


def _day(values: FormValues, name: str, errors: dict[str, str], missing: str | None) -> date | None:
    parts = (values.get(f"{name}-day", ""), values.get(f"{name}-month", ""), values.get(f"{name}-year", ""))
    try:
        return read_date(parts, missing=missing)
    except DateProblem as problem:
        errors[f"{name}-day"] = str(problem)
        return None


def _row_id(value: str) -> bool:
    return value.isdigit() and len(value) <= 9 and int(value) >= 1


def _field(name: str) -> str:
    return f"{name}-day" if name.endswith("_on") else name


# The plan's timeline ------------------------------------------------------------------------------


def _timeline_page(
    request: Request,
    db: Session,
    actor: ActorDep,
    access: PlanAccess,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    done: str = "",
) -> Response:
    timeline = timelines.read_timeline(db, actor, access)
    context = {
        "plan": access.plan,
        "child": timeline.child,
        "timeline": timeline,
        "labels": LABELS,
        "manages_assessment": may_manage_assessment(access),
        "manages_reviews": may_manage_reviews(access),
        "may_request": timelines.may_request_assessment(db, access),
        "may_return": {
            entry.key: timelines.may_record_return(access, entry.advice)
            for entry in timeline.entries
            if entry.advice is not None
        },
        "assessment_steps": ASSESSMENT_STEPS,
        "errors": errors or {},
        "values": values or {},
        "done": done,
    }
    return render(request, "pages/timelines/timeline.html", context)


@router.get("/plans/{plan_id}/timeline", dependencies=[requires(Permission.READ_PLANS)])
def timeline_page(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, done: str = ""
) -> Response:
    return _timeline_page(request, db, actor, access, done=done[:40])


def _back_to_timeline(access: PlanAccess, done: str) -> RedirectResponse:
    return RedirectResponse(f"/plans/{access.plan.id}/timeline?done={done}", status_code=303)


# Asking for an assessment -------------------------------------------------------------------------


def _request_page(
    request: Request, db: Session, access: PlanAccess, errors: dict[str, str], values: dict[str, str]
) -> Response:
    context = {
        "plan": access.plan,
        "child": timelines.plan_timeline(db, access).child,
        "kind": timelines.requester_kind(access),
        "may_request": timelines.may_request_assessment(db, access),
        "labels": LABELS,
        "errors": errors,
        "values": values,
    }
    return render(request, "pages/timelines/request.html", context)


@router.get("/plans/{plan_id}/assessment-request", dependencies=[requires(Permission.CONTRIBUTE)])
def request_page(request: Request, db: SessionDep, access: CurrentPlan) -> Response:
    return _request_page(request, db, access, {}, {})


@router.post("/plans/{plan_id}/assessment-request", dependencies=[requires(Permission.CONTRIBUTE)])
def request_assessment(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    errors: dict[str, str] = {}
    values = {
        name: form.get(name, "")
        for name in ("reason", "requested_on-day", "requested_on-month", "requested_on-year")
    }
    requested_on = _day(form, "requested_on", errors, missing=None)
    if len(values["reason"]) > 2000:
        errors["reason"] = "Say why in 2,000 characters or fewer"
    if not errors:
        try:
            timelines.request_assessment(
                db,
                actor,
                access,
                timelines.NewAssessmentRequest(requested_on=requested_on, reason=values["reason"] or None),
            )
        except PlanProblem as problem:
            errors[_field(problem.field)] = str(problem)
        else:
            return _back_to_timeline(access, "requested")
    return _request_page(request, db, access, errors, values)


# Steps ----------------------------------------------------------------------------------------------


def _step_page(
    request: Request,
    db: Session,
    access: PlanAccess,
    step_id: int,
    errors: dict[str, str],
    values: dict[str, str],
) -> Response:
    step = timelines.plan_step(db, access, step_id)
    timeline = timelines.plan_timeline(db, access)
    entry = next(entry for entry in timeline.entries if entry.step is not None and entry.step.id == step.id)
    context = {
        "plan": access.plan,
        "child": timeline.child,
        "entry": entry,
        "step": step,
        "outcomes": [
            (outcome.value, STEP_OUTCOME_LABELS[outcome]) for outcome in STEP_OUTCOMES.get(step.kind, ())
        ],
        "exceptions": [(kind.value, label) for kind, label in EXCEPTION_KIND_LABELS.items()],
        "may_manage": timelines.may_manage_step(access, step),
        "takes_exception": step.kind in ASSESSMENT_STEPS,
        "is_report": step.kind is StepKind.REVIEW_REPORT,
        "labels": LABELS,
        "errors": errors,
        "values": values,
        "people": timeline.people,
    }
    return render(request, "pages/timelines/step.html", context)


@router.get("/plans/{plan_id}/timeline/steps/{step_id}", dependencies=[requires(Permission.READ_PLANS)])
def step_page(request: Request, db: SessionDep, access: CurrentPlan, step_id: RowId) -> Response:
    return _step_page(request, db, access, step_id, {}, {})


@router.post("/plans/{plan_id}/timeline/steps/{step_id}/done", dependencies=[requires(Permission.COORDINATE)])
def record_done(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, step_id: RowId, form: FormValues
) -> Response:
    step = timelines.plan_step(db, access, step_id)
    timelines.check_may_manage_step(access, step)
    names = ("done_on-day", "done_on-month", "done_on-year", "outcome", "note")
    values = {name: form.get(name, "") for name in names}
    errors: dict[str, str] = {}
    done_on = _day(form, "done_on", errors, missing="Enter the date it happened")
    outcome = values["outcome"]
    if len(values["note"]) > 2000:
        errors["note"] = "Write the differences of opinion in 2,000 characters or fewer"
    if done_on is not None and not errors:
        try:
            timelines.record_done(
                db,
                actor,
                access,
                step,
                timelines.StepDone(
                    done_on=done_on,
                    outcome=StepOutcome(outcome) if outcome in set(StepOutcome) else None,
                    note=values["note"] or None,
                ),
            )
        except PlanProblem as problem:
            errors[_field(problem.field)] = str(problem)
        else:
            return _back_to_timeline(access, "step")
    return _step_page(request, db, access, step_id, errors, values)


@router.post(
    "/plans/{plan_id}/timeline/steps/{step_id}/exception", dependencies=[requires(Permission.COORDINATE)]
)
def record_exception(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, step_id: RowId, form: FormValues
) -> Response:
    step = timelines.plan_step(db, access, step_id)
    timelines.check_may_manage_step(access, step)
    values = {name: form.get(name, "") for name in ("exception", "exception_reason")}
    errors: dict[str, str] = {}
    if values["exception"] not in set(ExceptionKind):
        errors["exception"] = "Select which exception applies"
    reason = values["exception_reason"].strip()
    if not reason:
        errors["exception_reason"] = "Enter why the exception applies"
    elif len(reason) > 500:
        errors["exception_reason"] = "Say why in 500 characters or fewer"
    if not errors:
        try:
            timelines.record_exception(
                db,
                actor,
                access,
                step,
                timelines.StepException(exception=ExceptionKind(values["exception"]), reason=reason),
            )
        except PlanProblem as problem:
            errors[problem.field] = str(problem)
        else:
            return _back_to_timeline(access, "exception")
    return _step_page(request, db, access, step_id, errors, values)


# Advice -------------------------------------------------------------------------------------------


def _advice_page(
    request: Request, db: Session, access: PlanAccess, errors: dict[str, str], values: dict[str, str]
) -> Response:
    organisations = timelines.advice_organisations(db, access)
    people = timelines.advice_people(db, {id_of(organisation) for organisation in organisations})
    names = {id_of(organisation): organisation.name for organisation in organisations}
    context = {
        "plan": access.plan,
        "child": timelines.plan_timeline(db, access).child,
        "may_manage": may_manage_assessment(access),
        "topics": [(topic.value, label) for topic, label in ADVICE_TOPIC_LABELS.items()],
        "organisations": [(str(id_of(organisation)), organisation.name) for organisation in organisations],
        "people": [
            (str(id_of(person)), f"{person.display_name} ({names.get(person.organisation_id or 0, '')})")
            for person in people
        ],
        "advice_weeks": rules.ADVICE_WEEKS,
        "errors": errors,
        "values": values,
    }
    return render(request, "pages/timelines/advice_new.html", context)


@router.get("/plans/{plan_id}/advice-requests/new", dependencies=[requires(Permission.COORDINATE)])
def new_advice_page(request: Request, db: SessionDep, access: CurrentPlan) -> Response:
    today = uk_today()
    values = {
        "sent_on-day": str(today.day),
        "sent_on-month": str(today.month),
        "sent_on-year": str(today.year),
    }
    return _advice_page(request, db, access, {}, values)


@router.post("/plans/{plan_id}/advice-requests", dependencies=[requires(Permission.COORDINATE)])
def send_advice_request(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    timelines.check_may_ask_for_advice(access)
    names = ("topic", "organisation_id", "person_id", "sent_on-day", "sent_on-month", "sent_on-year")
    values = {name: form.get(name, "") for name in names}
    errors: dict[str, str] = {}
    if values["topic"] not in set(AdviceTopic):
        errors["topic"] = "Select the kind of advice"
    if not _row_id(values["organisation_id"]):
        errors["organisation_id"] = "Select the organisation asked"
    if values["person_id"] and not _row_id(values["person_id"]):
        errors["person_id"] = "Select a person, or nobody"
    sent_on = _day(form, "sent_on", errors, missing="Enter the date the request was sent")
    if sent_on is not None and not errors:
        try:
            timelines.send_advice_request(
                db,
                actor,
                access,
                timelines.NewAdviceRequest(
                    topic=AdviceTopic(values["topic"]),
                    organisation_id=int(values["organisation_id"]),
                    person_id=int(values["person_id"]) if values["person_id"] else None,
                    sent_on=sent_on,
                ),
            )
        except PlanProblem as problem:
            errors[_field(problem.field)] = str(problem)
        else:
            return _back_to_timeline(access, "advice")
    return _advice_page(request, db, access, errors, values)


@router.post(
    "/plans/{plan_id}/advice-requests/{advice_id}/returned", dependencies=[requires(Permission.CONTRIBUTE)]
)
def advice_returned(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, advice_id: RowId, form: FormValues
) -> Response:
    advice = timelines.plan_advice(db, access, advice_id)
    timelines.check_may_record_return(access, advice)
    name = f"returned_on_{advice.id}"
    errors: dict[str, str] = {}
    returned_on = _day(form, name, errors, missing="Enter the date the advice came back")
    if returned_on is not None and not errors:
        try:
            timelines.record_advice_returned(
                db, actor, access, advice, timelines.AdviceReturned(returned_on=returned_on)
            )
        except PlanProblem as problem:
            errors[f"{name}-day"] = str(problem)
        else:
            return _back_to_timeline(access, "returned")
    values = {f"{name}-{part}": form.get(f"{name}-{part}", "") for part in ("day", "month", "year")}
    return _timeline_page(request, db, actor, access, errors=errors, values=values)


# Reviews and phase transfers ----------------------------------------------------------------------


@router.post("/plans/{plan_id}/review-meetings", dependencies=[requires(Permission.COORDINATE)])
def arrange_review(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    timelines.check_may_manage_reviews(access)
    errors: dict[str, str] = {}
    meeting_on = _day(form, "meeting_on", errors, missing="Enter the date of the meeting")
    if meeting_on is not None and not errors:
        try:
            timelines.arrange_review(db, actor, access, timelines.NewReviewMeeting(meeting_on=meeting_on))
        except PlanProblem as problem:
            errors[_field(problem.field)] = str(problem)
        else:
            return _back_to_timeline(access, "review")
    values = {f"meeting_on-{part}": form.get(f"meeting_on-{part}", "") for part in ("day", "month", "year")}
    return _timeline_page(request, db, actor, access, errors=errors, values=values)


@router.post("/plans/{plan_id}/phase-transfers", dependencies=[requires(Permission.COORDINATE)])
def add_phase_transfer(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    timelines.check_may_manage_reviews(access)
    values = {name: form.get(name, "") for name in ("transfer_year", "into_post_16")}
    errors: dict[str, str] = {}
    year = values["transfer_year"].strip()
    if not (year.isdigit() and 2000 <= int(year) <= 2100):
        errors["transfer_year"] = "Enter the year of the move, like 2027"
    if not errors:
        timelines.add_phase_transfer(
            db,
            actor,
            access,
            timelines.NewPhaseTransfer(transfer_year=int(year), into_post_16=values["into_post_16"] == "yes"),
        )
        return _back_to_timeline(access, "transfer")
    return _timeline_page(request, db, actor, access, errors=errors, values=values)


# Dashboards ---------------------------------------------------------------------------------------


@router.get("/dashboard", dependencies=[requires(Permission.READ_PLANS)])
def dashboard_page(request: Request, db: SessionDep, actor: ActorDep) -> Response:
    context = {"dashboard": timelines.my_dashboard(db, actor), "labels": LABELS}
    return render(request, "pages/timelines/dashboard.html", context)


@router.get("/la/dashboard", dependencies=[requires(Permission.READ_LA_OVERVIEW)])
def la_dashboard_page(request: Request, db: SessionDep, actor: ActorDep, done: str = "") -> Response:
    context = {"overview": timelines.la_overview(db, actor), "labels": LABELS, "done": done[:40]}
    return render(request, "pages/timelines/la_dashboard.html", context)


@router.post("/la/assessment-requests/{request_id}/take-on", dependencies=[requires(Permission.COORDINATE)])
def take_on(db: SessionDep, actor: ActorDep, request_id: RowId) -> Response:
    taken = timelines.take_on(db, actor, request_id)
    return RedirectResponse(f"/plans/{taken.plan_id}/timeline?done=taken_on", status_code=303)
