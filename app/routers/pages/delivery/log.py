"""The delivery log: each provision's week grid, as planned and as delivered."""

from datetime import date

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.clock import uk_today as today
from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.forms.delivery import DayForm, WeekForm
from app.permissions import Permission, PlanAccess
from app.rendering import render
from app.routers.pages.delivery.common import plan_and_child
from app.routers.pages.inputs import FormValues
from app.services.delivery import arithmetic, log, overview, timetables
from app.services.delivery.common import may_manage_timetable, provision_item
from app.services.plans.items import ContentProblem
from app.urls import Page, see_other

router = APIRouter(prefix="/plans/{plan_id}")


# The delivery log --------------------------------------------------------------------------------


@router.get("/delivery", dependencies=[requires(Permission.READ_PLANS)])
def delivery_page(
    request: Request, db: SessionDep, settings: SettingsDep, actor: ActorDep, access: CurrentPlan
) -> Response:
    provisions = overview.read_plan_delivery(db, settings, actor, access)
    context = {
        **plan_and_child(db, access),
        "provisions": provisions,
        "timetables": timetables.plan_timetables(db, [access.plan.id or 0]),
        "may_manage_timetable": may_manage_timetable(access),
        "threshold": settings.shortfall_threshold,
    }
    return render(request, "pages/delivery/index.html", context)


def _grid(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    access: PlanAccess,
    item_id: int,
    day: date,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    saved: bool = False,
) -> Response:
    item, revision = provision_item(db, access, item_id)
    try:
        grid = log.week_grid(db, settings, actor, access, item, revision, day)
    except ContentProblem as problem:
        context = {
            **plan_and_child(db, access),
            "item": item,
            "revision": revision,
            "problem": str(problem),
        }
        return render(request, "pages/delivery/unquantified.html", context)
    context = {
        **plan_and_child(db, access),
        "grid": grid,
        "errors": errors or {},
        "values": values or {},
        "saved": saved,
        "threshold": settings.shortfall_threshold,
    }
    return render(request, "pages/delivery/week.html", context)


@router.get("/delivery/{item_id}", dependencies=[requires(Permission.READ_PLANS)])
def week_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    access: CurrentPlan,
    item_id: RowId,
    week: date | None = None,
    saved: bool = False,
) -> Response:
    return _grid(request, db, settings, actor, access, item_id, week or today(), saved=saved)


@router.post("/delivery/{item_id}", name="record_week_form", dependencies=[requires(Permission.CONTRIBUTE)])
def record_week(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    access: CurrentPlan,
    item_id: RowId,
    form: FormValues,
) -> Response:
    item, revision = provision_item(db, access, item_id)
    week, errors = WeekForm.read(form)
    monday = arithmetic.monday_of(week.week if week else today())
    entries = []
    for day in arithmetic.week_days(monday):
        suffix = f"-{day.isoformat()}"
        typed, problems = DayForm.read(form, suffix=suffix)
        errors |= problems
        if typed is not None and typed.status is not None:
            entries.append(log.DayEntry(day, typed.status, typed.amount, typed.reason or None))
    if not errors:
        try:
            log.record_week(db, settings, actor, access, item, revision, monday, entries)
        except ContentProblem as problem:
            errors = DayForm.problem_errors(problem)
    if errors:
        return _grid(request, db, settings, actor, access, item_id, monday, errors=errors, values=form)
    return see_other(
        request,
        Page.WEEK,
        plan_id=access.plan.id,
        item_id=item.id,
        query={"week": monday.isoformat(), "saved": "true"},
    )
