"""The worker: leases that keep two workers off one job, housekeeping, `--once`, and a clean stop."""

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session, col, delete, select, update
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings, get_settings
from app.db import build_engine
from app.models import (
    AuditEvent,
    DeliveryState,
    OutboxMessage,
    ScheduledJob,
    SignInAttempt,
    SignInMethod,
    UserSession,
)
from app.models.base import utc_now
from app.services.jobs import housekeeping, schedule
from app.services.jobs.worker import Context, Job, Worker
from tests.databases import migrated_database
from tests.factories import make_person
from tests.smtp_inbox import Inbox, running_inbox

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with running_inbox() as received:
        yield received


@pytest.fixture
def engine(app: FastAPI) -> Iterator[Engine]:
    """The shared test database's engine, for the lease tables; the rows made here are removed."""
    engine: Engine = app.state.engine
    yield engine
    with Session(engine) as cleanup:
        cleanup.exec(delete(ScheduledJob).where(col(ScheduledJob.name).startswith("test-")))
        cleanup.commit()


def test_a_leased_job_is_run_by_one_worker_at_a_time(engine: Engine) -> None:
    schedule.ensure_jobs(engine, ["test-lease"])
    schedule.ensure_jobs(engine, ["test-lease"])  # a second worker starting finds it there

    taken = schedule.claim(engine, "test-lease", timedelta(minutes=5))
    assert taken is not None
    assert schedule.claim(engine, "test-lease", timedelta(minutes=5)) is None, "held by the first"
    assert schedule.claim(engine, "test-lease", timedelta(minutes=5), even_if_not_due=True) is None

    schedule.release(engine, "test-lease", taken, timedelta(hours=1), None)
    assert schedule.claim(engine, "test-lease", timedelta(minutes=5)) is None, "not due for an hour"
    again = schedule.claim(engine, "test-lease", timedelta(minutes=5), even_if_not_due=True)
    assert again is not None


def test_a_dead_workers_lease_lapses_and_its_late_release_changes_nothing(engine: Engine) -> None:
    schedule.ensure_jobs(engine, ["test-lapse"])
    dead = schedule.claim(engine, "test-lapse", timedelta(minutes=5))
    assert dead is not None
    with Session(engine) as db:  # five minutes later
        db.exec(
            update(ScheduledJob)
            .where(col(ScheduledJob.name) == "test-lapse")
            .values(locked_until=utc_now() - timedelta(seconds=1))
        )
        db.commit()

    alive = schedule.claim(engine, "test-lapse", timedelta(minutes=5))
    assert alive is not None
    schedule.release(engine, "test-lapse", dead, timedelta(hours=1), "late")
    with Session(engine) as db:
        row = db.get(ScheduledJob, "test-lapse")
        assert row is not None
        assert row.locked_until is not None, "still held by the live worker"
        assert row.last_error is None


def test_two_workers_at_once_run_a_leased_job_once(engine: Engine, settings: Settings) -> None:
    runs: list[str] = []
    inside = threading.Event()
    go_on = threading.Event()

    def slow(_context: Context) -> int:
        runs.append(threading.current_thread().name)
        if threading.current_thread().name == "first":
            inside.set()
            go_on.wait()
        return 1

    def first_turn() -> None:
        try:
            first.turn(job)
        finally:
            inside.set()

    job = Job("test-once", timedelta(hours=1), slow, leased=True)
    first = Worker(Context(engine, settings), jobs=(job,))
    second = Worker(Context(engine, settings), jobs=(job,))
    schedule.ensure_jobs(engine, [job.name])
    running = threading.Thread(target=first_turn, name="first")
    running.start()
    inside.wait()
    held = second.turn(job)
    go_on.set()
    running.join()

    assert runs == ["first"]
    assert held.done == 0
    assert second.turn(job).done == 0, "done, and not due again for an hour"


def test_a_failing_job_is_noted_and_the_worker_goes_on(engine: Engine, settings: Settings) -> None:
    def broken(_context: Context) -> int:
        raise RuntimeError("no luck")

    job = Job("test-broken", timedelta(hours=1), broken, leased=True)
    worker = Worker(Context(engine, settings), jobs=(job,))
    [ran] = worker.run_once()

    assert ran.error == "RuntimeError: no luck"
    with Session(engine) as db:
        row = db.get(ScheduledJob, "test-broken")
        assert row is not None
        assert (row.locked_until, row.last_error) == (None, "RuntimeError: no luck")


