"""Settings come from ONEPLAN_* variables, with a safe embedded default."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Environment, Settings


def test_default_is_a_sqlite_file_in_the_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ONEPLAN_DATABASE_URL", raising=False)
    monkeypatch.setenv("ONEPLAN_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'oneplan.sqlite3'}"
    assert settings.is_sqlite


def test_database_url_switches_to_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEPLAN_DATABASE_URL", "postgresql+psycopg://oneplan@127.0.0.1:5432/oneplan")
    settings = Settings()
    assert settings.resolved_database_url.startswith("postgresql+psycopg://")
    assert not settings.is_sqlite


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONEPLAN_SECRET_KEY", raising=False)
    monkeypatch.setenv("ONEPLAN_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="ONEPLAN_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("ONEPLAN_SECRET_KEY", "a-long-random-secret-of-our-own")
    assert Settings().environment is Environment.PRODUCTION


def test_demo_mode_is_off_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """Demo mode shows the administrator every e-mail (reset links among them): never by default."""
    monkeypatch.delenv("ONEPLAN_DEMO_MODE", raising=False)
    assert Settings().demo_mode is False
    monkeypatch.setenv("ONEPLAN_DEMO_MODE", "true")
    assert Settings().demo_mode is True


def test_production_refuses_demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEPLAN_SECRET_KEY", "a-long-random-secret-of-our-own")
    monkeypatch.setenv("ONEPLAN_ENVIRONMENT", "production")
    monkeypatch.setenv("ONEPLAN_DEMO_MODE", "true")
    with pytest.raises(ValidationError, match="ONEPLAN_DEMO_MODE"):
        Settings()
    monkeypatch.delenv("ONEPLAN_DEMO_MODE")
    assert Settings().demo_mode is False
