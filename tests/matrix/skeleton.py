"""The start page, sign-in and the health check: open to everyone."""

from tests.matrix import Relationship, Route, statuses

ROUTES = [
    Route("GET", "/", {Relationship.NONE: statuses(200)}),
    Route("GET", "/healthz", {Relationship.NONE: statuses(200)}),
    Route("GET", "/sign-in", {Relationship.NONE: statuses(200)}),
    Route(
        "POST",
        "/sign-in",
        {Relationship.NONE: statuses(200)},
        form={"email": "nobody@test.example", "password": "not the password"},
    ),
    Route("POST", "/sign-out", {Relationship.NONE: statuses(303)}),
    Route("GET", "/signed-out", {Relationship.NONE: statuses(200)}),
]
