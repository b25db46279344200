"""Fresh, throw-away databases for tests: a SQLite file, or a new database on the PostgreSQL server.

ONEPLAN_TEST_POSTGRES_URL names a PostgreSQL server (any database on it, as a user who may create
databases); without it the tests use SQLite. `scripts/test` runs the suite once each way.
"""

import atexit
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from fastapi import Request
from sqlalchemy import Engine, create_engine, make_url, text
from sqlmodel import Session

from app import migrate
from app.db import READING
from app.dependencies import only_reads, request_transaction

POSTGRES_URL_VARIABLE = "ONEPLAN_TEST_POSTGRES_URL"


def on_postgres() -> bool:
    return bool(os.environ.get(POSTGRES_URL_VARIABLE))


@contextmanager
def fresh_database(folder: Path) -> Iterator[str]:
    """Yield the URL of an empty database that is dropped afterwards."""
    server_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server_url:
        yield f"sqlite:///{folder / f'oneplan-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    with _postgres_database(server_url) as url:
        yield url


@contextmanager
def _postgres_database(server_url: str, template: str | None = None) -> Iterator[str]:
    """A new database on the server (a copy of `template`, if named), dropped when the block ends."""
    name = f"oneplan_test_{uuid.uuid4().hex[:12]}"
    copying = f' TEMPLATE "{template}"' if template else ""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copying}'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def migrated_database(folder: Path) -> Iterator[str]:
    """Yield the URL of a database at the newest migration, dropped afterwards.

    It is a copy of one database built by the real migrations once per run: building each again took
    seconds on PostgreSQL, and about fifty tests and journeys want one of their own.
    """
    server_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server_url:
        path = folder / f"oneplan-{uuid.uuid4().hex[:8]}.sqlite3"
        with (
            closing(sqlite3.connect(_template_url(None))) as template,
            closing(sqlite3.connect(path)) as copy,
        ):
            template.backup(copy)
        yield f"sqlite:///{path}"
        return
    with _postgres_database(server_url, template=_template_url(server_url)) as url:
        yield url


_TEMPLATES: dict[str | None, str] = {}


def _template_url(server_url: str | None) -> str:
    """The run's migrated template: a SQLite file's path, or a PostgreSQL database's name."""
    if server_url in _TEMPLATES:
        return _TEMPLATES[server_url]
    if server_url is None:
        folder = Path(tempfile.mkdtemp(prefix="oneplan-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)  # as the PostgreSQL one is dropped
        path = folder / "template.sqlite3"
        migrate.upgrade(f"sqlite:///{path}")
        _TEMPLATES[None] = str(path)
        return str(path)
    name = f"oneplan_template_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    migrate.upgrade(make_url(server_url).set(database=name).render_as_string(hide_password=False))
    atexit.register(_drop, admin, name)
    _TEMPLATES[server_url] = name
    return name


def _drop(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def sharing(db_session: Session) -> Callable[[Request], Iterator[Session]]:
    """A stand-in for the request session that works inside the test's rolled-back transaction."""

    def test_session(request: Request) -> Iterator[Session]:
        # The test's own setup is kept (a savepoint released); the request gets a transaction of its own.
        # A reading request keeps its writes until it has read, as `get_session` arranges.
        db_session.commit()
        db_session.info[READING] = only_reads(request)
        try:
            yield from request_transaction(request, db_session)
        finally:
            db_session.info.pop(READING, None)

    return test_session
