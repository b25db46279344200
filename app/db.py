"""Engine and session: SQLite by default, PostgreSQL when ONEPLAN_DATABASE_URL says so.

A request that only reads (GET, HEAD) reads in a read-only transaction that takes no lock; the few
writes it makes (its audit events, a session's last-seen time) wait in `db.info` and are written at
the end, in a short transaction of their own, before a byte of the response is sent. So no request
holds the write lock (SQLite) while it loads and renders a plan, and none blocks a writer.
"""

import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, Engine, Executable, MetaData, event, exc, update
from sqlalchemy.engine import URL
from sqlalchemy.pool import Pool
from sqlmodel import Session, SQLModel, create_engine

import app.models  # noqa: F401  (every table, with the naming convention, on the metadata)
from app.config import Settings

metadata: MetaData = SQLModel.metadata


PING_AFTER_IDLE = 10.0
"""Seconds a pooled PostgreSQL connection may lie unused before it is checked on being taken."""


def build_engine(settings: Settings) -> Engine:
    """Create the engine; SQLite gets the settings that make it behave under threads and FKs."""
    url = settings.resolved_database_url
    if not settings.is_sqlite:
        sizes = {"pool_size": settings.database_pool_size, "max_overflow": settings.database_pool_overflow}
        engine = _postgresql_engine(url, settings.sql_echo, **sizes)
        event.listen(engine, "begin", _postgresql_begin)
        with _READING_ENGINES_LOCK:
            _READING_ENGINES[engine] = _postgresql_reading_engine(engine, **sizes)
        return engine
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=settings.sql_echo, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "commit", _end_write_turn)
    event.listen(engine, "rollback", _end_write_turn)
    return engine


def _postgresql_engine(url: str | URL, echo: bool, **options: Any) -> Engine:
    """A pool of PostgreSQL connections, each checked only when taken after lying idle.

    A connection the server has closed (a restart, an idle timeout) must not fail a request; but
    SQLAlchemy's `pool_pre_ping` checks on every checkout, which on PostgreSQL costs a transaction
    of its own (BEGIN, SELECT 1) per request. A connection in steady use has just worked.
    """
    engine = create_engine(url, echo=echo, **options)
    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "checkin", _note_idle_since)
    return engine


_IDLE_SINCE = "oneplan_idle_since"


