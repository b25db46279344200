"""Moving setting: the child's plan goes with them to a new school."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.clock import uk_today as today
from app.dependencies import ActorDep, CurrentPlan, SessionDep, SettingsDep, requires
from app.forms import date_boxes
from app.forms.delivery import MoveForm
from app.permissions import Permission, PlanAccess
from app.rendering import render
from app.routers.pages.delivery.common import plan_and_child
from app.routers.pages.inputs import FormValues
from app.services.delivery import moves
from app.services.delivery.common import may_move_setting
from app.services.plans.access import refuse
from app.services.plans.items import ContentProblem
from app.urls import Page, see_other

router = APIRouter(prefix="/plans/{plan_id}")


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
        **plan_and_child(db, access),
        "errors": errors,
        "values": values,
        "schools": [(str(school.id), school.name) for school in schools],
        "sencos": [
            (str(person.id), f"{person.display_name}, {names.get(person.organisation_id, '')}")
            for person in sencos
        ],
    }
    return render(request, "pages/delivery/move.html", context)


@router.get("/move", dependencies=[requires(Permission.CONTRIBUTE)])
def move_page(request: Request, db: SessionDep, access: CurrentPlan) -> Response:
    return _move_form(request, db, access, {}, date_boxes("moves_on", today()))


@router.post("/move", name="move_setting_form", dependencies=[requires(Permission.CONTRIBUTE)])
def move_setting(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    access: CurrentPlan,
    form: FormValues,
) -> Response:
    typed, errors = MoveForm.read(form)
    if typed is not None:
        try:
            moves.move_setting(
                db,
                settings,
                actor,
                access,
                moves.NewMove(
                    to_setting_id=typed.to_setting_id,
                    new_senco_id=typed.new_senco_id,
                    moves_on=typed.moves_on,
                ),
            )
        except ContentProblem as problem:
            errors = MoveForm.problem_errors(problem)
        else:
            still_on = access.membership is not None and access.membership.removed_at is None
            return (
                see_other(request, Page.PLAN, plan_id=access.plan.id)
                if still_on
                else see_other(request, Page.PLANS)
            )
    return _move_form(request, db, access, errors, MoveForm.shown(form))
