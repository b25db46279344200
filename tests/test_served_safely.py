"""What every response carries and refuses (issue 22, finding 10): HSTS in production, a limit on the
request body however it is sent, no bidirectional controls in what pages show, nothing loaded from
another origin."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Environment, Settings
from app.dependencies import get_session
from app.main import create_app
from app.models import Person, PersonRole
from app.templating import get_templates
from tests.databases import sharing
from tests.factories import make_person

LIMIT = 4096


@pytest.fixture
def small_limit(settings: Settings, db_session: Session) -> Iterator[TestClient]:
    """The app with a 4 KB limit on request bodies (the default is 10 MB), in the test's transaction."""
    application = create_app(settings.model_copy(update={"max_request_bytes": LIMIT}))
    application.dependency_overrides[get_session] = sharing(db_session)
    yield TestClient(application, raise_server_exceptions=False)
    application.state.engine.dispose()


def test_hsts_is_sent_in_production_only(settings: Settings, tmp_path: Path) -> None:
    production = settings.model_copy(
        update={"environment": Environment.PRODUCTION, "secret_key": "a-production-secret-0123456789"}
    )
    for configured, expected in ((production, "max-age=31536000; includeSubDomains"), (settings, None)):
        application = create_app(configured)
        try:
            answer = TestClient(application).get("/healthz")
        finally:
            application.state.engine.dispose()
        assert answer.headers.get("Strict-Transport-Security") == expected


def test_a_body_over_the_default_limit_is_refused_with_a_reason(client: TestClient) -> None:
    body = b"[" + b"1," * (5 * 1024 * 1024) + b"1]"  # about 10 MB of valid JSON
    answer = client.post("/api/v1/plans", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert "larger than 10 MB" in answer.json()["detail"]


def test_a_declared_length_over_the_limit_is_refused_before_reading(small_limit: TestClient) -> None:
    answer = small_limit.post(
        "/api/v1/plans", content=b"x" * (LIMIT + 1), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert "the most OnePlan accepts" in answer.json()["detail"]
    assert answer.headers["X-Request-ID"]
    assert answer.headers["Content-Security-Policy"]


def test_a_chunked_body_is_counted_as_it_arrives(small_limit: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: sent as Transfer-Encoding: chunked
        for _ in range(100):
            yield b"1" * 1024

    answer = small_limit.post("/api/v1/plans", content=chunks(), headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert "larger than" in answer.json()["detail"]


def test_a_page_form_over_the_limit_is_a_page(small_limit: TestClient) -> None:
    answer = small_limit.post("/sign-in", data={"email": "a@example.org", "password": "x" * (LIMIT + 10)})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "Traceback" not in answer.text


def test_a_body_within_the_limit_goes_on_to_the_route(small_limit: TestClient) -> None:
    answer = small_limit.post("/api/v1/plans", json={"kind": "ehc"})
    assert answer.status_code == 403  # the route's own answer: no token, no CSRF token
    assert "did not come from OnePlan" in answer.json()["detail"]


def test_pages_show_no_bidirectional_controls(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    person = make_person(db_session, PersonRole.PARENT_CARER)
    person.display_name = "Eve \u202eharmless.exe\u202c \u2066name\u2069\u200f"
    db_session.add(person)
    db_session.flush()
    sign_in_as(person)
    page = client.get("/account")
    assert page.status_code == 200
    assert "Eve harmless.exe name" in page.text
    for control in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        assert control not in page.text
    template = get_templates().env.from_string("{{ words }} {{ words | paragraphs }}")
    assert template.render(words="a\u202eb") == 'ab <p class="govuk-body">ab</p>'


def test_no_page_loads_script_from_another_origin(client: TestClient) -> None:
    """Swagger UI came from a CDN that the CSP blocks: it is not served; the schema is."""
    assert client.get("/docs").status_code == 404
    schema = client.get("/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "OnePlan"
