"""GET /healthz: load balancers ask whether this process can reach its database."""

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.dependencies import SessionDep, requires
from app.permissions import Permission

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str


@router.get(
    "/healthz",
    dependencies=[requires(Permission.PUBLIC)],
    responses={503: {"model": Health, "description": "The database does not answer"}},
)
def healthz(session: SessionDep, response: Response) -> Health:
    """200 when the database answers a query, 503 when it does not."""
    try:
        session.connection().execute(text("SELECT 1"))
    except SQLAlchemyError:
        session.rollback()
        response.status_code = 503
        return Health(status="unavailable", database="unreachable")
    return Health(status="ok", database="ok")
