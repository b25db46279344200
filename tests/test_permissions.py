"""Every route declares who may use it: a new route without a declaration fails here."""

from fastapi import FastAPI

from app.routes import app_routes, declared_permission


def test_the_walk_sees_routes_inside_included_routers(app: FastAPI) -> None:
    paths = {route.path for route in app_routes(app)}
    assert {"/", "/healthz", "/sign-in"} <= paths


def test_every_route_declares_its_permission(app: FastAPI) -> None:
    undeclared = [
        f"{sorted(route.methods)} {route.path}"
        for route in app_routes(app)
        if declared_permission(route.dependant) is None
    ]
    assert undeclared == []


def test_the_check_finds_a_route_without_a_declaration() -> None:
    app = FastAPI()

    @app.get("/forgotten")
    def forgotten() -> None:
        return None

    (route,) = list(app_routes(app))
    assert declared_permission(route.dependant) is None
