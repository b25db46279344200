"""Ending or changing agreed provision with a reason, and the family's reply."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.forms.delivery import EndingForm, ReplyForm
from app.permissions import Permission, PlanAccess
from app.rendering import render
from app.routers.pages.delivery.common import plan_and_child
from app.routers.pages.inputs import FormValues
from app.services.delivery import changes
from app.services.delivery.common import provision_item
from app.services.plans import changes as plan_changes
from app.services.plans import items
from app.services.plans.items import ContentProblem
from app.services.plans.plans import people_by_id
from app.urls import Page, see_other

router = APIRouter(prefix="/plans/{plan_id}")


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
    context = {
        **plan_and_child(db, access),
        "item": item,
        "revision": revision,
        "errors": errors,
        "values": values,
    }
    return render(request, "pages/delivery/end.html", context)


@router.get("/items/{item_id}/end", dependencies=[requires(Permission.CONTRIBUTE)])
def end_page(request: Request, db: SessionDep, access: CurrentPlan, item_id: RowId) -> Response:
    return _end_form(request, db, access, item_id, {}, {})


@router.post(
    "/items/{item_id}/end", name="end_provision_form", dependencies=[requires(Permission.CONTRIBUTE)]
)
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
    typed, errors = EndingForm.read(form)
    if typed is not None:
        try:
            change = changes.end_provision(
                db,
                settings,
                actor,
                access,
                item,
                changes.Ending(reason=typed.reason, effective_on=typed.effective_on),
            )
        except ContentProblem as problem:
            errors = EndingForm.problem_errors(problem)
        else:
            return see_other(request, Page.PROVISION_CHANGE, plan_id=access.plan.id, change_id=change.id)
    return _end_form(request, db, access, item_id, errors, EndingForm.shown(form))


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
        **plan_and_child(db, access),
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


@router.post(
    "/provision-changes/{change_id}/responses",
    name="respond_form",
    dependencies=[requires(Permission.CONTRIBUTE)],
)
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
    typed, errors = ReplyForm.read(form)
    if typed is not None:
        try:
            changes.respond(db, settings, actor, access, record, changes.Response(text=typed.text))
        except ContentProblem as problem:
            errors = ReplyForm.problem_errors(problem)
        else:
            return see_other(
                request,
                Page.PROVISION_CHANGE,
                plan_id=access.plan.id,
                change_id=change_id,
                fragment="replies",
            )
    return _change_page(request, db, access, record, errors, ReplyForm.shown(form))
