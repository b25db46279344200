"""Pages for provision as delivered: the delivery log's week grid, reduced timetables, ending provision
with a reason (and the family's reply), the needs map, and moving setting.
"""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.clock import uk_today as today
from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.models import (
    CONFIDENCE_LABELS,
    SUPPORT_LEVEL_LABELS,
    TIMETABLE_DECISION_LABELS,
    Child,
    Confidence,
    DeliveryStatus,
    SupportLevel,
    TimetableDecisionKind,
)
from app.permissions import Permission, PlanAccess
from app.rendering import render
from app.routers.pages.plans import FormValues
from app.services.delivery import arithmetic, changes, log, moves, needs_map, overview, timetables
from app.services.delivery.common import may_manage_timetable, may_move_setting, provision_item
from app.services.plans import changes as plan_changes
from app.services.plans import items
from app.services.plans.access import refuse
from app.services.plans.items import ContentProblem
from app.services.plans.plans import people_by_id

router = APIRouter(prefix="/plans/{plan_id}")


def _date(
    values: dict[str, str], name: str, label: str, errors: dict[str, str], *, required: bool = True
) -> date | None:
    text = values.get(name, "").strip()
    if not text:
        if required:
            errors[name] = f"Enter {label}"
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{label[0].upper()}{label[1:]} must be a real date, like 2026-11-23"
        return None


def _base(db: SessionDep, access: PlanAccess) -> dict[str, Any]:
    return {"plan": access.plan, "child": db.get(Child, access.plan.child_id)}


# The delivery log --------------------------------------------------------------------------------


