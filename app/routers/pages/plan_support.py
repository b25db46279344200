"""The Individual Support Plan's pages: turn a SEN Support plan into one, move the child between layers
of support, and change the duty holder or the next review date (the plan's coordinator only)."""

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPlan, SessionDep, requires
from app.forms.support import ConvertForm, DetailsForm, LayerForm
from app.models import ENDED_STATUSES, PLAN_KIND_LABELS, Child, PlanKind, SupportLayer
from app.permissions import Permission, PlanAccess
from app.rendering import render
from app.routers.pages.inputs import FormValues
from app.services.plans import support
from app.services.plans.access import refuse_change
from app.services.plans.plans import PlanProblem
from app.services.plans.words import plan_words
from app.urls import Page, see_other

router = APIRouter(prefix="/plans/{plan_id}")


def _page(
    request: Request,
    db: Session,
    access: PlanAccess,
    template: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    support.must_coordinate(access)
    plan = access.plan
    wanted = PlanKind.SEN_SUPPORT if template.endswith("isp_convert.html") else PlanKind.ISP
    if plan.kind is not wanted or plan.status in ENDED_STATUSES:
        refuse_change(access, f"This is not a live {PLAN_KIND_LABELS[wanted]}.", action="isp.refused")
    from_words = plan_words(db, plan.local_authority_id)  # a plan about to become an ISP too
    current = values or {}
    context: dict[str, Any] = {
        "plan": plan,
        "child": db.get(Child, plan.child_id),
        "errors": errors or {},
        "values": current,
        "plan_words": from_words,
        "layer_items": [
            {
                "value": layer.value,
                "text": from_words.layer_name(layer),
                "checked": current.get("layer") == layer.value,
            }
            for layer in SupportLayer
            if layer is not plan.support_layer
        ],
        "duty_holders": [
            (str(person.id), person.display_name) for person in support.duty_holders(db, access)
        ],
        "steps": support.layer_steps(db, plan.id or 0),
    }
    return render(request, template, context)


@router.get("/support-plan", name="isp_convert_page", dependencies=[requires(Permission.COORDINATE)])
def convert_page(request: Request, db: SessionDep, access: CurrentPlan) -> Response:
    coordinator = access.person
    values = {"duty_holder_id": str(coordinator.id)}
    return _page(request, db, access, "pages/plans/isp_convert.html", values=values)


@router.post("/support-plan", name="isp_convert_form", dependencies=[requires(Permission.COORDINATE)])
def convert(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    typed, errors = ConvertForm.read(form)
    if typed is not None:
        new = support.NewIsp(**typed.model_dump())
        try:
            support.convert_to_isp(db, actor, access, new)
        except PlanProblem as problem:
            errors = ConvertForm.problem_errors(problem)
        else:
            return see_other(request, Page.PLAN, plan_id=access.plan.id, fragment="support")
    return _page(request, db, access, "pages/plans/isp_convert.html", errors, ConvertForm.shown(form))


@router.get("/layer", name="layer_page", dependencies=[requires(Permission.COORDINATE)])
def layer_page(request: Request, db: SessionDep, access: CurrentPlan) -> Response:
    return _page(request, db, access, "pages/plans/isp_layer.html")


@router.post("/layer", name="change_layer_form", dependencies=[requires(Permission.COORDINATE)])
def change_layer(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    typed, errors = LayerForm.read(form)
    if typed is not None:
        try:
            support.change_layer(db, actor, access, support.LayerMove(**typed.model_dump()))
        except PlanProblem as problem:
            errors = LayerForm.problem_errors(problem)
        else:
            return see_other(request, Page.PLAN, plan_id=access.plan.id, fragment="support")
    return _page(request, db, access, "pages/plans/isp_layer.html", errors, LayerForm.shown(form))


@router.get("/support-plan/details", name="isp_details_page", dependencies=[requires(Permission.COORDINATE)])
def details_page(request: Request, db: SessionDep, access: CurrentPlan) -> Response:
    plan = access.plan
    values = {"duty_holder_id": str(plan.duty_holder_id or "")}
    if plan.next_review_on is not None:
        day = plan.next_review_on
        values |= {"next_review_on-day": str(day.day), "next_review_on-month": str(day.month)}
        values["next_review_on-year"] = str(day.year)
    return _page(request, db, access, "pages/plans/isp_details.html", values=values)


@router.post("/support-plan/details", name="isp_details_form", dependencies=[requires(Permission.COORDINATE)])
def change_details(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    typed, errors = DetailsForm.read(form)
    if typed is not None:
        try:
            support.change_details(db, actor, access, support.IspDetails(**typed.model_dump()))
        except PlanProblem as problem:
            errors = DetailsForm.problem_errors(problem)
        else:
            return see_other(request, Page.PLAN, plan_id=access.plan.id, fragment="support")
    return _page(request, db, access, "pages/plans/isp_details.html", errors, DetailsForm.shown(form))
