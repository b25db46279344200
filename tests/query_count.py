"""Count the SQL statements a request runs: a page's count must not grow with the data behind it."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event

_UNCOUNTED: ContextVar[bool] = ContextVar("uncounted", default=False)


@contextmanager
def not_counted() -> Iterator[None]:
    """Work that is not the request's own (the test's stand-in for the worker's sequencer)."""
    token = _UNCOUNTED.set(True)
    try:
        yield
    finally:
        _UNCOUNTED.reset(token)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


_requests_engine: list[Engine] = []


def requests_run_on(engine: Engine) -> None:
    """The engine of the test's database (the empty one or the demo's): set by the `db_session` fixture."""
    _requests_engine[:] = [engine]


@contextmanager
def counting_queries() -> Iterator[QueryCounter]:
    """The statements of the test's requests, on the engine of its database."""
    counter = QueryCounter()
    [engine] = _requests_engine

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _UNCOUNTED.get():
            return
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", note)
