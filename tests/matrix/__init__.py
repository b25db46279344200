"""The permission matrix: for every route, the status each kind of caller gets, by relationship.

Each part of the domain lists its routes in a module here (`tests/matrix/<part>.py`, a `ROUTES`
list); `tests/test_permission_matrix.py` fails on any route of the app that no module lists, and
plays every route as an anonymous visitor and as each role, for each relationship the entry names
(the write routes in `tests/test_audit_every_write.py`, which also checks the event each play recorded).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from app.models import Person, PersonRole

ANONYMOUS = "anonymous"
CALLERS: tuple[str, ...] = (ANONYMOUS, *(role.value for role in PersonRole))


class Relationship(StrEnum):
    NONE = "none"
    """The route is about no one's thing in particular."""
    OWN = "own"
    """The caller's own thing (their token, their child)."""
    OTHER = "other"
    """Someone else's thing of the same kind."""


# Builds the path parameters for a caller and relationship (creating the thing in the database).
ParamsBuilder = Callable[[Session, Person | None, Relationship], Mapping[str, Any]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    expect: Mapping[Relationship, Mapping[str, int]]
    """Relationship -> caller -> status code."""
    params: ParamsBuilder | None = None
    form: Mapping[str, str] = field(default_factory=dict)
    json: Any = None


SEES_NO_PLAN = {PersonRole.ADMINISTRATOR.value: 404}
"""Administrators see no plan: every plan's address is absent for them (404), as for a stranger.

On a plan the caller may not see (OTHER), every signed-in caller gets 404, whatever their role.
"""


def statuses(default: int, **by_caller: int) -> dict[str, int]:
    """Every caller gets `default` except the ones named (anonymous=..., administrator=...)."""
    return {caller: by_caller.get(caller, default) for caller in CALLERS}


def only(
    roles: set[PersonRole] | frozenset[PersonRole], allowed: int, *, refused: int, anonymous: int
) -> dict[str, int]:
    """`allowed` for these roles, `refused` for the other roles, `anonymous` for visitors."""
    result = {role.value: allowed if role in roles else refused for role in PersonRole}
    return {ANONYMOUS: anonymous, **result}
