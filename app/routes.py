"""The routes as the app serves them, and the permission each declares: for the routing of shared
paths and for the tests that walk every route (the permission matrix, the write-field checks)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant

from app.permissions import PERMISSION_ATTRIBUTE, Permission


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    dependant: Dependant


def app_routes(app: FastAPI) -> Iterator[RouteInfo]:
    """Every API and page route as served, through included routers (FastAPI nests them)."""
    for context in routing.iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        if isinstance(dependant, Dependant) and context.path:
            yield RouteInfo(context.path, frozenset((context.methods or set()) - {"HEAD"}), dependant)


def declared_permission(dependant: Dependant) -> Permission | None:
    """The permission a route declared through `requires`, looking through nested dependencies."""
    pending = list(dependant.dependencies)
    while pending:
        dependency = pending.pop()
        call: Callable[..., Any] | None = dependency.call
        permission = getattr(call, PERMISSION_ATTRIBUTE, None)
        if permission is not None:
            return Permission(permission)
        pending.extend(dependency.dependencies)
    return None
