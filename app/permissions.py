"""Who may do what. Every route declares its permission here, and a test fails on any that does not.

Later parts add roles and the plan relationship; the rule stays in this one module.
"""

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from fastapi import Depends
from fastapi.routing import APIRoute

PERMISSION_ATTRIBUTE = "__oneplan_permission__"


class Permission(StrEnum):
    PUBLIC = "public"
    """Anyone, signed in or not: the start page, the health check, error pages."""


def requires(permission: Permission) -> Any:
    """A route dependency that declares (and, for protected permissions, enforces) the permission."""

    def check_permission() -> None:
        return None

    setattr(check_permission, PERMISSION_ATTRIBUTE, permission)
    return Depends(check_permission)


def declared_permission(route: APIRoute) -> Permission | None:
    """The permission a route declared through `requires`, looking through router dependencies too."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        call: Callable[..., Any] | None = dependency.call
        permission = getattr(call, PERMISSION_ATTRIBUTE, None)
        if permission is not None:
            return Permission(permission)
        pending.extend(dependency.dependencies)
    return None
