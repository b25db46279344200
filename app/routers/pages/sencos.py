"""Who is a school's SENCo: its education staff, and buttons to designate one or end a designation.

The council's administrator reaches the page from the list of organisations; a school's SENCo from the
school's list of children with plans (they may designate a colleague, an assistant SENCo).
"""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dependencies import ActorDep, RowId, SessionDep, requires
from app.models import PersonRole
from app.permissions import Permission
from app.rendering import render
from app.services import sencos
from app.urls import Page, see_other

router = APIRouter()


def _page(
    request: Request, db: SessionDep, actor: ActorDep, setting_id: int, errors: dict[str, str]
) -> Response:
    setting = sencos.setting_to_manage(db, actor, setting_id)
    me = actor.signed_in()
    context = {
        "setting": setting,
        "staff": sencos.staff_of(db, me, setting_id),
        "errors": errors,
        "is_administrator": me.role is PersonRole.ADMINISTRATOR,
    }
    return render(request, "pages/lists/sencos.html", context)


@router.get(
    "/settings/{setting_id}/sencos",
    name="setting_sencos_page",
    dependencies=[requires(Permission.DESIGNATE_SENCO)],
)
def setting_sencos_page(request: Request, db: SessionDep, actor: ActorDep, setting_id: RowId) -> Response:
    """The school's education staff and which of them are its SENCos."""
    return _page(request, db, actor, setting_id, {})


@router.post(
    "/settings/{setting_id}/sencos/{person_id}",
    name="designate_senco_form",
    dependencies=[requires(Permission.DESIGNATE_SENCO)],
)
def designate_senco(
    request: Request, db: SessionDep, actor: ActorDep, setting_id: RowId, person_id: RowId
) -> Response:
    try:
        sencos.designate(db, actor, setting_id, person_id)
    except sencos.SencoProblem as problem:
        return _page(request, db, actor, setting_id, {"person_id": str(problem)})
    return see_other(request, Page.SETTING_SENCOS, setting_id=setting_id)


@router.post(
    "/settings/{setting_id}/sencos/{person_id}/end",
    name="end_senco_form",
    dependencies=[requires(Permission.DESIGNATE_SENCO)],
)
def end_senco(
    request: Request, db: SessionDep, actor: ActorDep, setting_id: RowId, person_id: RowId
) -> Response:
    try:
        sencos.end_designation(db, actor, setting_id, person_id)
    except sencos.SencoProblem as problem:
        return _page(request, db, actor, setting_id, {"person_id": str(problem)})
    return see_other(request, Page.SETTING_SENCOS, setting_id=setting_id)
