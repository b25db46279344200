"""The needs map: each need with the support level and the evidence behind it."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPlan, SessionDep, requires
from app.forms.delivery import NeedsMapForm
from app.models import (
    CONFIDENCE_LABELS,
    SUPPORT_LEVEL_LABELS,
    Confidence,
    SupportLevel,
)
from app.permissions import Permission, PlanAccess
from app.rendering import render
from app.routers.pages.delivery.common import plan_and_child
from app.routers.pages.inputs import FormValues
from app.services.delivery import needs_map
from app.services.plans.access import refuse
from app.services.plans.items import ContentProblem
from app.services.plans.plans import people_by_id
from app.urls import Page, see_other

router = APIRouter(prefix="/plans/{plan_id}")


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
        **plan_and_child(db, access),
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


@router.post("/needs-map", name="add_needs_map_entry_form", dependencies=[requires(Permission.CONTRIBUTE)])
def add_needs_map_entry(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    if not needs_map.may_map(access):
        refuse(access, "Only members of this plan add to its needs map.", action="needs_map.refused")
    typed, errors = NeedsMapForm.read(form)
    if typed is not None:
        try:
            needs_map.record_entry(
                db,
                actor,
                access,
                needs_map.NewNeedsMapEntry(
                    item_id=typed.item_id,
                    setting_support=typed.setting_support,
                    support_offered=typed.support_offered,
                    family_confidence=typed.family_confidence,
                ),
            )
        except ContentProblem as problem:
            errors = NeedsMapForm.problem_errors(problem)
        else:
            return see_other(request, Page.NEEDS_MAP, plan_id=access.plan.id)
    return _needs_map_page(request, db, actor, access, errors, NeedsMapForm.shown(form))
