"""The sequencer links committed events into one chain: never forked, never reordered, nothing lost.

Requests commit their events unchained; sequencers (in `oneplan worker`) link them later. These
tests run writers and sequencers at once, kill a process in the middle, roll a writer back, and
check that reads hold no lock and write only their events, after they have read.
"""

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col
from typer.testing import CliRunner

from app.actor import Actor
from app.cli import cli
from app.config import Environment, Settings
from app.db import build_engine, reading_engine
from app.main import create_app
from app.models import AuditEvent, Channel, Child, Plan
from app.models.base import utc_now
from app.services import audit
from app.services.audit.integrity import verify_chain
from app.services.audit.sequencer import CHAIN_DELAY_BOUND, chain_batch, chain_lag, chain_pending
from app.services.demo import create_demo, demo_person
from tests.databases import on_postgres
from tests.factories import session_token_for


def _write(db: Session, number: int) -> None:
    audit.record(
        db,
        Actor(person=None, channel=Channel.API, request_id=f"writer-{number}"),
        "plan.read",
        object_type="plan",
        object_id=number,
    )


def _unchained(engine: Engine) -> int:
    with Session(engine) as db:
        return int(
            db.execute(
                select(func.count()).select_from(AuditEvent).where(col(AuditEvent.sequence).is_(None))
            ).scalar_one()
        )


def _verified(engine: Engine) -> tuple[bool, int]:
    with Session(engine) as db:
        verification = verify_chain(db)
    return verification.whole, verification.events


@pytest.fixture
def engine(command_database: str, tmp_path: Path) -> Iterator[Engine]:
    built = build_engine(
        Settings(environment=Environment.TEST, database_url=command_database, data_dir=tmp_path)
    )
    yield built
    built.dispose()


def test_two_sequencers_and_many_writers_at_once_leave_one_whole_chain(engine: Engine) -> None:
    writers, each = 6, 30
    done = threading.Event()
    chained: list[int] = []
    failures: list[BaseException] = []

    def write(offset: int) -> None:
        try:
            for number in range(offset, offset + each):
                with Session(engine) as db:
                    _write(db, number)
                    db.commit()
        except BaseException as error:  # reported by the test below
            failures.append(error)

    def sequence() -> None:
        try:
            while not done.is_set():
                chained.append(chain_pending(engine, batch_size=7))
        except BaseException as error:
            failures.append(error)

    sequencers = [threading.Thread(target=sequence) for _ in range(2)]
    writing = [threading.Thread(target=write, args=(n * each,)) for n in range(writers)]
    for thread in sequencers + writing:
        thread.start()
    for thread in writing:
        thread.join()
    done.set()
    for thread in sequencers:
        thread.join()
    chained.append(chain_pending(engine))

    assert failures == []
    assert sum(chained) == writers * each, "every event was chained exactly once"
    assert _unchained(engine) == 0
    assert _verified(engine) == (True, writers * each)


def _commit_then_die(url: str, count: int, chain_first: bool) -> None:
    """A worker process: commit events, maybe start chaining them, and be killed before it commits."""
    engine = create_engine(url)
    for number in range(count):
        with Session(engine) as db:
            _write(db, number)
            db.commit()
    if chain_first:
        db = Session(engine)
        assert chain_batch(db) == count  # linked inside the transaction, not committed
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("chain_first", [False, True], ids=["after-commit", "mid-batch"])
def test_a_worker_killed_between_commit_and_chaining_loses_nothing(
    command_database: str, engine: Engine, chain_first: bool
) -> None:
    process = multiprocessing.get_context("fork").Process(
        target=_commit_then_die, args=(command_database, 5, chain_first)
    )
    process.start()
    process.join(timeout=60)
    assert process.exitcode == -signal.SIGKILL

    assert _unchained(engine) == 5, "the events committed; none was chained"
    assert chain_pending(engine) == 5
    assert _verified(engine) == (True, 5)


def test_an_event_whose_change_rolls_back_never_joins_the_chain(engine: Engine) -> None:
    with Session(engine) as db:
        _write(db, 1)
        db.commit()
    with Session(engine) as db:
        _write(db, 2)
        db.rollback()
    with Session(engine) as db:
        _write(db, 3)
        db.commit()
    chain_pending(engine)

    with Session(engine) as db:
        objects = db.exec(
            select(AuditEvent.object_id, AuditEvent.sequence).order_by(col(AuditEvent.sequence))
        ).all()
    assert [tuple(row) for row in objects] == [("1", 1), ("3", 2)]
    assert _verified(engine) == (True, 2)


def test_verify_names_events_that_waited_longer_than_the_bound(command_database: str, engine: Engine) -> None:
    with time_machine.travel(utc_now() - CHAIN_DELAY_BOUND - timedelta(seconds=5), tick=False):
        with Session(engine) as db:
            _write(db, 1)
            db.commit()
    with Session(engine) as db:
        assert chain_lag(db) > CHAIN_DELAY_BOUND

    waiting = CliRunner().invoke(cli, ["audit", "verify"])
    assert waiting.exit_code == 1
    assert "1 committed events have waited longer than 2 seconds" in waiting.output

    chained = CliRunner().invoke(cli, ["audit", "chain"])
    assert "Chained 1 event." in chained.output
    whole = CliRunner().invoke(cli, ["audit", "verify"])
    assert whole.exit_code == 0, whole.output
    with Session(engine) as db:
        assert chain_lag(db) == timedelta(0)


