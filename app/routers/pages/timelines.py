"""Statutory timelines: asking for an assessment, the timeline, steps and advice, and the dashboards."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from app.clock import uk_today
from app.dependencies import ActorDep, CurrentPerson, CurrentPlan, RowId, SessionDep, requires
from app.forms.timelines import (
    AdviceRequestForm,
    AssessmentRequestForm,
    DraftPlanForm,
    PhaseTransferForm,
    ReviewMeetingForm,
    StepDoneForm,
    StepExceptionForm,
)
from app.models import PLAN_STATUS_LABELS, PlanKind
from app.models.base import id_of
from app.models.timeline import (
    ADVICE_TOPIC_LABELS,
    ASSESSMENT_STEPS,
    EXCEPTION_KIND_LABELS,
    STEP_OUTCOME_LABELS,
    STEP_OUTCOMES,
    StepKind,
)
from app.permissions import (
    Permission,
    PlanAccess,
    may_manage_assessment,
    may_manage_reviews,
    may_record_return,
)
from app.rendering import render
from app.routers.pages.inputs import FormValues
from app.services.experts import requests as expert_requests
from app.services.plans import seen
from app.services.plans.plans import PlanProblem
from app.services.plans.words import words_for_plan
from app.services.timelines import rules, timelines
from app.services.timelines.la_figures import FIGURE_LABELS, STAGE_FIGURES, Figure
from app.services.timelines.labels import LABELS
from app.urls import Page, see_other

router = APIRouter()


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
            entry.key: may_record_return(access, entry.advice)
            for entry in timeline.entries
            if entry.advice is not None
        },
        "may_make_draft": timelines.may_make_draft(db, access),
        "draft_made": timelines.draft_made_from(db, access),
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


def _back_to_timeline(request: Request, access: PlanAccess, done: str) -> RedirectResponse:
    return see_other(request, Page.TIMELINE, plan_id=access.plan.id, query={"done": done})


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


@router.post(
    "/plans/{plan_id}/assessment-request",
    name="request_assessment_form",
    dependencies=[requires(Permission.CONTRIBUTE)],
)
def request_assessment(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    typed, errors = AssessmentRequestForm.read(form)
    if typed is not None:
        try:
            timelines.request_assessment(
                db,
                actor,
                access,
                timelines.NewAssessmentRequest(requested_on=typed.requested_on, reason=typed.reason or None),
            )
        except PlanProblem as problem:
            errors = AssessmentRequestForm.problem_errors(problem)
        else:
            return _back_to_timeline(request, access, "requested")
    return _request_page(request, db, access, errors, AssessmentRequestForm.shown(form))


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


@router.post(
    "/plans/{plan_id}/timeline/steps/{step_id}/done",
    name="record_done_form",
    dependencies=[requires(Permission.COORDINATE)],
)
def record_done(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, step_id: RowId, form: FormValues
) -> Response:
    step = timelines.plan_step(db, access, step_id)
    timelines.check_may_manage_step(access, step)
    typed, errors = StepDoneForm.read(form)
    if typed is not None:
        try:
            timelines.record_done(
                db,
                actor,
                access,
                step,
                timelines.StepDone(done_on=typed.done_on, outcome=typed.outcome, note=typed.note or None),
            )
        except PlanProblem as problem:
            errors = StepDoneForm.problem_errors(problem)
        else:
            return _back_to_timeline(request, access, "step")
    return _step_page(request, db, access, step_id, errors, StepDoneForm.shown(form))


@router.post(
    "/plans/{plan_id}/timeline/steps/{step_id}/exception",
    name="record_exception_form",
    dependencies=[requires(Permission.COORDINATE)],
)
def record_exception(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, step_id: RowId, form: FormValues
) -> Response:
    step = timelines.plan_step(db, access, step_id)
    timelines.check_may_manage_step(access, step)
    typed, errors = StepExceptionForm.read(form)
    if typed is not None:
        try:
            timelines.record_exception(
                db,
                actor,
                access,
                step,
                timelines.StepException(exception=typed.exception, reason=typed.exception_reason),
            )
        except PlanProblem as problem:
            errors = StepExceptionForm.problem_errors(problem)
        else:
            return _back_to_timeline(request, access, "exception")
    return _step_page(request, db, access, step_id, errors, StepExceptionForm.shown(form))


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


@router.post(
    "/plans/{plan_id}/advice-requests",
    name="send_advice_request_form",
    dependencies=[requires(Permission.COORDINATE)],
)
def send_advice_request(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    timelines.check_may_ask_for_advice(access)
    typed, errors = AdviceRequestForm.read(form)
    if typed is not None:
        try:
            timelines.send_advice_request(
                db,
                actor,
                access,
                timelines.NewAdviceRequest(
                    topic=typed.topic,
                    organisation_id=typed.organisation_id,
                    person_id=typed.person_id,
                    sent_on=typed.sent_on,
                ),
            )
        except PlanProblem as problem:
            errors = AdviceRequestForm.problem_errors(problem)
        else:
            return _back_to_timeline(request, access, "advice")
    return _advice_page(request, db, access, errors, AdviceRequestForm.shown(form))


@router.post(
    "/plans/{plan_id}/draft-plan", name="make_draft_form", dependencies=[requires(Permission.COORDINATE)]
)
def make_draft(request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan) -> Response:
    """The child's draft EHC plan made from the assessment; a refusal shows beside the button."""
    try:
        plan = timelines.make_draft_plan(db, actor, access)
    except PlanProblem as problem:
        errors = DraftPlanForm.problem_errors(problem)
        return _timeline_page(request, db, actor, access, errors=errors)
    return see_other(request, Page.PLAN, plan_id=id_of(plan))


