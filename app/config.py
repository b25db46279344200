"""Settings from the environment (ONEPLAN_*), with an embedded default that needs nothing installed."""

import base64
import binascii
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "development-only-secret-change-me"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ImportSignatures(StrEnum):
    """What a plan import asks of an export's signature (see app/services/paper/transfer/signing.py)."""

    OPTIONAL = "optional"
    """Unsigned and untrusted exports come in, marked so (development and tests)."""
    REQUIRED = "required"
    """A valid signature by any key."""
    TRUSTED = "trusted"
    """A valid signature by a trusted key (production's default)."""


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
    database_pool_size: int = Field(default=20, ge=1)
    """PostgreSQL connections each pool of a process keeps open: about one per request its thread pool
    runs at once. A process has two pools, one for writes and one for reads (`app.db.reading_engine`).
    SQLAlchemy's default (5) made the sixth of sixteen clients wait while the process had threads and
    cores to spare."""
    database_pool_overflow: int = Field(default=20, ge=0)
    """Connections each pool may open beyond its size under load, closed again when returned. A
    process opens at most 2 x (size + overflow): keep processes x that under `max_connections`."""
    templates_auto_reload: bool = False
    """See a template's changes without a restart (development only: it costs a file check per use)."""
    public_url: str = "http://127.0.0.1:8000"
    max_request_bytes: int = 10 * 1024 * 1024
    """The largest request body accepted (413 beyond it); a picture is at most 5 MB. Advice returned
    with its files has a limit of its own (app.routers.pages.advice.LARGER_BODIES), never below this."""
    demo_mode: bool = False
    """The demo's conveniences (the outbox): asked for by scripts/run; refused in production."""
    fast_password_hashing: bool = False
    """argon2id at its lightest, for the test suite (it hashes thousands of passwords); production
    hashes the standard way whatever this says (`app.services.auth.passwords`)."""

    # Sessions: an idle and an absolute limit; cookies are Secure outside local development.
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    cookie_secure: bool | None = None

    # Sign-in throttling: failures allowed in the window, per account and per client address.
    throttle_window_minutes: int = 15
    throttle_account_failures: int = 5
    throttle_address_failures: int = 20

    # Single sign-on for staff (OpenID Connect); off while the issuer is empty.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_display_name: str = "your organisation's account"

    # Mail: written to the outbox table in the request's transaction; `oneplan worker` delivers it by
    # GOV.UK Notify (when both Notify settings are set) or SMTP (when a host is set), or keeps it.
    mail_from: str = "OnePlan <no-reply@oneplan.invalid>"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    # GOV.UK Notify: used instead of SMTP when both are set.
    notify_api_key: str = ""
    notify_template_id: str = ""
    """A Notify e-mail template with the placeholders ((subject)) and ((body))."""
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    mail_max_attempts: int = 5
    """Tries before a message is marked failed; between them the worker waits 1, 2, 4... minutes."""

    # Audit checkpoints: signed heads of the audit chain, kept outside the database.
    audit_checkpoint_dir: Path | None = None
    """Where `oneplan audit checkpoint` writes (default: audit-checkpoints/ in the data folder)."""
    audit_signing_key: str = ""
    """Ed25519 private key (32 bytes, base64) that signs checkpoints and plan exports; derived from
    secret_key if empty."""

    # Plan imports: the public keys of the councils whose exports this OnePlan trusts, and what an
    # import asks of a signature (default: a trusted one in production, none elsewhere).
    trusted_export_keys: str = ""
    """Ed25519 public keys (base64, as `oneplan audit public-key` prints them), comma-separated."""
    import_signatures: ImportSignatures | None = None

    # Delivery of provision: the share of planned provision that may be missed in a week before it is
    # flagged, and the school calendar (half-terms as ranges; closure days inside them) it is counted by.
    shortfall_threshold: float = 0.10
    term_dates: str = ""
    """Half-terms as `YYYY-MM-DD..YYYY-MM-DD`, comma-separated; empty: the built-in Northshire dates."""
    closure_days: str = ""
    """Days a school is closed within a half-term (bank holidays, training days), comma-separated."""

    # Operations: the log format, and the token a Prometheus server sends for /metrics.
    log_format: Literal["json", "text"] | None = None
    """One JSON object a line, or text for a terminal (default: json in production, text elsewhere)."""
    metrics_token: str = ""
    """/metrics answers only a request with `Authorization: Bearer <this>`; while empty, it is a 404."""

    @model_validator(mode="after")
    def _refuse_development_secret_in_production(self) -> Self:
        if self.environment is Environment.PRODUCTION and self.secret_key == DEVELOPMENT_SECRET:
            raise ValueError("ONEPLAN_SECRET_KEY must be set to a secret of your own in production")
        return self

    @model_validator(mode="after")
    def _refuse_demo_mode_in_production(self) -> Self:
        if self.environment is Environment.PRODUCTION and self.demo_mode:
            raise ValueError("ONEPLAN_DEMO_MODE must be off in production")
        return self

    @model_validator(mode="after")
    def _refuse_a_trusted_key_that_is_not_one(self) -> Self:
        self.trusted_export_key_bytes  # noqa: B018 - raises on a malformed key, at start-up
        return self

    @property
    def trusted_export_key_bytes(self) -> list[bytes]:
        keys = []
        for text in self.trusted_export_keys.replace(",", " ").split():
            try:
                key = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                key = b""
            if len(key) != 32:
                raise ValueError(
                    f"ONEPLAN_TRUSTED_EXPORT_KEYS: {text[:60]!r} is not an Ed25519 public key in base64"
                )
            keys.append(key)
        return keys

    @property
    def resolved_import_signatures(self) -> ImportSignatures:
        if self.import_signatures is not None:
            return self.import_signatures
        if self.environment is Environment.PRODUCTION:
            return ImportSignatures.TRUSTED
        return ImportSignatures.OPTIONAL

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or the SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'oneplan.sqlite3'}"

    @property
    def resolved_log_format(self) -> Literal["json", "text"]:
        if self.log_format is not None:
            return self.log_format
        return "json" if self.environment is Environment.PRODUCTION else "text"

    @property
    def audit_checkpoints_path(self) -> Path:
        return self.audit_checkpoint_dir or self.data_dir / "audit-checkpoints"

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.environment is Environment.PRODUCTION

    @property
    def single_sign_on_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
