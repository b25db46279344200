"""Reduced timetables: starting one, its review, and the decisions taken at each."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, requires
from app.forms.delivery import DecisionForm, TimetableForm
from app.models import (
    TIMETABLE_DECISION_LABELS,
    TimetableDecisionKind,
)
from app.permissions import Permission, PlanAccess
from app.rendering import render
from app.routers.pages.delivery.common import plan_and_child
from app.routers.pages.inputs import FormValues
from app.services.delivery import timetables
from app.services.delivery.common import may_manage_timetable
from app.services.plans.items import ContentProblem
from app.services.plans.plans import people_by_id
from app.urls import Page, see_other

router = APIRouter(prefix="/plans/{plan_id}")


# Reduced timetables ------------------------------------------------------------------------------


def _timetable_form(
    request: Request, db: SessionDep, access: PlanAccess, errors: dict[str, str], values: dict[str, str]
) -> Response:
    return render(
        request,
        "pages/delivery/timetable_new.html",
        {**plan_and_child(db, access), "errors": errors, "values": values},
    )


@router.get("/timetables/new", dependencies=[requires(Permission.CONTRIBUTE)])
def new_timetable_page(request: Request, db: SessionDep, access: CurrentPlan) -> Response:
    timetables._must_manage(access, "timetable.refused")
    return _timetable_form(request, db, access, {}, {})


@router.post("/timetables", name="add_timetable_form", dependencies=[requires(Permission.CONTRIBUTE)])
def add_timetable(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    timetables._must_manage(access, "timetable.refused")
    typed, errors = TimetableForm.read(form)
    if typed is not None:
        try:
            timetables.add_timetable(
                db,
                actor,
                access,
                timetables.NewTimetable(
                    starts_on=typed.starts_on,
                    planned_end_on=typed.planned_end_on,
                    hours_a_week=typed.hours_a_week,
                    reason=typed.reason,
                    return_plan=typed.return_plan,
                    review_on=typed.review_on,
                ),
            )
        except ContentProblem as problem:
            errors = TimetableForm.problem_errors(problem)
        else:
            return see_other(request, Page.DELIVERY, plan_id=access.plan.id, fragment="timetables")
    return _timetable_form(request, db, access, errors, TimetableForm.shown(form))


def _timetable_page(
    request: Request,
    db: SessionDep,
    access: PlanAccess,
    state: timetables.TimetableState,
    errors: dict[str, str],
    values: dict[str, str],
) -> Response:
    people = people_by_id(db, {state.timetable.recorded_by_id, *(d.decided_by_id for d in state.decisions)})
    context = {
        **plan_and_child(db, access),
        "state": state,
        "people": people,
        "errors": errors,
        "values": values,
        "may_decide": may_manage_timetable(access) and state.is_current,
        "decisions": [(kind.value, TIMETABLE_DECISION_LABELS[kind]) for kind in TimetableDecisionKind],
        "decision_labels": TIMETABLE_DECISION_LABELS,
    }
    return render(request, "pages/delivery/timetable.html", context)


@router.get("/timetables/{timetable_id}", dependencies=[requires(Permission.READ_PLANS)])
def timetable_page(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, timetable_id: RowId
) -> Response:
    state = timetables.read_timetable(db, actor, access, timetable_id)
    return _timetable_page(request, db, access, state, {}, {})


@router.post(
    "/timetables/{timetable_id}/decisions",
    name="decide_timetable_form",
    dependencies=[requires(Permission.CONTRIBUTE)],
)
def decide_timetable(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: CurrentPlan,
    timetable_id: RowId,
    form: FormValues,
) -> Response:
    state = timetables.plan_timetable(db, access, timetable_id)
    timetables._must_manage(access, "timetable.refused")
    typed, errors = DecisionForm.read(form)
    if typed is not None:
        try:
            timetables.decide(
                db,
                actor,
                access,
                state,
                timetables.NewDecision(
                    decision=typed.decision,
                    note=typed.note,
                    next_review_on=typed.next_review_on,
                    planned_end_on=typed.planned_end_on,
                ),
            )
        except ContentProblem as problem:
            errors = DecisionForm.problem_errors(problem)
        else:
            return see_other(request, Page.TIMETABLE, plan_id=access.plan.id, timetable_id=timetable_id)
    return _timetable_page(request, db, access, state, errors, DecisionForm.shown(form))
