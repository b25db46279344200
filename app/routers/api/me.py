"""GET /api/v1/me: who this token (or session) acts as."""

from fastapi import APIRouter
from pydantic import BaseModel

from app.dependencies import CurrentPerson, SessionDep, requires
from app.models import Organisation, PersonRole
from app.permissions import Permission

router = APIRouter(prefix="/api/v1", tags=["people"])


class OrganisationOut(BaseModel):
    id: int
    name: str
    kind: str


class Me(BaseModel):
    id: int
    display_name: str
    email: str | None
    role: PersonRole
    organisation: OrganisationOut | None


@router.get(
    "/me",
    dependencies=[requires(Permission.SIGNED_IN)],
    responses={401: {"description": "No valid token or session"}},
)
def me(person: CurrentPerson, db: SessionDep) -> Me:
    organisation = db.get(Organisation, person.organisation_id) if person.organisation_id else None
    return Me(
        id=person.id or 0,
        display_name=person.display_name,
        email=person.email,
        role=person.role,
        organisation=OrganisationOut(id=organisation.id or 0, name=organisation.name, kind=organisation.kind)
        if organisation
        else None,
    )
