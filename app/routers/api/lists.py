"""The council's list of every child and plan, as JSON: searched and keyset-paged as its page is."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.dependencies import ActorDep, SessionDep, requires
from app.models import PlanKind, PlanStatus, SupportLayer
from app.models.base import id_of
from app.permissions import Permission
from app.routers.api.responses import FORBIDDEN, UNSIGNED
from app.services.lists import council

router = APIRouter(prefix="/api/v1", tags=["lists"])

Cursor = Annotated[int | None, Query(ge=1, le=2_147_483_647)]


class CouncilRowOut(BaseModel):
    plan_id: int
    reference: str
    child_name: str
    setting: str | None
    kind: PlanKind
    status: PlanStatus
    layer: SupportLayer | None
    """An ISP's layer of support (none for other plans)."""


class CouncilPageOut(BaseModel):
    local_authority_id: int
    search: str
    plans: list[CouncilRowOut]
    next_after: int | None
    """Ask again with `after=` this for the next page (none: this is the last)."""
    previous_before: int | None
    """Ask again with `before=` this for the page before (none: this is the first)."""


@router.get(
    "/la/plans", dependencies=[requires(Permission.READ_LA_OVERVIEW)], responses={**UNSIGNED, **FORBIDDEN}
)
def council_plans(
    db: SessionDep,
    actor: ActorDep,
    q: Annotated[str, Query(max_length=200)] = "",
    after: Cursor = None,
    before: Cursor = None,
) -> CouncilPageOut:
    """Every child and plan of the caller's council, by name, 25 at a time; `q`: the start of a word of
    the name (every word searched must start one) or a reference, OP-1003."""
    own = council.council_of(db, actor)
    page = council.council_page(
        db, actor, id_of(own), search=q.replace("\x00", ""), after=after, before=before
    )
    return CouncilPageOut(
        local_authority_id=id_of(own),
        search=page.search,
        plans=[
            CouncilRowOut(
                plan_id=row.plan_id,
                reference=row.reference,
                child_name=row.child_name,
                setting=row.setting,
                kind=row.kind,
                status=row.status,
                layer=row.layer,
            )
            for row in page.rows
        ],
        next_after=page.after,
        previous_before=page.before,
    )
