"""Engine and session: SQLite by default, PostgreSQL when ONEPLAN_DATABASE_URL says so."""

from typing import Any

from sqlalchemy import Engine, MetaData, event
from sqlmodel import SQLModel, create_engine

import app.models  # noqa: F401  (every table, with the naming convention, on the metadata)
from app.config import Settings

metadata: MetaData = SQLModel.metadata


def build_engine(settings: Settings) -> Engine:
    """Create the engine; SQLite gets the settings that make it behave under threads and FKs."""
    url = settings.resolved_database_url
    connect_args: dict[str, Any] = {}
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        connect_args["check_same_thread"] = False
    engine = create_engine(url, echo=settings.sql_echo, connect_args=connect_args, pool_pre_ping=True)
    if settings.is_sqlite:
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (savepoints need it)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Take the write lock at the start: nearly every request writes (its audit event, at least), and a
    transaction that read first and writes later would fail at once if another wrote in between."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")
