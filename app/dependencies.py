"""Request-scoped dependencies shared by both doors (API and pages)."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.db import session_scope


def get_session(request: Request) -> Iterator[Session]:
    """The request's one session; it commits before the response is sent (scope="function")."""
    yield from session_scope(request.app.state.engine)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
