"""The API keeps the promises of its OpenAPI schema: schemathesis runs all of its checks on every operation.

The schema is read from an app built at import (schemathesis makes the tests from it); the calls go to
the test run's own app and database, signed in with a real API token.
"""

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlmodel import Session

from app.actor import Actor
from app.config import Environment, Settings
from app.main import create_app
from app.models import PersonRole
from app.services.auth.api_tokens import create_token
from tests.factories import make_person

CASES_PER_OPERATION = 30
"""Generated cases for each operation (Hypothesis's default is 100). Making the cases, not calling the
app, is most of the time: 100 each took 104 s of a SQLite run, 30 take 48 s and still try every check
on every operation with valid and invalid input."""

schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(environment=Environment.TEST, database_url="sqlite://"))
)


@pytest.fixture(scope="module")
def api_token(app: FastAPI) -> str:
    """A token for a member of staff, committed so that the app's own sessions see it."""
    with Session(app.state.engine) as db:
        teacher = make_person(db, PersonRole.EDUCATION, password=None)
        _token, secret = create_token(db, Actor.command(), teacher, "contract test")
        db.commit()
    return secret


@schema.parametrize()
@hypothesis_settings(max_examples=CASES_PER_OPERATION)
def test_api_keeps_its_contract(case: schemathesis.Case, app: FastAPI, api_token: str) -> None:
    # A posted form is refused (400) when any of its parts holds a NUL character, named in the schema or
    # not (app.dependencies._check_form_text): schemathesis would call that a valid form refused.
    posts_a_form = any(body.media_type == "multipart/form-data" for body in case.operation.body)
    excluded = [positive_data_acceptance] if posts_a_form else []
    case.call_and_validate(
        app=app, headers={"Authorization": f"Bearer {api_token}"}, excluded_checks=excluded
    )
