"""API tokens: made on the command line or the account page, shown once, stored hashed, revocable."""

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.actor import Actor
from app.cli import cli
from app.config import get_settings
from app.models import ApiToken, AuditEvent, Outcome, Person, PersonRole
from app.services.auth.api_tokens import create_token
from app.services.auth.secrets import digest
from app.services.people import deactivate
from tests.databases import migrated_database
from tests.factories import make_person


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_token_acts_as_its_owner(client: TestClient, db_session: Session) -> None:
    teacher = make_person(db_session, PersonRole.EDUCATION, password=None)
    _token, secret = create_token(db_session, Actor.command(), teacher, "timetable sync")
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json()["display_name"] == teacher.display_name
    assert response.json()["role"] == "education"


def test_token_is_stored_only_as_a_digest(db_session: Session) -> None:
    parent = make_person(db_session, password=None)
    token, secret = create_token(db_session, Actor.command(), parent, "home")
    assert token.token_hash == digest(secret)
    assert secret not in {token.token_hash, token.prefix, token.name}
    assert secret.startswith(token.prefix)


@pytest.mark.parametrize("header", ["Bearer op_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz"])
def test_bad_credentials_get_401_with_a_reason(client: TestClient, header: str) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "Sign in first" in response.json()["detail"]


def test_page_shows_the_secret_once_and_revokes_it(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    parent = make_person(db_session, password=None)
    csrf = sign_in_as(parent)
    created = client.post("/account/tokens", data={"name": "my laptop", "csrf_token": csrf})
    assert created.status_code == 200
    token = db_session.exec(select(ApiToken).where(ApiToken.person_id == parent.id)).one()
    secret = created.text.split('id="token-secret" type="text" value="')[1].split('"')[0]
    assert digest(secret) == token.token_hash
    listing = client.get("/account/tokens").text
    assert "my laptop" in listing
    assert secret not in listing

    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    revoked = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    actions = db_session.exec(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "api_token", AuditEvent.object_id == str(token.id))
        .order_by(col(AuditEvent.id))
    ).all()
    assert actions == ["api_token.created", "api_token.revoked"]


def test_someone_elses_token_does_not_exist_for_you(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    owner = make_person(db_session, password=None)
    token, secret = create_token(db_session, Actor.command(), owner, "theirs")
    csrf = sign_in_as(make_person(db_session, password=None))
    response = client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    refusal = db_session.exec(select(AuditEvent).where(AuditEvent.action == "api_token.revoke_refused")).one()
    assert refusal.outcome == Outcome.REFUSED


def test_name_is_required(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    csrf = sign_in_as(make_person(db_session, password=None))
    page = client.post("/account/tokens", data={"name": " ", "csrf_token": csrf}).text
    assert 'href="#name">Enter a name for the token' in page


def test_deactivation_stops_tokens_and_sessions_at_once(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    social_worker = make_person(db_session, PersonRole.SOCIAL_CARE, password=None)
    _token, secret = create_token(db_session, Actor.command(), social_worker, "case notes")
    sign_in_as(social_worker)
    assert client.get("/account").status_code == 200
    deactivate(db_session, Actor.command(), social_worker.id or 0)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_command_line_prints_a_working_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with migrated_database(tmp_path) as url:
        engine = create_engine(url)
        with Session(engine) as db:
            make_person(db, PersonRole.HEALTH, email="paediatrician@nhs.example", password=None)
            db.commit()
        monkeypatch.setenv("ONEPLAN_DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            runner = CliRunner()
            made = runner.invoke(cli, ["token", "create", "Paediatrician@NHS.example"])
            unknown = runner.invoke(cli, ["token", "create", "nobody@nhs.example"])
        finally:
            get_settings.cache_clear()
        assert made.exit_code == 0, made.output
        secret = made.output.strip()
        with Session(engine) as db:
            stored = db.exec(select(ApiToken)).one()
        engine.dispose()
    assert stored.token_hash == digest(secret)
    assert unknown.exit_code == 1
    assert "No active person has the e-mail address nobody@nhs.example" in unknown.output
