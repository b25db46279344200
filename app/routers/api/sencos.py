"""Who is a school's SENCo, as JSON: the school's education staff, and designating or ending a designation
(the council's administrator; a school's SENCo for a colleague)."""

from fastapi import APIRouter, status
from pydantic import BaseModel

from app.dependencies import ActorDep, RowId, SessionDep, requires
from app.permissions import Permission
from app.routers.api.responses import ABSENT, FORBIDDEN, UNSIGNED, unprocessable
from app.routers.api.routing import SharedPathRoute
from app.services import sencos

router = APIRouter(prefix="/api/v1", tags=["sencos"], route_class=SharedPathRoute)

RESPONSES = {**UNSIGNED, **FORBIDDEN, **ABSENT}
"""Someone who cannot be (or stop being) the school's SENCo is refused 422, as a validation error of
`person_id` with the reason."""


class StaffOut(BaseModel):
    person_id: int
    name: str
    is_senco: bool
    may_change: bool
    """Whether the caller may designate them, or end their designation."""


def _staff(db: SessionDep, actor: ActorDep, setting_id: int) -> list[StaffOut]:
    sencos.setting_to_manage(db, actor, setting_id)
    return [
        StaffOut(
            person_id=member.person.id or 0,
            name=member.person.display_name,
            is_senco=member.is_senco,
            may_change=member.may_change,
        )
        for member in sencos.staff_of(db, actor.signed_in(), setting_id)
    ]


@router.get(
    "/settings/{setting_id}/sencos", dependencies=[requires(Permission.DESIGNATE_SENCO)], responses=RESPONSES
)
def setting_sencos(db: SessionDep, actor: ActorDep, setting_id: RowId) -> list[StaffOut]:
    """The school's education staff and which of them are its SENCos; another school's is absent (404)."""
    return _staff(db, actor, setting_id)


@router.put(
    "/settings/{setting_id}/sencos/{person_id}",
    dependencies=[requires(Permission.DESIGNATE_SENCO)],
    responses=RESPONSES,
)
def designate_senco(db: SessionDep, actor: ActorDep, setting_id: RowId, person_id: RowId) -> list[StaffOut]:
    """Designate one of the school's education staff as a SENCo (again: nothing changes); audited."""
    try:
        sencos.designate(db, actor, setting_id, person_id)
    except sencos.SencoProblem as problem:
        raise unprocessable({"person_id": str(problem)}, "path", {}) from None
    return _staff(db, actor, setting_id)


@router.delete(
    "/settings/{setting_id}/sencos/{person_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[requires(Permission.DESIGNATE_SENCO)],
    responses=RESPONSES,
)
def end_senco(db: SessionDep, actor: ActorDep, setting_id: RowId, person_id: RowId) -> None:
    """End a colleague's designation (a SENCo's own is ended by the administrator); audited."""
    try:
        sencos.end_designation(db, actor, setting_id, person_id)
    except sencos.SencoProblem as problem:
        raise unprocessable({"person_id": str(problem)}, "path", {}) from None
