"""The API keeps the promises of its OpenAPI schema: schemathesis runs all of its checks on every operation.

The schema is read from an app built at import (schemathesis makes the tests from it); the calls go to
the test run's own app and database.
"""

import schemathesis
from fastapi import FastAPI

from app.config import Environment, Settings
from app.main import create_app

schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(environment=Environment.TEST, database_url="sqlite://"))
)


@schema.parametrize()
def test_api_keeps_its_contract(case: schemathesis.Case, app: FastAPI) -> None:
    case.call_and_validate(app=app)
