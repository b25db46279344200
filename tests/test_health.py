"""GET /healthz tells a load balancer whether this process can use its database."""

from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Environment, Settings
from app.main import create_app


def test_healthy_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_unavailable_when_the_database_does_not_answer(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "oneplan.sqlite3"
    settings = Settings(environment=Environment.TEST, data_dir=tmp_path, database_url=f"sqlite:///{missing}")
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
