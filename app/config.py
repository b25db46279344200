"""Settings from the environment (ONEPLAN_*), with an embedded default that needs nothing installed."""

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Self

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "development-only-secret-change-me"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ONEPLAN_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = PROJECT_DIR / "var"
    database_url: str = ""
    secret_key: str = DEVELOPMENT_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    service_name: str = "OnePlan"
    static_dir: Path = PROJECT_DIR / "static"
    templates_dir: Path = PROJECT_DIR / "templates"
    sql_echo: bool = False

    @model_validator(mode="after")
    def _refuse_development_secret_in_production(self) -> Self:
        if self.environment is Environment.PRODUCTION and self.secret_key == DEVELOPMENT_SECRET:
            raise ValueError("ONEPLAN_SECRET_KEY must be set to a secret of your own in production")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or the SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'oneplan.sqlite3'}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