# Reviews and phase transfers ----------------------------------------------------------------------


@router.post(
    "/plans/{plan_id}/review-meetings",
    name="arrange_review_form",
    dependencies=[requires(Permission.COORDINATE)],
)
def arrange_review(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    timelines.check_may_manage_reviews(access)
    typed, errors = ReviewMeetingForm.read(form)
    if typed is not None:
        try:
            timelines.arrange_review(
                db, actor, access, timelines.NewReviewMeeting(meeting_on=typed.meeting_on)
            )
        except PlanProblem as problem:
            errors = ReviewMeetingForm.problem_errors(problem)
        else:
            return _back_to_timeline(request, access, "review")
    values = ReviewMeetingForm.shown(form)
    return _timeline_page(request, db, actor, access, errors=errors, values=values)


@router.post(
    "/plans/{plan_id}/phase-transfers",
    name="add_phase_transfer_form",
    dependencies=[requires(Permission.COORDINATE)],
)
def add_phase_transfer(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    timelines.check_may_manage_reviews(access)
    typed, errors = PhaseTransferForm.read(form)
    if typed is None:
        values = PhaseTransferForm.shown(form)
        return _timeline_page(request, db, actor, access, errors=errors, values=values)
    timelines.add_phase_transfer(
        db,
        actor,
        access,
        timelines.NewPhaseTransfer(
            transfer_year=typed.transfer_year, into_post_16=typed.into_post_16 == "yes"
        ),
    )
    return _back_to_timeline(request, access, "transfer")


# Dashboards ---------------------------------------------------------------------------------------


@router.get("/dashboard", dependencies=[requires(Permission.READ_PLANS)])
def dashboard_page(request: Request, db: SessionDep, actor: ActorDep, person: CurrentPerson) -> Response:
    news = seen.dashboard_news(db, request.app.state.settings, person)
    isp = next((row.plan for row in news if row.plan.kind is PlanKind.ISP), None)
    context = {
        "dashboard": timelines.my_dashboard(db, actor),
        "labels": LABELS,
        "plans_news": news,
        "plan_words": words_for_plan(db, isp) if isp is not None else None,  # an ISP's name
        "expert_requests": expert_requests.open_for_my_service(db, person),
    }
    return render(request, "pages/timelines/dashboard.html", context)


@router.get("/la/dashboard", dependencies=[requires(Permission.READ_LA_OVERVIEW)])
def la_dashboard_page(request: Request, db: SessionDep, actor: ActorDep, done: str = "") -> Response:
    context = {
        "overview": timelines.la_overview(db, actor),
        "labels": LABELS,
        "done": done[:40],
        "stage_figures": [(figure.value, FIGURE_LABELS[figure]) for figure in STAGE_FIGURES],
    }
    return render(request, "pages/timelines/la_dashboard.html", context)


@router.get("/la/dashboard/plans/{figure}", dependencies=[requires(Permission.READ_LA_OVERVIEW)])
def la_figure_page(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    figure: str,
    kind: Annotated[str, Query(max_length=200)] = "",
    setting: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The plans one figure of the council dashboard counts: the same overview, so the same number.

    The overdue figure may be narrowed to one kind of step or one setting, as its tables count them."""
    if figure not in {known.value for known in Figure}:
        raise HTTPException(404, "Not Found")
    overview = timelines.la_overview(db, actor)
    chosen = Figure(figure)
    narrowed = chosen is Figure.OVERDUE and bool(kind or setting)
    context = {
        "overview": overview,
        "figure": chosen,
        "label": FIGURE_LABELS[chosen] + (f": {kind or setting}" if narrowed else ""),
        "plans": overview.overdue_plans(kind=kind, setting=setting) if narrowed else overview.figures[chosen],
        "stage_figure": chosen in STAGE_FIGURES,
        "status_labels": PLAN_STATUS_LABELS,
    }
    return render(request, "pages/timelines/la_figure.html", context)


@router.post(
    "/la/assessment-requests/{request_id}/take-on",
    name="take_on_form",
    dependencies=[requires(Permission.COORDINATE)],
)
def take_on(request: Request, db: SessionDep, actor: ActorDep, request_id: RowId) -> Response:
    taken = timelines.take_on(db, actor, request_id)
    return see_other(request, Page.TIMELINE, plan_id=taken.plan_id, query={"done": "taken_on"})
