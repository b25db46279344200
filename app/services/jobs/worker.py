"""The worker (`oneplan worker`): every slow or scheduled task, away from the requests.

Two kinds of job. The audit sequencer and the mail relay are safe on every worker at once (the
sequencer by its own design, the relay by claiming messages one at a time), so each worker runs them
often. Reminders, checkpoints and housekeeping are leased: a row of `scheduled_job` says when each is
next due, and only the worker that claims it runs it. Any number of workers may run beside any
number of web processes; none does a job twice. A failing job is logged and tried again later: it
never stops the worker. SIGTERM or SIGINT lets the current job finish, then the worker ends.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from app.config import Settings
from app.db import reading_session
from app.services.audit import integrity, sequencer
from app.services.delivery.moves import apply_due_moves
from app.services.jobs import housekeeping, schedule
from app.services.mail import Claimed, relay_due
from app.services.timelines.reminders import send_reminders

logger = logging.getLogger("oneplan.worker")

LEASED_POLL_SECONDS = 10.0
"""How often a worker asks whether a leased job is due (it is claimed only when it is)."""
PAUSE_AFTER_ERROR_SECONDS = 5.0
ONCE_ROUNDS = 1000
"""`--once` repeats a job that did something until it finds nothing left, at most this often."""


@dataclass(frozen=True)
class Context:
    engine: Engine
    settings: Settings
    keep: Callable[[Claimed], None] | None = None
    """Told of each message kept in the outbox because no transport is configured (demo mode)."""


class JobProblem(Exception):
    """A job ran but could not do its work (a broken audit chain, say): logged, tried again later."""


def relay_mail(context: Context) -> int:
    return relay_due(context.engine, context.settings, keep=context.keep)


def chain_audit(context: Context) -> int:
    return sequencer.chain_pending(context.engine)


def remind(context: Context) -> int:
    with Session(context.engine) as db:
        return len(send_reminders(db, context.settings))


def move_settings(context: Context) -> int:
    """Moves of school whose day has come (the UK's): access and placement change that day."""
    with Session(context.engine) as db:
        return apply_due_moves(db, context.settings)


def checkpoint(context: Context) -> int:
    # Only reads the chain: on SQLite a writing session would hold the write lock all the while.
    with reading_session(context.engine) as db:
        made = integrity.make_checkpoint(db, context.settings)
    if made.verification.problem is not None:
        raise JobProblem(f"No checkpoint was made. {made.verification.problem.message}")
    return 1 if made.new else 0


def sweep(context: Context) -> int:
    with Session(context.engine) as db:
        swept = housekeeping.sweep(db, context.settings)
        db.commit()
    return swept.sessions + swept.attempts


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[Context], int]
    """Does the work; how many things it did (events chained, messages handled, ...)."""
    leased: bool
    """Only one worker at a time, through `scheduled_job`; otherwise safe on every worker at once."""
    lease: timedelta = timedelta(minutes=30)
    """How long a claim holds: longer than the job ever takes, short enough to outlive a dead worker."""

    @property
    def poll_seconds(self) -> float:
        seconds = self.every.total_seconds()
        return min(seconds, LEASED_POLL_SECONDS) if self.leased else seconds


JOBS: tuple[Job, ...] = (
    # In this order, `--once` mails the reminders it queued and checkpoints the events it chained.
    Job("reminders", timedelta(hours=1), remind, leased=True),
    Job("housekeeping", timedelta(hours=1), sweep, leased=True),
    Job("setting_moves", timedelta(hours=1), move_settings, leased=True),
    # Every 0.2 s, well inside the bound on how long an event may wait for the chain (2 s).
    Job("audit_sequencer", sequencer.CHAIN_DELAY_BOUND / 10, chain_audit, leased=False),
    Job("mail_relay", timedelta(seconds=1), relay_mail, leased=False),
    Job("audit_checkpoint", timedelta(hours=1), checkpoint, leased=True),
)


@dataclass(frozen=True)
class Ran:
    """One job's turn: how much it did, or why it did nothing."""

    job: str
    done: int = 0
    error: str | None = None
    held_elsewhere: bool = False


@dataclass
class Worker:
    context: Context
    jobs: tuple[Job, ...] = JOBS
    stopping: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        """Ask the worker to end once the job in hand is done (the signal handlers call this)."""
        self.stopping.set()

    def run_once(self) -> list[Ran]:
        """Run every job now, whether due or not, until each finds nothing left (tests, cron)."""
        schedule.ensure_jobs(self.context.engine, [job.name for job in self.jobs if job.leased])
        return [self.turn(job, once=True) for job in self.jobs]

    def run(self) -> None:
        """Run each job at its interval until asked to stop."""
        schedule.ensure_jobs(self.context.engine, [job.name for job in self.jobs if job.leased])
        due = dict.fromkeys((job.name for job in self.jobs), 0.0)
        logger.info("Worker started: %s", ", ".join(job.name for job in self.jobs))
        while not self.stopping.is_set():
            for job in self.jobs:
                if self.stopping.is_set():
                    break
                if due[job.name] > time.monotonic():
                    continue
                ran = self.turn(job)
                pause = max(job.poll_seconds, PAUSE_AFTER_ERROR_SECONDS if ran.error else 0.0)
                due[job.name] = time.monotonic() + pause
            self.stopping.wait(max(0.0, min(min(due.values()) - time.monotonic(), 1.0)))
        logger.info("Worker stopped")

    def turn(self, job: Job, *, once: bool = False) -> Ran:
        """One turn of a job: claim it if leased, run it, note the outcome; never raises."""
        engine = self.context.engine
        try:
            taken = schedule.claim(engine, job.name, job.lease, even_if_not_due=once) if job.leased else None
        except Exception as error:
            logger.exception("Could not claim %s", job.name)
            return Ran(job.name, error=f"{type(error).__name__}: {error}")
        if job.leased and taken is None:
            return Ran(job.name, held_elsewhere=once)
        done, problem = 0, None
        try:
            for _round in range(ONCE_ROUNDS if once else 1):
                did = job.run(self.context)
                done += did
                if not did or self.stopping.is_set():
                    break
        except Exception as error:
            problem = f"{type(error).__name__}: {error}"
            logger.exception("Job %s failed", job.name)
        if done:
            logger.info("Job %s did %s", job.name, done)
        if taken is not None:
            try:
                schedule.release(engine, job.name, taken, job.every, problem)
            except Exception:
                logger.exception("Could not release %s (its lease will lapse)", job.name)
        return Ran(job.name, done=done, error=problem)
