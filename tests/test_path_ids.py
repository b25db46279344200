"""Every row id in a path is a `RowId`: a number past the database's integer range is a 422 for the
person who typed it, never a database error (PostgreSQL refuses to compare an int column with it)."""

from collections.abc import Callable, Iterator
from typing import cast, get_args

from annotated_types import Le
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.dependencies import RowId
from app.models import Person
from app.routes import app_routes
from tests.test_plan_pages import plan_of

ROW_ID_LIMITS = get_args(RowId)[1].metadata
TOO_LARGE = next(cast(int, limit.le) for limit in ROW_ID_LIMITS if isinstance(limit, Le)) + 1


def _path_ids(dependant: Dependant) -> Iterator[tuple[str, list[object]]]:
    """Each `…_id` path parameter of the route or of a dependency, with its declared limits."""
    for field in dependant.path_params:
        if field.name.endswith("_id"):
            yield field.name, list(field.field_info.metadata)
    for dependency in dependant.dependencies:
        yield from _path_ids(dependency)


def test_every_id_in_a_path_is_kept_within_the_database_range(app: FastAPI) -> None:
    unbounded = {
        f"{sorted(route.methods)} {route.path}: {name}"
        for route in app_routes(app)
        for name, limits in _path_ids(route.dependant)
        if limits != ROW_ID_LIMITS
    }
    assert unbounded == set()


def test_an_id_past_the_range_is_refused_as_a_wrong_address(
    client: TestClient,
    db_session: Session,
    sign_in_as: Callable[[Person], str],
    demo: Callable[[str], Person],
) -> None:
    """The page and the API answer 422 (the address is wrong), for a plan and for a move within one."""
    csrf = sign_in_as(demo("Priya Shah"))
    plan = plan_of(db_session, "Sam Taylor")
    asked = {
        ("GET", f"/plans/{TOO_LARGE}"): 422,
        ("GET", f"/api/v1/plans/{TOO_LARGE}"): 422,
        ("POST", f"/plans/{plan.id}/moves/{TOO_LARGE}/cancel"): 422,
    }
    answered = {
        (method, path): client.request(method, path, data={"csrf_token": csrf}).status_code
        for method, path in asked
    }
    assert answered == asked
