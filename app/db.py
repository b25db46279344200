"""Engine and session: SQLite by default, PostgreSQL when ONEPLAN_DATABASE_URL says so.

A request that only reads (GET, HEAD) reads in a read-only transaction that takes no lock; the few
writes it makes (its audit events, a session's last-seen time) wait in `db.info` and are written at
the end, in a short transaction of their own, before a byte of the response is sent. So no request
holds the write lock (SQLite) while it loads and renders a plan, and none blocks a writer.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, MetaData, event, update
from sqlmodel import Session, SQLModel, create_engine

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
    else:
        event.listen(engine, "begin", _postgresql_begin)
    return engine


READING = "oneplan_reading"
"""Execution option (and `Session.info` key) of the engine that read-only requests use."""
_LATER = "oneplan_writes_after_reading"

Write = Callable[[Session], object]


def reading_engine(engine: Engine) -> Engine:
    """The same engine and pool, whose transactions only read (and, on SQLite, take no lock)."""
    return engine.execution_options(**{READING: True})


def reading_session(engine: Engine) -> Session:
    return Session(reading_engine(engine), info={READING: True})


def is_reading(db: Session) -> bool:
    return bool(db.info.get(READING))


def write_after_reading(db: Session, write: Write) -> None:
    """Write now, or, in a read-only request, at its end (see the module's docstring)."""
    if is_reading(db):
        db.info.setdefault(_LATER, []).append(write)
    else:
        write(db)


def update_after_reading(db: Session, row: SQLModel, **values: object) -> None:
    """Update one row by a statement, not by changing the loaded object: a reading request's way."""
    model = type(row)
    key = model.id  # type: ignore[attr-defined]
    statement = update(model).where(key == row.id).values(**values)  # type: ignore[attr-defined]
    write_after_reading(db, lambda writer: writer.execute(statement))


@event.listens_for(Session, "before_flush")
def _no_changes_while_reading(db: Session, *_: Any) -> None:
    """A change made straight on a reading request's session would be lost or refused: say where."""
    if is_reading(db) and (db.new or db.dirty or db.deleted):
        changed = sorted({type(row).__name__ for row in (*db.new, *db.dirty, *db.deleted)})
        raise RuntimeError(f"A reading request changed {', '.join(changed)}: use write_after_reading.")


def forget_writes(db: Session) -> None:
    db.info.pop(_LATER, None)


def write_what_waited(db: Session) -> None:
    """End the read, then make the writes that waited for it in one short transaction; raises if they fail."""
    waiting: list[Write] = db.info.pop(_LATER, [])
    db.rollback()
    if not waiting:
        return
    with _writer_beside(db) as writer:
        for write in waiting:
            write(writer)
        writer.commit()


def _writer_beside(db: Session) -> Session:
    bind = db.get_bind()
    if isinstance(bind, Engine):
        return Session(bind.execution_options(**{READING: False}))
    return Session(bind=bind, join_transaction_mode="create_savepoint")  # a test's own connection


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (savepoints need it)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """A writing transaction takes the write lock at the start: one that read first and wrote later
    would fail at once if another wrote in between. A reading one takes no lock and may not write."""
    if connection.get_execution_options().get(READING):
        connection.exec_driver_sql("PRAGMA query_only=ON")
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("PRAGMA query_only=OFF")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _postgresql_begin(connection: Any) -> None:
    """A reading transaction is READ ONLY, so that a write slipped into a GET fails loudly in tests."""
    if connection.get_execution_options().get(READING):
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
