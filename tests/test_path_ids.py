"""Every row id in a path is a `RowId`: a number past the database's integer range is a 422 for the
person who typed it, never a database error (PostgreSQL refuses to compare an int column with it)."""

from collections.abc import Callable, Iterator

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Child, Person, Plan
from app.routes import app_routes

TOO_LARGE = 2_147_483_648


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
        if {repr(limit) for limit in limits} != {"Ge(ge=1)", "Le(le=2147483647)"}
    }
    assert unbounded == set()


def test_an_id_past_the_range_is_refused_before_anything_is_looked_up(
    client: TestClient,
    db_session: Session,
    sign_in_as: Callable[[Person], str],
    demo: Callable[[str], Person],
) -> None:
    """The page (and the API) say the address is wrong; nothing is asked of the database."""
    csrf = sign_in_as(demo("Priya Shah"))
    sam = demo("Sam Taylor")
    plan = db_session.exec(
        select(Plan.id).join(Child, col(Child.id) == col(Plan.child_id)).where(Child.person_id == sam.id)
    ).one()
    asked = {
        ("GET", f"/plans/{TOO_LARGE}"): 422,
        ("GET", f"/api/v1/plans/{TOO_LARGE}"): 422,
        ("POST", f"/plans/{plan}/moves/{TOO_LARGE}/cancel"): 422,
    }
    answered = {
        (method, path): client.request(method, path, data={"csrf_token": csrf}).status_code
        for method, path in asked
    }
    assert answered == asked
