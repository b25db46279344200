"""Moving setting: the child's plan goes with them to a new school."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.clock import uk_today as today
from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.forms import date_boxes
from app.forms.delivery import MoveForm
from app.models import SETTING_PHASE_LABELS, Organisation
from app.permissions import Permission, PlanAccess
from app.rendering import render
from app.routers.pages.delivery.common import plan_and_child
from app.routers.pages.inputs import FormValues
from app.services.delivery import moves, placement
from app.services.plans.items import ContentProblem
from app.urls import Page, see_other

router = APIRouter(prefix="/plans/{plan_id}")


# Moving setting ----------------------------------------------------------------------------------


def _move_form(
    request: Request, db: SessionDep, access: PlanAccess, errors: dict[str, str], values: dict[str, str]
) -> Response:
    moves.check_may_move(access)
    schools = moves.schools_of(db, access)
    names = {school.id: school.name for school in schools}
    sencos = moves.sencos_of(db, schools)
    context = {
        **plan_and_child(db, access),
        "errors": errors,
        "values": values,
        "schools": [(str(school.id), _with_phase(school)) for school in schools],
        "waiting": moves.waiting_move(db, int(access.plan.id or 0)),
        "undesignated": [school.name for school in moves.undesignated(db, schools)],
        "amends": placement.amends_issued_plan(access.plan),
        "sencos": [
            (str(person.id), f"{person.display_name}, {names.get(person.organisation_id, '')}")
            for person in sencos
        ],
    }
    return render(request, "pages/delivery/move.html", context)


def _with_phase(school: Organisation) -> str:
    return f"{school.name} ({SETTING_PHASE_LABELS[school.phase].lower()})" if school.phase else school.name


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
                    reason=typed.reason or None,
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


@router.post(
    "/moves/{move_id}/cancel", name="cancel_move_form", dependencies=[requires(Permission.CONTRIBUTE)]
)
def cancel_move(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, move_id: RowId
) -> Response:
    """A move still waiting for its day is called off; the plan stays as it is."""
    moves.cancel_move(db, actor, access, move_id)
    return see_other(request, Page.PLAN, plan_id=access.plan.id)
