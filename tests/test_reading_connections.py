"""Reading requests' connections: they may not write, and a connection the server dropped is replaced."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import DBAPIError

from app import db as database
from app.config import Settings
from app.db import build_engine, reading_engine, reading_session
from tests.databases import fresh_database, on_postgres

COUNTS = Table("tally", MetaData(), Column("id", Integer, primary_key=True))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(tmp_path) as url:
        built = build_engine(Settings(database_url=url, data_dir=tmp_path))
        COUNTS.create(built)
        try:
            yield built
        finally:
            built.dispose()


def test_a_write_slipped_into_a_reading_session_fails_and_writes_nothing(engine: Engine) -> None:
    with reading_session(engine) as db, pytest.raises(DBAPIError, match=r"read-only|readonly"):
        db.execute(insert(COUNTS).values(id=1))
    with engine.connect() as connection:
        assert connection.execute(select(COUNTS.c.id)).all() == []


def test_a_reading_session_reads_what_was_committed(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(insert(COUNTS).values(id=7))
    with reading_session(engine) as db:
        assert db.execute(select(COUNTS.c.id)).scalars().all() == [7]


@pytest.mark.skipif(not on_postgres(), reason="a server that drops connections: PostgreSQL only")
def test_a_connection_the_server_dropped_while_idle_is_replaced_unnoticed(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with reading_session(engine) as db:
        dropped = db.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        admin.commit()
    monkeypatch.setattr(database, "PING_AFTER_IDLE", 0.0)  # as if it had lain idle for long
    with reading_session(engine) as db:
        serving = db.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert db.execute(select(COUNTS.c.id)).all() == []
    assert serving != dropped


@pytest.mark.skipif(not on_postgres(), reason="connection pools: PostgreSQL only (SQLite opens a file)")
def test_both_pools_of_a_process_take_their_size_from_the_settings(tmp_path: Path) -> None:
    """A process has two pools (writes, reads), each of the size and overflow set: at most 2 x (2 + 1)."""
    with fresh_database(tmp_path) as url:
        settings = Settings(
            database_url=url, data_dir=tmp_path, database_pool_size=2, database_pool_overflow=1
        )
        built = build_engine(settings)
        reading = reading_engine(built)
        try:
            held = [pool.connect() for pool in (built, reading) for _ in range(3)]
            assert [built.pool.size(), reading.pool.size()] == [2, 2]
            assert "Current Overflow: 1" in built.pool.status()
            assert "Current Overflow: 1" in reading.pool.status()
            for connection in held:
                connection.close()
            assert "Connections in pool: 2" in reading.pool.status()  # the overflow one closed
        finally:
            built.dispose()
