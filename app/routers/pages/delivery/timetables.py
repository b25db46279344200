"""Reduced timetables: starting one, its review, and the decisions taken at each."""

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, requires
from app.models import (
    TIMETABLE_DECISION_LABELS,
    TimetableDecisionKind,
)
from app.permissions import Permission, PlanAccess
from app.rendering import render
from app.routers.pages.delivery.common import iso_date, plan_and_child
from app.routers.pages.inputs import FormValues
from app.services.delivery import timetables
from app.services.delivery.common import may_manage_timetable
from app.services.plans.items import ContentProblem
from app.services.plans.plans import people_by_id

router = APIRouter(prefix="/plans/{plan_id}")


# Reduced timetables ------------------------------------------------------------------------------

TIMETABLE_FIELDS = ("starts_on", "planned_end_on", "hours_a_week", "reason", "return_plan", "review_on")


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


@router.post("/timetables", dependencies=[requires(Permission.CONTRIBUTE)])
def add_timetable(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    timetables._must_manage(access, "timetable.refused")
    values = {name: form.get(name, "") for name in TIMETABLE_FIELDS}
    errors: dict[str, str] = {}
    starts_on = iso_date(values, "starts_on", "the day it starts", errors)
    planned_end_on = iso_date(values, "planned_end_on", "the planned end", errors)
    hours: float | None = None
    try:
        hours = float(values["hours_a_week"])
        if not 0 < hours < timetables.FULL_TIME_HOURS:
            raise ValueError("out of range")
    except ValueError:
        errors["hours_a_week"] = (
            f"Enter the hours a week as a number more than 0 and less than {timetables.FULL_TIME_HOURS:g}"
        )
    for name, label in (
        ("reason", "why a reduced timetable is needed"),
        ("return_plan", "the plan to return to full time"),
    ):
        if not values[name].strip():
            errors[name] = f"Enter {label}"
        elif len(values[name]) > 2000:
            errors[name] = "Use 2,000 characters or fewer"
    review_on = iso_date(values, "review_on", "the date of the first review", errors)
    if not errors and starts_on and planned_end_on and review_on and hours:
        try:
            timetables.add_timetable(
                db,
                actor,
                access,
                timetables.NewTimetable(
                    starts_on=starts_on,
                    planned_end_on=planned_end_on,
                    hours_a_week=hours,
                    reason=values["reason"],
                    return_plan=values["return_plan"],
                    review_on=review_on,
                ),
            )
        except ContentProblem as problem:
            errors = problem.errors
        else:
            return RedirectResponse(f"/plans/{access.plan.id}/delivery#timetables", status_code=303)
    ordered = {name: errors[name] for name in TIMETABLE_FIELDS if name in errors}
    return _timetable_form(request, db, access, ordered, values)


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


@router.post("/timetables/{timetable_id}/decisions", dependencies=[requires(Permission.CONTRIBUTE)])
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
    values = {name: form.get(name, "") for name in ("decision", "note", "next_review_on", "planned_end_on")}
    errors: dict[str, str] = {}
    if values["decision"] not in {kind.value for kind in TimetableDecisionKind}:
        errors["decision"] = "Select the decision"
    if not values["note"].strip():
        errors["note"] = "Enter what was decided and why"
    next_review = iso_date(values, "next_review_on", "the next review", errors, required=False)
    planned_end = iso_date(values, "planned_end_on", "the new planned end", errors, required=False)
    if not errors:
        try:
            timetables.decide(
                db,
                actor,
                access,
                state,
                timetables.NewDecision(
                    decision=TimetableDecisionKind(values["decision"]),
                    note=values["note"],
                    next_review_on=next_review,
                    planned_end_on=planned_end,
                ),
            )
        except ContentProblem as problem:
            errors = problem.errors
        else:
            return RedirectResponse(f"/plans/{access.plan.id}/timetables/{timetable_id}", status_code=303)
    return _timetable_page(request, db, access, state, errors, values)
