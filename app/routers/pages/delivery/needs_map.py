"""The needs map: each need with the support level and the evidence behind it."""

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.dependencies import ActorDep, CurrentPlan, SessionDep, requires
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
