"""Fresh, throw-away databases for tests: a SQLite file, or a new database on the PostgreSQL server.

ONEPLAN_TEST_POSTGRES_URL names a PostgreSQL server (any database on it, as a user who may create
databases); without it the tests use SQLite. `scripts/test` runs the suite once each way.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import Request
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session

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
    name = f"oneplan_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
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
