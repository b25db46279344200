"""Structured logs: one JSON object a line in production, each naming the request it belongs to."""

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app import logging_setup
from app.config import Environment, Settings
from app.headers import REQUEST_ID_HEADER
from app.main import create_app
from tests.served import oneplan_serve

REQUEST_ID = "req-0123456789abcdef"


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line parsed (a line that is not one JSON object fails the test)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_json_is_the_default_in_production_and_text_elsewhere() -> None:
    production = Settings(environment=Environment.PRODUCTION, secret_key="a secret of its own")
    assert production.resolved_log_format == "json"
    assert Settings(environment=Environment.DEVELOPMENT).resolved_log_format == "text"
    chosen = Settings(environment=Environment.PRODUCTION, secret_key="x", log_format="text")
    assert chosen.resolved_log_format == "text"


@pytest.fixture
def logging_app(settings: Settings) -> Iterator[FastAPI]:
    """The app logging JSON, with two routes of the test's own: one that logs, one that fails."""
    app = create_app(settings.model_copy(update={"log_format": "json"}))

    def noisy() -> dict[str, str]:
        logging.getLogger("oneplan.test").warning("Something worth a look")
        return {}

    def broken() -> None:
        raise RuntimeError("the test's own failure")

    app.add_api_route("/test-noisy", noisy)
    app.add_api_route("/test-broken", broken)
    yield app
    app.state.engine.dispose()
    logging_setup.configure(settings)  # the text format again for the tests that follow


def test_a_line_logged_while_serving_a_request_carries_its_id(
    logging_app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    client = TestClient(logging_app)
    assert client.get("/test-noisy", headers={REQUEST_ID_HEADER: REQUEST_ID}).status_code == 200
    lines = json_lines(capsys.readouterr().err)
    warning = next(line for line in lines if line["logger"] == "oneplan.test")
    assert warning["request_id"] == REQUEST_ID  # logged from the thread pool, still the request's id
    assert warning["level"] == "WARNING"
    assert warning["message"] == "Something worth a look"
    assert warning["time"].endswith("Z")
    access = next(line for line in lines if line["logger"] == "oneplan.access")
    assert access["request_id"] == REQUEST_ID
    assert (access["method"], access["path"], access["status"]) == ("GET", "/test-noisy", 200)
    assert isinstance(access["duration_ms"], float)


def test_an_unexpected_error_is_logged_with_the_request_id_its_page_quotes(
    logging_app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    client = TestClient(logging_app, raise_server_exceptions=False)
    response = client.get("/test-broken", headers={REQUEST_ID_HEADER: REQUEST_ID})
    assert response.status_code == 500
    assert REQUEST_ID in response.text
    lines = json_lines(capsys.readouterr().err)
    error = next(line for line in lines if line["logger"] == "oneplan.errors")
    assert error["request_id"] == REQUEST_ID
    assert error["level"] == "ERROR"
    assert "RuntimeError: the test's own failure" in error["exception"]
    access = next(line for line in lines if line["logger"] == "oneplan.access")
    assert (access["request_id"], access["status"]) == (REQUEST_ID, 500)


def test_text_lines_name_the_request_too(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    app = create_app(settings.model_copy(update={"log_format": "text"}))
    capsys.readouterr()
    TestClient(app).get("/healthz", headers={REQUEST_ID_HEADER: REQUEST_ID})
    access = [line for line in capsys.readouterr().err.splitlines() if "oneplan.access" in line]
    assert len(access) == 1
    assert f"[{REQUEST_ID}] GET /healthz 200" in access[0]
    assert "duration_ms=" in access[0]
    app.state.engine.dispose()


def test_oneplan_serve_writes_only_json_lines_with_the_access_line(
    settings: Settings, tmp_path: Path
) -> None:
    environment = {
        "ONEPLAN_DATABASE_URL": settings.resolved_database_url,
        "ONEPLAN_DATA_DIR": str(tmp_path),
        "ONEPLAN_LOG_FORMAT": "json",
    }
    with oneplan_serve(environment, tmp_path) as served, httpx.Client(base_url=served.base_url) as client:
        assert client.get("/healthz", headers={REQUEST_ID_HEADER: REQUEST_ID}).status_code == 200
        card = client.get("/card/a-secret-sign-in-link-token")
    log = served.log_text()  # the server has stopped: everything it wrote is in the file
    lines = json_lines(log)
    assert {"Application startup complete."} <= {line["message"] for line in lines}
    access = [line for line in lines if line["logger"] == "oneplan.access"]
    health = next(line for line in access if line["request_id"] == REQUEST_ID)
    assert (health["method"], health["path"], health["status"]) == ("GET", "/healthz", 200)
    assert health["level"] == "INFO"
    assert health["duration_ms"] >= 0
    assert {"time", "level", "logger", "message", "request_id"} <= set(health)
    card_line = next(line for line in access if line["path"].startswith("/card/"))
    assert card_line["path"] == "/card/[redacted]"
    assert card_line["request_id"] == card.headers[REQUEST_ID_HEADER]
    assert "a-secret-sign-in-link-token" not in log
    assert "uvicorn.access" not in log  # OnePlan's access line replaces uvicorn's
