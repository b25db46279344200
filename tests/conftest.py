"""Shared fixtures: a database built by the real migrations, each test rolled back, a test client."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Connection, Engine, event
from sqlmodel import Session

from app.auth import SESSION_COOKIE
from app.config import Environment, Settings, get_settings
from app.db import build_engine
from app.dependencies import get_session
from app.main import create_app
from app.models import Person
from app.services.audit.sequencer import BATCH_SIZE, chain_batch, chain_pending
from app.services.auth.csrf import csrf_token
from app.services.auth.secrets import digest
from app.services.demo import create_demo, demo_person
from tests.databases import migrated_database, sharing
from tests.factories import session_token_for
from tests.page_checks import check_page, is_whole_page
from tests.query_count import not_counted, requests_run_on

# argon2id at its lightest for every test and every process the tests start (servers, commands): the
# standard cost is a tenth of a second a hash here, and the suite makes thousands. Never in production.
os.environ.setdefault("ONEPLAN_FAST_PASSWORD_HASHING", "true")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database for the run, built by the migrations that production applies."""
    with migrated_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # The tests play the demo (the administrator's outbox among it): asked for here, as scripts/run does.
    return Settings(
        environment=Environment.TEST,
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("data"),
        demo_mode=True,
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="session")
def demo_engine(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The demo world made once for the run, as `oneplan demo` leaves it (its trail chained), in a
    database of its own: a test that asks for `demo` works on it inside its rolled-back transaction,
    instead of making the world again (a third of a second or more a test)."""
    with migrated_database(tmp_path_factory.mktemp("demo-db")) as url:
        engine = build_engine(settings.model_copy(update={"database_url": url}))
        with Session(engine) as db:
            create_demo(db, settings)
            db.commit()
            while chain_batch(db):
                db.commit()
        yield engine
        engine.dispose()


@pytest.fixture
def db_session(request: pytest.FixtureRequest, app: FastAPI) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test, whatever it committed: on
    the demo world when the test asks for it, else on the empty database."""
    demo_wanted = "demo" in request.fixturenames
    engine: Engine = request.getfixturevalue("demo_engine") if demo_wanted else app.state.engine
    # Parts of pages are kept under the plan's stamp; the demo's plans keep theirs from test to test.
    app.state.page_cache.clear()
    # Events that tests committed for good (the API contract calls the app itself) are chained first,
    # as a worker would have: else every test's sequencer chains them all again, then rolls them back.
    chain_pending(engine)
    requests_run_on(engine)
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    _note_events_written(session, connection)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def sequencer(db_session: Session) -> Callable[[], int]:
    """Run the sequencer over the test's transaction, as a worker does; how many events it chained.

    It looks for events only when a statement on the test's connection has written some since it
    last ran (`_note_events_written`): the test client runs it before and after every request, and
    most of those runs had nothing to chain but cost a quarter of the permission matrix's time.
    """

    def run() -> int:
        if not db_session.info.pop(_EVENTS_WRITTEN, False):
            return 0
        chained = 0
        with not_counted():
            while True:
                linked = chain_batch(db_session)
                chained += linked
                if linked < BATCH_SIZE:
                    break
            db_session.commit()
        return chained

    return run


_EVENTS_WRITTEN = "tests_events_written"


def _note_events_written(session: Session, connection: Connection) -> None:
    """Mark the session whenever a statement on its connection inserts audit events (and at the start,
    for whatever was there before)."""
    session.info[_EVENTS_WRITTEN] = True

    def note(_connection: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if statement[:23].lower() == "insert into audit_event":
            session.info[_EVENTS_WRITTEN] = True

    event.listen(connection, "before_cursor_execute", note)


@pytest.fixture(scope="session")
def event_loop_portal() -> Iterator[BlockingPortal]:
    """One event loop, in a thread of its own, for every test client's requests, as a server has one.

    A test client outside a `with` block otherwise starts a thread, an event loop and that loop's
    worker threads for each request, and ends them after: more than many requests cost to serve.
    """
    with start_blocking_portal() as portal:
        yield portal


@pytest.fixture
def client(
    app: FastAPI, db_session: Session, sequencer: Callable[[], int], event_loop_portal: BlockingPortal
) -> Iterator[TestClient]:
    """A client whose requests share the test's rolled-back transaction.

    A worker runs the sequencer beside the service; here it runs before and after each request, so
    that a test sees the trail as it stands once the sequencer's short delay has passed. Every whole
    page it is served is checked (tests/page_checks.py), whatever the test goes on to look at.
    """

    app.dependency_overrides[get_session] = sharing(db_session)
    # Not entered as a context manager: the app's lifespan (and engine) lasts the whole session.
    test_client = TestClient(app, raise_server_exceptions=False)
    test_client.portal = event_loop_portal
    send = test_client.request

    def request_with_the_trail_chained(*args: Any, **kwargs: Any) -> Response:
        sequencer()
        response = send(*args, **kwargs)
        sequencer()
        if is_whole_page(response):
            check_page(response.text)
        return response

    test_client.request = request_with_the_trail_chained  # type: ignore[method-assign]
    yield test_client
    app.dependency_overrides.clear()


@pytest.fixture
def command_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of its own, committed to, for the command (and for several processes at once)."""
    with migrated_database(tmp_path) as url:
        monkeypatch.setenv("ONEPLAN_DATABASE_URL", url)
        monkeypatch.setenv("ONEPLAN_DATA_DIR", str(tmp_path))
        get_settings.cache_clear()
        try:
            yield url
        finally:
            get_settings.cache_clear()


@pytest.fixture
def project_dir() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def sign_in_as(client: TestClient, db_session: Session, settings: Settings) -> Callable[[Person], str]:
    """Sign the test client in as a person; returns the CSRF token their forms must carry."""

    def sign_in(person: Person) -> str:
        token = session_token_for(db_session, person)
        client.cookies.set(SESSION_COOKIE, token)
        return csrf_token(settings.secret_key, f"session:{digest(token)}")

    return sign_in


@pytest.fixture
def demo(db_session: Session) -> Callable[[str], Person]:
    """The demo world (see `demo_engine`): a lookup of its personas by name."""
    return lambda name: demo_person(db_session, name)