def _note_idle_since(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Raise DisconnectionError for a dead connection: the pool then replaces it and tries again."""
    if time.monotonic() - record.info.get(_IDLE_SINCE, 0.0) < PING_AFTER_IDLE:
        return
    try:
        dbapi_connection.execute("SELECT 1")
        if not dbapi_connection.autocommit:
            dbapi_connection.rollback()
    except Exception as problem:  # any failure here means: use another connection
        raise exc.DisconnectionError(str(problem)) from problem


READING = "oneplan_reading"
"""Execution option (and `Session.info` key) of the engine that read-only requests use."""
_LATER = "oneplan_writes_after_reading"
_WRITER = "oneplan_writer"
"""`Session.info` key: the engine a reading session's waiting writes go to (not its read-only pool)."""

Write = Callable[[Session], object]


@dataclass(frozen=True, slots=True)
class InsertRow:
    """A write that inserts one row by a statement built once: the rows of every request that ends
    at the same moment go in by that statement together (`WriteGroup`), not one statement each."""

    statement: Executable
    row: dict[str, Any]

    def __call__(self, writer: Session) -> object:
        return writer.execute(self.statement, self.row)


@dataclass(frozen=True, slots=True)
class _Rows:
    """Rows of one statement, written by it at once (one INSERT of many rows)."""

    statement: Executable
    rows: list[dict[str, Any]]

    def __call__(self, writer: Session | Connection) -> object:
        return writer.execute(self.statement, self.rows)


def _together(writes: Iterable[Write]) -> Iterator[Write]:
    """The writes in their order, except that rows of one statement go in last, by one statement."""
    rows: dict[Executable, list[dict[str, Any]]] = {}
    for write in writes:
        if isinstance(write, InsertRow):
            rows.setdefault(write.statement, []).append(write.row)
        else:
            yield write
    for statement, values in rows.items():
        yield _Rows(statement, values)


def reading_engine(engine: Engine) -> Engine:
    """The engine of transactions that only read (on SQLite, taking no lock).

    On PostgreSQL it has a pool of its own, in autocommit and read-only by the server's default
    (`default_transaction_read_only`): each statement is its own read-only transaction, so a read
    costs no BEGIN and no ROLLBACK, and a write slipped into a GET still fails loudly. At READ
    COMMITTED, PostgreSQL's default, statements in one transaction see no more alike than these.
    """
    with _READING_ENGINES_LOCK:
        found = _READING_ENGINES.get(engine)
        if found is None:
            found = _READING_ENGINES[engine] = _reading_engine_for(engine)
        return found


_READING_ENGINES: "weakref.WeakKeyDictionary[Engine, Engine]" = weakref.WeakKeyDictionary()
_READING_ENGINES_LOCK = threading.Lock()


def _reading_engine_for(engine: Engine) -> Engine:
    if not isinstance(engine, Engine) or engine.dialect.name != "postgresql":
        return engine.execution_options(**{READING: True})  # SQLite, or a test's own connection
    return _postgresql_reading_engine(engine)  # an engine made elsewhere than build_engine


def _postgresql_reading_engine(engine: Engine, **sizes: int) -> Engine:
    reading = _postgresql_engine(
        engine.url,
        bool(engine.echo),
        **sizes,
        isolation_level="AUTOCOMMIT",
        connect_args={"options": "-c default_transaction_read_only=on"},
    ).execution_options(**{READING: True})
    event.listen(engine, "engine_disposed", lambda _engine: reading.dispose())
    return reading


def reading_session(engine: Engine) -> Session:
    return Session(reading_engine(engine), info={READING: True, _WRITER: engine})


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
    """End the read, then make the writes that waited for it; raises if they fail.

    Requests that end their reads at the same moment share one short transaction (`WriteGroup`).
    """
    waiting: list[Write] = db.info.pop(_LATER, [])
    db.rollback()
    if not waiting:
        return
    bind = db.info.get(_WRITER) or db.get_bind()
    if isinstance(bind, Engine):
        _write_group(bind).write(waiting)
        return
    with Session(bind=bind, join_transaction_mode="create_savepoint") as writer:  # a test's own connection
        for write in _together(waiting):
            write(writer)
        writer.commit()


class _Waiting:
    __slots__ = ("problem", "writes", "written")

    def __init__(self, writes: list[Write]) -> None:
        self.writes = writes
        self.written = False
        self.problem: BaseException | None = None


class WriteGroup:
    """Group commit: the writes that waited for reads to end, from every request ending at once.

    The first request to arrive writes its own and everyone's queued behind it in one transaction,
    and hands on to the next; the rest wait for it. Each request still answers only after its writes
    have committed. With sixteen readers at once, one transaction and one turn of the write lock
    serve several of them. Should the shared transaction fail, each request's writes are tried alone,
    so that one request's failure is its own.

    Most groups are only rows of one statement (the audit events of reads): on PostgreSQL they go in
    by that one statement in autocommit, which is a transaction of its own, without the BEGIN and
    COMMIT that cost as much again. (SQLite keeps its transaction: it is how writers take turns.)
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine.execution_options(**{READING: False})
        self._one_statement_engine = (
            engine.execution_options(isolation_level="AUTOCOMMIT", **{READING: False})
            if engine.dialect.name == "postgresql"
            else None
        )
        self._turn = threading.Condition()
        self._queued: list[_Waiting] = []
        self._writing = False

    def write(self, writes: list[Write]) -> None:
        mine = _Waiting(writes)
        with self._turn:
            self._queued.append(mine)
            while self._writing and not mine.written:
                self._turn.wait()
            if not mine.written:
                self._writing = True
                group, self._queued = self._queued, []
        if not mine.written:
            try:
                self._commit(group)
            finally:
                with self._turn:
                    for waiting in group:
                        waiting.written = True
                    self._writing = False
                    self._turn.notify_all()
        if mine.problem is not None:
            raise mine.problem

    def _commit(self, group: list[_Waiting]) -> None:
        try:
            self._commit_together(group)
            return
        except Exception as problem:
            if len(group) == 1:
                group[0].problem = problem
                return
        for waiting in group:
            try:
                self._commit_together([waiting])
            except Exception as problem:
                waiting.problem = problem

    def _commit_together(self, group: list[_Waiting]) -> None:
        writes = list(_together(write for waiting in group for write in waiting.writes))
        if self._one_statement_engine is not None and len(writes) == 1 and isinstance(writes[0], _Rows):
            with self._one_statement_engine.connect() as connection:
                writes[0](connection)
            return
        with Session(self._engine) as writer:
            for write in writes:
                write(writer)
            writer.commit()


_WRITE_GROUPS: "weakref.WeakKeyDictionary[Pool, WriteGroup]" = weakref.WeakKeyDictionary()
_WRITE_GROUPS_LOCK = threading.Lock()


def _write_group(engine: Engine) -> WriteGroup:
    """One group per database: each reading request's engine is a copy with its own options, on one pool."""
    with _WRITE_GROUPS_LOCK:
        group = _WRITE_GROUPS.get(engine.pool)
        if group is None:
            group = _WRITE_GROUPS[engine.pool] = WriteGroup(engine)
        return group


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (savepoints need it)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode, NORMAL syncs at checkpoints rather than at every commit: the file is never corrupt,
    # and a commit survives the service stopping or crashing; only a power cut or the machine's own
    # crash may lose the last moments of commits (SQLite's "WAL mode" notes). FULL cost every request
    # that writes a fifth of a millisecond more. Production runs on PostgreSQL, which syncs each commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")  # writers queue for the one write lock
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """A writing transaction takes the write lock at the start: one that read first and wrote later
    would fail at once if another wrote in between. A reading one takes no lock and may not write."""
    if connection.get_execution_options().get(READING):
        _only_reads(connection, True)
        connection.exec_driver_sql("BEGIN")
        return
    _take_write_turn(connection)
    try:
        _only_reads(connection, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _end_write_turn(connection)
        raise


def _only_reads(connection: Any, reading: bool) -> None:
    """Set `query_only` only when this connection's last transaction was of the other kind."""
    kept = connection.connection.info
    if kept.get("query_only") is not reading:
        connection.exec_driver_sql(f"PRAGMA query_only={'ON' if reading else 'OFF'}")
        kept["query_only"] = reading


_WRITE_TURNS: dict[str, threading.Lock] = {}
_WRITE_TURNS_LOCK = threading.Lock()
_TURN = "oneplan_write_turn"
WRITE_TURN_TIMEOUT = 30.0
"""Seconds a writer waits for its turn, as SQLite's busy_timeout (then "database is locked")."""


def _take_write_turn(connection: Any) -> None:
    """Writers of one process queue on a lock of their own before SQLite's write lock.

    SQLite's busy handler polls with sleeps of up to 100 ms, so sixteen writers waiting on it lose
    most of their time asleep after the lock is free; a lock in the process hands it on at once.
    Other processes (the worker) still meet SQLite's own lock and its busy_timeout.
    """
    database = str(connection.engine.url.database)
    with _WRITE_TURNS_LOCK:
        turn = _WRITE_TURNS.setdefault(database, threading.Lock())
    if not turn.acquire(timeout=WRITE_TURN_TIMEOUT):
        raise TimeoutError(f"no turn to write to {database} within {WRITE_TURN_TIMEOUT:g} s")
    connection.info[_TURN] = turn


def _end_write_turn(connection: Any) -> None:
    turn = connection.info.pop(_TURN, None)
    if turn is not None:
        turn.release()


def _postgresql_begin(connection: Any) -> None:
    """A reading transaction is READ ONLY, so that a write slipped into a GET fails loudly in tests.

    psycopg begins each transaction itself, with READ ONLY when the connection says so: no statement
    of its own. (A connection already in a transaction cannot be told: then a statement says it.)
    """
    reading = bool(connection.get_execution_options().get(READING))
    driver = connection.connection.driver_connection
    if driver.info.transaction_status == TransactionStatus.IDLE:
        if driver.read_only is not reading:
            driver.read_only = reading
    elif reading:
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