def test_the_worker_stops_when_asked(engine: Engine, settings: Settings) -> None:
    turns = threading.Semaphore(0)

    def tick(_context: Context) -> int:
        turns.release()
        return 0

    worker = Worker(
        Context(engine, settings), jobs=(Job("test-tick", timedelta(seconds=0.01), tick, leased=False),)
    )
    running = threading.Thread(target=worker.run)
    running.start()
    for _turn in range(3):
        turns.acquire()  # it keeps running its job at the interval
    worker.stop()
    running.join()
    assert not running.is_alive()


def test_housekeeping_removes_expired_sessions_and_old_attempts_and_keeps_live_ones(
    db_session: Session, settings: Settings
) -> None:
    person = make_person(db_session)
    now = utc_now()

    def session(name: str, **times: object) -> UserSession:
        record = UserSession(
            token_hash=name.ljust(64, "0"), person_id=person.id, method=SignInMethod.PASSWORD, **times
        )
        db_session.add(record)
        return record

    live = session("live")
    ended = session("ended", ended_at=now - timedelta(minutes=1))
    idle = session("idle", last_seen_at=now - timedelta(minutes=settings.session_idle_minutes + 1))
    too_old = session(
        "old", created_at=now - timedelta(hours=settings.session_absolute_hours + 1), last_seen_at=now
    )
    recent = SignInAttempt(throttle_key="account:housekeeping", attempted_at=now - timedelta(minutes=5))
    old = SignInAttempt(throttle_key="account:housekeeping", attempted_at=now - timedelta(days=2))
    db_session.add_all([recent, old])
    db_session.flush()
    ids = [live.id, ended.id, idle.id, too_old.id]

    swept = housekeeping.sweep(db_session, settings)

    remaining = set(db_session.exec(select(UserSession.id).where(col(UserSession.id).in_(ids))))
    assert remaining == {live.id}
    attempts = set(
        db_session.exec(select(SignInAttempt.id).where(SignInAttempt.throttle_key == "account:housekeeping"))
    )
    assert attempts == {recent.id}
    assert swept.sessions >= 3
    assert swept.attempts >= 1
    event = db_session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert event is not None
    assert event.action == "housekeeping.swept"


@pytest.fixture
def command_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of its own for the command, which reads its settings from the environment."""
    with migrated_database(tmp_path) as url:
        monkeypatch.setenv("ONEPLAN_DATABASE_URL", url)
        monkeypatch.setenv("ONEPLAN_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("ONEPLAN_ENVIRONMENT", "test")
        get_settings.cache_clear()
        try:
            yield url
        finally:
            get_settings.cache_clear()


def test_worker_once_runs_every_job(
    command_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inbox: Inbox
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    monkeypatch.setenv("ONEPLAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ONEPLAN_SMTP_PORT", str(inbox.port))
    get_settings.cache_clear()
    engine = build_engine(get_settings())
    try:
        with Session(engine) as db:
            expired = UserSession(
                token_hash="e" * 64,
                person_id=make_person(db).id,
                method=SignInMethod.PASSWORD,
                ended_at=utc_now(),
            )
            db.add(expired)
            db.commit()
            expired_id = expired.id

        ran = runner.invoke(cli, ["worker", "--once"])

        with Session(engine) as db:
            still_there = db.get(UserSession, expired_id)
            messages = list(db.exec(select(OutboxMessage)))
    finally:
        engine.dispose()
    assert ran.exit_code == 0, ran.output
    # The worker's lines name a job; the loopback mail server's own log lines may be interleaved.
    reported = (re.match(r"([a-z_]+): (.*)$", line) for line in ran.output.splitlines())
    lines = dict(match.groups() for match in reported if match)
    assert set(lines) == {
        "reminders",
        "housekeeping",
        "setting_moves",
        "audit_sequencer",
        "mail_relay",
        "audit_checkpoint",
    }
    assert not [line for line in lines.values() if not line.startswith("did ")], ran.output
    assert lines["reminders"] != "did 0", "the demo has steps overdue"
    assert lines["audit_checkpoint"] == "did 1"
    assert list((tmp_path / "audit-checkpoints").iterdir())
    assert still_there is None
    assert messages
    assert {message.state for message in messages} == {DeliveryState.SENT}
    assert len(inbox.messages) == len(messages) == int(lines["mail_relay"].removeprefix("did "))


def test_the_worker_process_ends_cleanly_on_sigterm(command_database: str, tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "worker"],
        cwd=PROJECT_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "Worker started" in line:
            break
    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate()
    assert process.returncode == 0, "".join(seen) + rest
    assert "Worker stopped" in rest