@router.get("/delivery", dependencies=[requires(Permission.READ_PLANS)])
def delivery_page(
    request: Request, db: SessionDep, settings: SettingsDep, actor: ActorDep, access: CurrentPlan
) -> Response:
    provisions = overview.read_plan_delivery(db, settings, actor, access)
    context = {
        **_base(db, access),
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
        context = {**_base(db, access), "item": item, "revision": revision, "problem": problem.errors["item"]}
        return render(request, "pages/delivery/unquantified.html", context)
    context = {
        **_base(db, access),
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


@router.post("/delivery/{item_id}", dependencies=[requires(Permission.CONTRIBUTE)])
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
    errors: dict[str, str] = {}
    monday = _date(form, "week", "the week", errors) or today()
    monday = arithmetic.monday_of(monday)
    entries = []
    for day in arithmetic.week_days(monday):
        key = day.isoformat()
        status = form.get(f"status-{key}", "")
        if not status:
            continue
        if status not in {s.value for s in DeliveryStatus}:
            errors[f"status-{key}"] = "Select delivered or missed"
            continue
        amount_text = form.get(f"amount-{key}", "").strip()
        amount = None
        if amount_text and status == DeliveryStatus.DELIVERED.value:
            try:
                amount = float(amount_text)
            except ValueError:
                errors[f"amount-{key}"] = "Enter the amount as a number, like 1 or 0.5"
                continue
        entries.append(log.DayEntry(day, DeliveryStatus(status), amount, form.get(f"reason-{key}")))
    if not errors:
        try:
            log.record_week(db, settings, actor, access, item, revision, monday, entries)
        except ContentProblem as problem:
            errors = problem.errors
    if errors:
        return _grid(request, db, settings, actor, access, item_id, monday, errors=errors, values=form)
    return RedirectResponse(
        f"/plans/{access.plan.id}/delivery/{item.id}?week={monday.isoformat()}&saved=true", status_code=303
    )


# Reduced timetables ------------------------------------------------------------------------------

TIMETABLE_FIELDS = ("starts_on", "planned_end_on", "hours_a_week", "reason", "return_plan", "review_on")


def _timetable_form(
    request: Request, db: SessionDep, access: PlanAccess, errors: dict[str, str], values: dict[str, str]
) -> Response:
    return render(
        request,
        "pages/delivery/timetable_new.html",
        {**_base(db, access), "errors": errors, "values": values},
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
    starts_on = _date(values, "starts_on", "the day it starts", errors)
    planned_end_on = _date(values, "planned_end_on", "the planned end", errors)
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
    review_on = _date(values, "review_on", "the date of the first review", errors)
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
        **_base(db, access),
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
    next_review = _date(values, "next_review_on", "the next review", errors, required=False)
    planned_end = _date(values, "planned_end_on", "the new planned end", errors, required=False)
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


# Ending provision, and the family's reply --------------------------------------------------------


def _end_form(
    request: Request,
    db: SessionDep,
    access: PlanAccess,
    item_id: int,
    errors: dict[str, str],
    values: dict[str, str],
) -> Response:
    item, revision = provision_item(db, access, item_id)
    items.check_revisable(access, item)
    context = {**_base(db, access), "item": item, "revision": revision, "errors": errors, "values": values}
    return render(request, "pages/delivery/end.html", context)


@router.get("/items/{item_id}/end", dependencies=[requires(Permission.CONTRIBUTE)])
def end_page(request: Request, db: SessionDep, access: CurrentPlan, item_id: RowId) -> Response:
    return _end_form(request, db, access, item_id, {}, {})


@router.post("/items/{item_id}/end", dependencies=[requires(Permission.CONTRIBUTE)])
def end_provision(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    access: CurrentPlan,
    item_id: RowId,
    form: FormValues,
) -> Response:
    item, _revision = provision_item(db, access, item_id)
    values = {"reason": form.get("reason", ""), "effective_on": form.get("effective_on", "")}
    errors: dict[str, str] = {}
    effective_on = _date(values, "effective_on", "the day it ends", errors, required=False)
    if not values["reason"].strip():
        errors["reason"] = changes.NO_REASON
    elif len(values["reason"]) > changes.MAX_REASON:
        errors["reason"] = f"The reason must be {changes.MAX_REASON} characters or fewer"
    if not errors:
        try:
            change = changes.end_provision(
                db,
                settings,
                actor,
                access,
                item,
                changes.Ending(reason=values["reason"], effective_on=effective_on),
            )
        except ContentProblem as problem:
            errors = problem.errors
        else:
            return RedirectResponse(f"/plans/{access.plan.id}/provision-changes/{change.id}", status_code=303)
    return _end_form(request, db, access, item_id, errors, values)


def _change_page(
    request: Request,
    db: SessionDep,
    access: PlanAccess,
    record: changes.ChangeRecord,
    errors: dict[str, str],
    values: dict[str, str],
) -> Response:
    revision = items.current_revision(db, record.item)
    people = people_by_id(db, {record.change.made_by_id, *(r.author_id for r in record.responses)})
    changed = changes.revisions_changed(db, record.change)
    context = {
        **_base(db, access),
        "record": record,
        "revision": revision,
        "changed": changed,
        "words": plan_changes.word_diff(changed[0].text, changed[1].text) if changed else [],
        "particulars": plan_changes.particulars_diff(*changed) if changed else [],
        "people": people,
        "errors": errors,
        "values": values,
        "may_respond": changes.may_respond(access),
    }
    return render(request, "pages/delivery/change.html", context)


@router.get("/provision-changes/{change_id}", dependencies=[requires(Permission.READ_PLANS)])
def change_page(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, change_id: RowId
) -> Response:
    return _change_page(request, db, access, changes.read_change(db, actor, access, change_id), {}, {})


@router.post("/provision-changes/{change_id}/responses", dependencies=[requires(Permission.CONTRIBUTE)])
def respond(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    access: CurrentPlan,
    change_id: RowId,
    form: FormValues,
) -> Response:
    record = changes.plan_change(db, access, change_id)
    values = {"text": form.get("text", "")}
    errors: dict[str, str] = {}
    if len(values["text"]) > 5000:
        errors["text"] = "Your reply must be 5,000 characters or fewer"
    else:
        try:
            changes.respond(db, settings, actor, access, record, changes.Response(text=values["text"]))
        except ContentProblem as problem:
            errors = problem.errors
        else:
            return RedirectResponse(
                f"/plans/{access.plan.id}/provision-changes/{change_id}#replies", status_code=303
            )
    return _change_page(request, db, access, record, errors, values)


# The needs map -----------------------------------------------------------------------------------


def _needs_map_page(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: PlanAccess,
    errors: dict[str, str],
    values: dict[str, str],
) -> Response:
    found = needs_map.read_needs_map(db, actor, access)
    people = people_by_id(db, {entry.recorded_by_id for row in found.rows for entry in row.entries})
    context = {
        **_base(db, access),
        "map": found,
        "people": people,
        "errors": errors,
        "values": values,
        "may_map": needs_map.may_map(access),
        "needs": [(str(row.item.id), row.revision.text[:80]) for row in found.rows],
        "supports": [(level.value, SUPPORT_LEVEL_LABELS[level]) for level in SupportLevel],
        "confidences": [(level.value, CONFIDENCE_LABELS[level]) for level in Confidence],
    }
    return render(request, "pages/delivery/needs_map.html", context)


@router.get("/needs-map", dependencies=[requires(Permission.READ_PLANS)])
def needs_map_page(request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan) -> Response:
    return _needs_map_page(request, db, actor, access, {}, {})


@router.post("/needs-map", dependencies=[requires(Permission.CONTRIBUTE)])
def add_needs_map_entry(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    if not needs_map.may_map(access):
        refuse(access, "Only members of this plan add to its needs map.", action="needs_map.refused")
    values = {
        name: form.get(name, "")
        for name in ("item_id", "setting_support", "support_offered", "family_confidence")
    }
    errors: dict[str, str] = {}
    if not values["item_id"].isdigit() or len(values["item_id"]) > 9:
        errors["item_id"] = "Select a need of this plan"
    if values["setting_support"] not in {level.value for level in SupportLevel}:
        errors["setting_support"] = "Select how well the setting supports this need"
    if not values["support_offered"].strip():
        errors["support_offered"] = "Enter the support the setting offers for this need"
    elif len(values["support_offered"]) > 1000:
        errors["support_offered"] = "Use 1,000 characters or fewer"
    if values["family_confidence"] not in {level.value for level in Confidence}:
        errors["family_confidence"] = "Select how confident the family feels at home"
    if not errors:
        try:
            needs_map.record_entry(
                db,
                actor,
                access,
                needs_map.NewNeedsMapEntry(
                    item_id=int(values["item_id"]),
                    setting_support=SupportLevel(values["setting_support"]),
                    support_offered=values["support_offered"],
                    family_confidence=Confidence(values["family_confidence"]),
                ),
            )
        except ContentProblem as problem:
            errors = problem.errors
        else:
            return RedirectResponse(f"/plans/{access.plan.id}/needs-map", status_code=303)
    return _needs_map_page(request, db, actor, access, errors, values)


# Moving setting ----------------------------------------------------------------------------------


def _move_form(
    request: Request, db: SessionDep, access: PlanAccess, errors: dict[str, str], values: dict[str, str]
) -> Response:
    if not may_move_setting(access):
        refuse(
            access,
            "Only the plan's coordinator or the local authority records a move of school.",
            action="move.refused",
        )
    schools = moves.schools_of(db, access)
    names = {school.id: school.name for school in schools}
    sencos = moves.sencos_of(db, schools)
    context = {
        **_base(db, access),
        "errors": errors,
        "values": values,
        "schools": [(str(school.id), school.name) for school in schools],
        "sencos": [
            (str(person.id), f"{person.display_name}, {names.get(person.organisation_id, '')}")
            for person in sencos
        ],
        "today": today(),
    }
    return render(request, "pages/delivery/move.html", context)


@router.get("/move", dependencies=[requires(Permission.CONTRIBUTE)])
def move_page(request: Request, db: SessionDep, access: CurrentPlan) -> Response:
    return _move_form(request, db, access, {}, {})


@router.post("/move", dependencies=[requires(Permission.CONTRIBUTE)])
def move_setting(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    access: CurrentPlan,
    form: FormValues,
) -> Response:
    values = {name: form.get(name, "") for name in ("to_setting_id", "new_senco_id", "moves_on")}
    errors: dict[str, str] = {}
    for name, message in (
        ("to_setting_id", "Select the new school"),
        ("new_senco_id", "Select the new school's SENCo"),
    ):
        if not values[name].isdigit() or len(values[name]) > 9:
            errors[name] = message
    moves_on = _date(values, "moves_on", "the day of the move", errors)
    if not errors and moves_on is not None:
        try:
            moves.move_setting(
                db,
                settings,
                actor,
                access,
                moves.NewMove(
                    to_setting_id=int(values["to_setting_id"]),
                    new_senco_id=int(values["new_senco_id"]),
                    moves_on=moves_on,
                ),
            )
        except ContentProblem as problem:
            errors = problem.errors
        else:
            still_on = access.membership is not None and access.membership.removed_at is None
            return RedirectResponse(f"/plans/{access.plan.id}" if still_on else "/plans", status_code=303)
    return _move_form(request, db, access, errors, values)
