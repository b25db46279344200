"""Errors tell a person what to do, in HTML for pages and JSON for the API, and leak nothing."""

import html
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.dependencies import requires
from app.main import create_app
from app.permissions import Permission

SECRET = "database password is hunter2"


@pytest.fixture
def failing_client(settings: Settings) -> Iterator[TestClient]:
    """An app with routes that fail on purpose, as a bug or bad input would."""
    app: FastAPI = create_app(settings)

    @app.get("/broken", dependencies=[requires(Permission.PUBLIC)])
    def broken_page() -> None:
        raise RuntimeError(SECRET)

    @app.get("/api/v1/broken", dependencies=[requires(Permission.PUBLIC)])
    def broken_api() -> None:
        raise RuntimeError(SECRET)

    @app.get("/count", dependencies=[requires(Permission.PUBLIC)])
    def count_page(number: int) -> dict[str, int]:
        return {"number": number}

    @app.get("/api/v1/count", dependencies=[requires(Permission.PUBLIC)])
    def count_api(number: int) -> dict[str, int]:
        return {"number": number}

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_missing_page_says_what_to_do(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Page not found" in response.text
    assert "ask the plan's coordinator" in html.unescape(response.text)
    assert response.headers["X-Request-ID"] in response.text


def test_missing_api_resource_is_json(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_wrong_method_names_the_allowed_ones(client: TestClient) -> None:
    response = client.post("/")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert "This page cannot be used that way" in response.text


@pytest.mark.parametrize("path", ["/broken", "/api/v1/broken"])
def test_unexpected_error_leaks_nothing(failing_client: TestClient, path: str) -> None:
    response = failing_client.get(path)
    assert response.status_code == 500
    assert SECRET not in response.text
    assert "Traceback" not in response.text
    request_id = response.headers["X-Request-ID"]
    assert f"reference {request_id}" in response.text.replace("</span>", "").replace(
        '<span class="govuk-!-font-weight-bold">', ""
    )
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_bad_input_on_a_page_is_a_page(failing_client: TestClient) -> None:
    response = failing_client.get("/count", params={"number": "many"})
    assert response.status_code == 422
    assert "We could not use what was sent" in response.text
    assert "Nothing has been changed" in response.text


def test_bad_input_on_the_api_names_the_field(failing_client: TestClient) -> None:
    response = failing_client.get("/api/v1/count", params={"number": "many"})
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["query", "number"]
    assert "integer" in problem["msg"]


def test_request_id_is_kept_when_well_formed(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc12345-trace"}).headers["X-Request-ID"]
        == "abc12345-trace"
    )
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert replaced != "<script>"
    assert len(replaced) == 32


def test_pages_are_not_cached_but_assets_may_be(client: TestClient) -> None:
    page = client.get("/")
    assert page.headers["Cache-Control"] == "no-store"
    stylesheet = re.findall(r'href="(/static/oneplan\.css\?v=[0-9a-f]{16})"', page.text)
    assert stylesheet, "the page names its stylesheet by its fingerprint"
    assert client.get(stylesheet[0]).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/oneplan.css").headers["Cache-Control"] == "no-cache"
