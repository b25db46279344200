"""Fresh, throw-away databases for tests: a SQLite file, or a new database on the PostgreSQL server.

ONEPLAN_TEST_POSTGRES_URL names a PostgreSQL server (any database on it, as a user who may create
databases); without it the tests use SQLite. `scripts/test` runs the suite once each way.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

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
