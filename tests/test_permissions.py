"""Every route declares who may use it: a new route without a declaration fails here."""

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.permissions import declared_permission


def test_every_route_declares_its_permission(app: FastAPI) -> None:
    undeclared = [
        f"{sorted(route.methods)} {route.path}"
        for route in app.routes
        if isinstance(route, APIRoute) and declared_permission(route) is None
    ]
    assert undeclared == []


def test_the_check_finds_a_route_without_a_declaration() -> None:
    app = FastAPI()

    @app.get("/forgotten")
    def forgotten() -> None:
        return None

    (route,) = [route for route in app.routes if isinstance(route, APIRoute)]
    assert declared_permission(route) is None