@pytest.mark.skipif(not on_postgres(), reason="the append-only trigger is PostgreSQL's")
def test_postgres_lets_the_sequencer_link_an_event_once_and_nothing_else(engine: Engine) -> None:
    with Session(engine) as db:
        _write(db, 1)
        db.commit()
        event_id = db.execute(select(AuditEvent.id)).scalar_one()
    for statement in (
        "UPDATE audit_event SET reason = 'covered up' WHERE id = :id",
        "UPDATE audit_event SET sequence = 1, prev_hash = repeat('0', 64), hash = repeat('1', 64), "
        "reason = 'covered up' WHERE id = :id",
    ):
        with Session(engine) as db, pytest.raises(DBAPIError, match="audit_event is append-only"):
            db.execute(text(statement), {"id": event_id})
    assert chain_pending(engine) == 1
    with Session(engine) as db, pytest.raises(DBAPIError, match="audit_event is append-only"):
        db.execute(text("UPDATE audit_event SET sequence = 7 WHERE id = :id"), {"id": event_id})
    assert _verified(engine) == (True, 1)


def test_a_plan_page_reads_without_a_lock_and_then_writes_only_its_read(
    command_database: str, engine: Engine, tmp_path: Path
) -> None:
    """The whole plan loads and renders in a read-only transaction; its event (and the reader's mark of
    what they have seen) is written after."""
    settings = Settings(environment=Environment.TEST, database_url=command_database, data_dir=tmp_path)
    with Session(engine) as db:
        create_demo(db, settings)
        db.commit()
        token = session_token_for(db, demo_person(db, "Priya Shah"))
        db.commit()
        plan_id = db.execute(
            select(Plan.id)
            .join(Child, col(Child.id) == col(Plan.child_id))
            .where(Child.full_name == "Sam Taylor")
        ).scalar_one()
    app = create_app(settings)
    statements: list[tuple[str, bool]] = []
    """Each statement, and whether its transaction could only read."""

    def only_reads(connection: Any) -> bool:
        if on_postgres():  # reads run on connections read-only by default (app/db.py)
            info = connection.connection.driver_connection.info
            return info.parameter_status("default_transaction_read_only") == "on"
        return bool(connection.connection.info.get("query_only"))  # PRAGMA query_only, as last set

    def note(connection: Any, cursor: object, statement: str, *args: object) -> None:
        statements.append((" ".join(statement.split())[:60], only_reads(connection)))

    app_engine = app.state.engine
    reads_on = reading_engine(app_engine)  # on PostgreSQL a pool of its own; on SQLite the same engine's
    for engine_used in [app_engine] if reads_on.pool is app_engine.pool else [app_engine, reads_on]:
        event.listen(engine_used, "before_cursor_execute", note)
        event.listen(engine_used, "commit", lambda connection: statements.append(("COMMIT", False)))
        event.listen(engine_used, "rollback", lambda connection: statements.append(("ROLLBACK", False)))
    try:
        with TestClient(app) as client:
            client.cookies.set("oneplan_session", token)
            response = client.get(f"/plans/{plan_id}")
    finally:
        app_engine.dispose()
    assert response.status_code == 200

    content = [(text, reading) for text, reading in statements if "FROM item" in text or "plan_item" in text]
    assert content, "the plan's items were read"
    assert all(reading for _text, reading in content), content
    read_end = max(index for index, entry in enumerate(statements) if entry in content)
    assert statements.index(("ROLLBACK", False), read_end) > read_end  # the read ends, holding nothing
    written = [
        (text, reading) for text, reading in statements if text.startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert written, "the read was recorded"
    assert not any(reading for _text, reading in written), written
    # Its read event, and the reader's mark of how far they have read the plan (issue 16).
    assert {text.split(" (")[0].split(" SET")[0] for text, _reading in written} <= {
        "INSERT INTO audit_event",
        "INSERT INTO plan_seen",
        "UPDATE plan_seen",
    }, written
    assert any(text.startswith("INSERT INTO audit_event") for text, _reading in written)
    assert statements.index(written[0]) > read_end
    assert statements[-1] == ("COMMIT", False)


@pytest.mark.skipif(
    on_postgres(), reason="SQLite's one write lock; on PostgreSQL reads never wait on writers"
)
def test_healthz_answers_while_another_holds_the_write_lock(
    command_database: str, engine: Engine, tmp_path: Path
) -> None:
    settings = Settings(environment=Environment.TEST, database_url=command_database, data_dir=tmp_path)
    app = create_app(settings)
    with engine.connect() as holder:
        holder.exec_driver_sql("SELECT 1")  # a writing connection: BEGIN IMMEDIATE, the write lock
        with TestClient(app) as client:
            response = client.get("/healthz")
        holder.rollback()
    app.state.engine.dispose()
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
