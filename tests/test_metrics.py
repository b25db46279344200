"""/metrics for Prometheus: only for the scraper with the token, labelled by route template, never by id."""

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.actor import Actor
from app.config import Environment, Settings
from app.main import create_app
from app.models import DeliveryState, OutboxMessage
from app.models.base import utc_now
from app.services import audit
from app.services.audit import sequencer
from tests.databases import migrated_database
from tests.served import oneplan_serve

TOKEN = "scraper-token-4f1c0d9e"


@pytest.fixture(scope="module")
def own_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this module's own, so that the mail figures are exactly what the tests put there."""
    with migrated_database(tmp_path_factory.mktemp("metrics-db")) as url:
        yield url


ClientWith = Callable[[str], TestClient]


@pytest.fixture
def client_with(own_database: str, tmp_path: Path) -> Iterator[ClientWith]:
    """A client of an app with this metrics token (its engine closed after the test)."""
    apps: list[FastAPI] = []

    def client(token: str) -> TestClient:
        settings = Settings(
            environment=Environment.TEST, database_url=own_database, data_dir=tmp_path, metrics_token=token
        )
        apps.append(create_app(settings))
        return TestClient(apps[-1])

    yield client
    for app in apps:
        app.state.engine.dispose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_metrics_while_no_token_is_set(client_with: ClientWith) -> None:
    client = client_with("")
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=bearer("")).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer"}).status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {},
        bearer("wrong-token"),
        bearer(TOKEN + "x"),
        {"Authorization": TOKEN},
        {"Authorization": f"Basic {TOKEN}"},
    ],
    ids=["none", "wrong", "longer", "no-scheme", "basic"],
)
def test_a_wrong_or_missing_token_gets_the_404_of_any_unknown_address(
    client_with: ClientWith, headers: dict[str, str]
) -> None:
    client = client_with(TOKEN)
    same_id = {"X-Request-ID": "request-for-comparison"}
    response = client.get("/metrics", headers={**headers, **same_id})
    assert response.status_code == 404
    unknown = client.get("/no-such-page", headers=same_id)
    assert response.text == unknown.text.replace("/no-such-page", "/metrics")


def test_the_scraper_gets_requests_mail_and_database_figures(client_with: ClientWith) -> None:
    client = client_with(TOKEN)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as db:
        db.add(OutboxMessage(recipient="a@test.example", subject="Waiting", body="-"))
        db.add(
            OutboxMessage(
                recipient="b@test.example",
                subject="Failed",
                body="-",
                state=DeliveryState.FAILED,
                last_error="SMTP: refused",
            )
        )
        db.add(
            OutboxMessage(
                recipient="c@test.example",
                subject="Sent",
                body="-",
                state=DeliveryState.SENT,
                sent_at=utc_now(),
            )
        )
        db.commit()
    client.get("/healthz")
    response = client.get("/metrics", headers=bearer(TOKEN))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in (
        "oneplan_http_requests_total",
        "oneplan_http_request_duration_seconds_bucket",
        "oneplan_http_request_duration_seconds_count",
    ):
        assert f"# TYPE {name.removesuffix('_total').removesuffix('_bucket').removesuffix('_count')}" in text
        assert re.search(rf'^{name}\{{[^}}]*route="/healthz"[^}}]*\}} ', text, re.MULTILINE), name
    assert "oneplan_database_up 1.0" in text
    assert "oneplan_mail_unsent_messages 1.0" in text
    assert "oneplan_mail_failed_messages 1.0" in text
    assert "# TYPE oneplan_audit_chain_lag_seconds gauge" in text


def gauge(text: str, name: str) -> float:
    found = re.search(rf"^{name} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert found is not None, name
    return float(found.group(1))


def test_the_chain_lag_is_how_long_the_oldest_unchained_event_has_waited(client_with: ClientWith) -> None:
    client = client_with(TOKEN)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    sequencer.chain_pending(engine)
    assert gauge(client.get("/metrics", headers=bearer(TOKEN)).text, "oneplan_audit_chain_lag_seconds") == 0
    with Session(engine) as db:
        audit.record(db, Actor.command(), "metrics.test")
        db.commit()
    waiting = gauge(client.get("/metrics", headers=bearer(TOKEN)).text, "oneplan_audit_chain_lag_seconds")
    assert waiting > 0
    sequencer.chain_pending(engine)
    assert gauge(client.get("/metrics", headers=bearer(TOKEN)).text, "oneplan_audit_chain_lag_seconds") == 0


def test_routes_are_labelled_by_their_template_never_by_ids(client_with: ClientWith) -> None:
    client = client_with(TOKEN)
    client.get("/api/v1/plans/987654")
    client.get("/plans/987655/pictures/987656")
    client.get("/some/unknown/address/987657")
    text = client.get("/metrics", headers=bearer(TOKEN)).text
    routes = set(re.findall(r'route="([^"]*)"', text))
    assert {"/api/v1/plans/{plan_id}", "/plans/{plan_id}/pictures/{picture_id}", "<unmatched>"} <= routes
    assert not any(re.search(r"\d{6}", route) for route in routes)


def test_several_workers_add_up_their_counts(own_database: str, tmp_path: Path) -> None:
    """With PROMETHEUS_MULTIPROC_DIR, a scrape answered by any worker counts every worker's requests."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    environment = {
        "ONEPLAN_DATABASE_URL": own_database,
        "ONEPLAN_DATA_DIR": str(tmp_path),
        "ONEPLAN_METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
    }
    with oneplan_serve(environment, tmp_path, "--workers", "2") as served:
        # A new connection each: the kernel hands them to either worker, as it pleases, so ask until
        # both have counted some (each worker's counts are in a file of its own).
        sent = 0
        while sent < 12 or (len(list(shared.glob("counter_*.db"))) < 2 and sent < 500):
            assert httpx.get(f"{served.base_url}/api/v1/plans/5").status_code == 401
            sent += 1
        assert len(list(shared.glob("counter_*.db"))) >= 2, "both workers counted requests"
        for _ in range(4):
            text = httpx.get(f"{served.base_url}/metrics", headers=bearer(TOKEN)).text
            counted = re.search(
                r"^oneplan_http_requests_total"
                r'\{method="GET",route="/api/v1/plans/\{plan_id\}",status="401"\} ([0-9.]+)$',
                text,
                re.MULTILINE,
            )
            assert counted is not None, text
            assert float(counted.group(1)) == sent
