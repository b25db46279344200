"""The `oneplan` command sets up a database and the demo, and running the demo twice changes nothing."""

from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.models import Organisation, OrganisationKind
from tests.databases import fresh_database


def test_db_upgrade_then_demo_is_idempotent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    with fresh_database(tmp_path) as url:
        monkeypatch.setenv("ONEPLAN_DATABASE_URL", url)
        monkeypatch.setenv("ONEPLAN_DATA_DIR", str(tmp_path))
        get_settings.cache_clear()
        try:
            upgraded = runner.invoke(cli, ["db", "upgrade"])
            assert upgraded.exit_code == 0, upgraded.output
            first = runner.invoke(cli, ["demo"])
            second = runner.invoke(cli, ["demo"])
        finally:
            get_settings.cache_clear()
        assert first.exit_code == 0, first.output
        assert second.exit_code == 0, second.output
        assert "Northshire County Council" in first.output

        engine = create_engine(url)
        with Session(engine) as session:
            organisations = session.exec(select(Organisation)).all()
        engine.dispose()
    (council,) = [o for o in organisations if o.kind == OrganisationKind.LOCAL_AUTHORITY]
    assert len(organisations) == 7
    assert all(o.local_authority_id == council.id for o in organisations if o.id != council.id)


def test_the_demo_is_refused_in_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's people share a printed password: a production service never gets them."""
    runner = CliRunner()
    with fresh_database(tmp_path) as url:
        monkeypatch.setenv("ONEPLAN_DATABASE_URL", url)
        monkeypatch.setenv("ONEPLAN_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("ONEPLAN_ENVIRONMENT", "production")
        monkeypatch.setenv("ONEPLAN_SECRET_KEY", "a-production-secret-of-our-own-0123456789")
        monkeypatch.delenv("ONEPLAN_DEMO_MODE", raising=False)
        get_settings.cache_clear()
        try:
            assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
            refused = runner.invoke(cli, ["demo"])
        finally:
            get_settings.cache_clear()
        engine = create_engine(url)
        with Session(engine) as session:
            organisations = session.exec(select(Organisation)).all()
        engine.dispose()
    assert refused.exit_code == 1
    assert "does not run in production" in refused.output
    assert organisations == []
