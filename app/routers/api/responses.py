"""What every API router shares: the problem shape, the answers each route documents, and a 422
shaped like FastAPI's own from the services' problems."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel

from app.services.plans import items, plans

MAX_ROW_ID = 2_147_483_647


class Problem(BaseModel):
    detail: str


# Documented answers ------------------------------------------------------------------------------

Responses = dict[int | str, dict[str, Any]]

UNSIGNED: Responses = {401: {"model": Problem, "description": "No valid token or session"}}
FORBIDDEN: Responses = {
    403: {"model": Problem, "description": "Your role, or your part in this plan, does not allow it"}
}
ABSENT: Responses = {
    404: {"model": Problem, "description": "No such plan for you (or no such item or member in it)"}
}
ENDED: Responses = {
    409: {"model": Problem, "description": "The plan's stage does not allow this now (issued or ended)"}
}
UNREADABLE: Responses = {400: {"model": Problem, "description": "The body is not readable JSON"}}
READ: Responses = {**UNSIGNED, **FORBIDDEN, **ABSENT}
SENT: Responses = {**READ, **UNREADABLE}
WRITE: Responses = {**SENT, **ENDED}
ETAG_HEADER: dict[str, Any] = {
    "ETag": {"description": 'The current revision, as a strong ETag ("3")', "schema": {"type": "string"}}
}


@contextmanager
def input_problems(where: str = "body", rename: Mapping[str, str] | None = None) -> Iterator[None]:
    """What the services cannot use, as a 422 shaped like FastAPI's own validation errors."""
    try:
        yield
    except plans.PlanProblem as problem:
        raise unprocessable({problem.field: str(problem)}, where, rename or {}) from None
    except items.ContentProblem as problem:
        raise unprocessable(problem.errors, where, rename or {}) from None


def unprocessable(errors: Mapping[str, str], where: str, rename: Mapping[str, str]) -> HTTPException:
    detail = [
        {"loc": [where, rename.get(field, field)], "msg": message, "type": "value_error"}
        for field, message in errors.items()
    ]
    return HTTPException(422, detail=detail)
