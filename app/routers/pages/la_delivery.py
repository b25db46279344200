"""The local authority's delivery page: shortfalls by setting and by kind of provision, reduced timetables
by length. Plans are named by reference only; a case officer opens a plan they are a member of.
"""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPerson, SessionDep, SettingsDep, requires
from app.permissions import Permission
from app.rendering import render
from app.services.delivery import overview

router = APIRouter()


@router.get("/la/delivery", dependencies=[requires(Permission.READ_LA_OVERVIEW)])
def la_delivery_page(
    request: Request, db: SessionDep, settings: SettingsDep, actor: ActorDep, person: CurrentPerson
) -> Response:
    found = overview.la_delivery(db, settings, actor, person)
    return render(request, "pages/delivery/la.html", {"la": found})
