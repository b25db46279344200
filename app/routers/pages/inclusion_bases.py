"""Inclusion bases: a school's bases, who uses each and for how long a week, and giving a child a place."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, requires
from app.forms.experts import BaseForm, PlaceForm
from app.models import Child
from app.permissions import Permission, PlanAccess
from app.rendering import render
from app.routers.pages.inputs import FormValues
from app.services.experts import bases
from app.services.plans.items import ContentProblem
from app.urls import Page, see_other

router = APIRouter()


def _bases_page(
    request: Request, db: SessionDep, actor: ActorDep, errors: dict[str, str], values: dict[str, str]
) -> Response:
    context = {"summaries": bases.bases_of_my_school(db, actor), "errors": errors, "values": values}
    return render(request, "pages/experts/bases.html", context)


@router.get("/inclusion-bases", dependencies=[requires(Permission.CONTRIBUTE)])
def inclusion_bases_page(request: Request, db: SessionDep, actor: ActorDep) -> Response:
    return _bases_page(request, db, actor, {}, {})


@router.post(
    "/inclusion-bases", name="add_inclusion_base_form", dependencies=[requires(Permission.CONTRIBUTE)]
)
def add_inclusion_base(request: Request, db: SessionDep, actor: ActorDep, form: FormValues) -> Response:
    typed, errors = BaseForm.read(form)
    if typed is not None:
        try:
            base = bases.add_base(db, actor, typed.name)
        except ContentProblem as problem:
            errors = BaseForm.problem_errors(problem)
        else:
            return see_other(request, Page.INCLUSION_BASE, base_id=base.id)
    return _bases_page(request, db, actor, errors, BaseForm.shown(form))


@router.get("/inclusion-bases/{base_id}", dependencies=[requires(Permission.CONTRIBUTE)])
def inclusion_base_page(request: Request, db: SessionDep, actor: ActorDep, base_id: RowId) -> Response:
    return render(request, "pages/experts/base.html", {"roll": bases.base_roll(db, actor, base_id)})


def _place_form(
    request: Request, db: SessionDep, access: PlanAccess, errors: dict[str, str], values: dict[str, str]
) -> Response:
    choices = bases.bases_for_plan(db, access)
    context = {
        "plan": access.plan,
        "child": db.get(Child, access.plan.child_id),
        "bases": [(str(base.id), base.name) for base in choices],
        "errors": errors,
        "values": values,
    }
    return render(request, "pages/experts/place.html", context)


@router.get("/plans/{plan_id}/inclusion-place", dependencies=[requires(Permission.CONTRIBUTE)])
def inclusion_place_page(request: Request, db: SessionDep, access: CurrentPlan) -> Response:
    return _place_form(request, db, access, {}, {})


@router.post(
    "/plans/{plan_id}/inclusion-place",
    name="give_inclusion_place_form",
    dependencies=[requires(Permission.CONTRIBUTE)],
)
def give_inclusion_place(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    typed, errors = PlaceForm.read(form)
    if typed is not None:
        try:
            place = bases.give_place(
                db,
                actor,
                access,
                bases.NewPlace(base_id=typed.base_id, minutes_a_week=typed.minutes_a_week, text=typed.text),
            )
        except ContentProblem as problem:
            errors = PlaceForm.problem_errors(problem)
        else:
            return see_other(request, Page.INCLUSION_BASE, base_id=place.base_id)
    return _place_form(request, db, access, errors, PlaceForm.shown(form))
