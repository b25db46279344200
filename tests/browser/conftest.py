"""Browser journeys: the app served on a free loopback port, driven by Debian's Chromium through Playwright.

Playwright never downloads a browser here; it drives /usr/bin/chromium (CHROMIUM_PATH to change it).
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response
from playwright.sync_api import Error as PlaywrightError
from sqlmodel import Session

from app.auth import SESSION_COOKIE
from app.config import Environment, Settings
from app.db import build_engine
from app.headers import REQUEST_ID_HEADER
from app.services.demo import create_demo, demo_person
from tests.browser.nu_checker import ServedDocuments, nu_errors
from tests.browser.server import running_server
from tests.databases import migrated_database
from tests.factories import session_token_for

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def live_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of the live server: its own migrated database with the demo people."""
    folder = tmp_path_factory.mktemp("live")
    with migrated_database(folder) as url:
        settings = Settings(environment=Environment.TEST, database_url=url, data_dir=folder)
        engine = build_engine(settings)
        with Session(engine) as db:
            create_demo(db, settings)
            db.commit()
        engine.dispose()
        yield settings


@pytest.fixture(scope="session")
def live_server(live_settings: Settings) -> Iterator[str]:
    """The real app under uvicorn on loopback."""
    with running_server(live_settings) as base:
        yield base


@pytest.fixture(scope="session")
def live_db(live_settings: Settings) -> Iterator[Callable[[], Session]]:
    """Open a session on the live server's database (commit what the server must see)."""
    engine = build_engine(live_settings)
    yield lambda: Session(engine)
    engine.dispose()


@pytest.fixture
def signed_in_as(page: Page, live_db: Callable[[], Session], live_server: str) -> Callable[[str], None]:
    """Put a signed-in session for a demo persona into the browser (the sign-in journeys are tested apart)."""

    def sign_in(display_name: str) -> None:
        with live_db() as db:
            token = session_token_for(db, demo_person(db, display_name))
            db.commit()
        page.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live_server}])

    return sign_in


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """Lets tests write page.goto("/") (replaces pytest-base-url's fixture)."""
    return live_server


@pytest.fixture
def browser_problems(page: Page) -> list[str]:
    """Console errors and uncaught exceptions (CSP violations, missing assets, script errors)."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.fixture
def screenshots_dir() -> Path:
    folder = Path(__file__).resolve().parents[2] / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


_SAID: list[str] = []
"""Lines for the run's summary: what the Nu HTML checker found (the figure issue 21 asks for)."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _SAID:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def served_documents() -> Iterator[ServedDocuments]:
    """Every HTML page the journeys were served, checked by the Nu HTML checker when they are done."""
    documents = ServedDocuments()
    yield documents
    errors = nu_errors(documents)
    said = f"The Nu HTML checker: {len(documents)} pages the journeys were served, {len(errors)} errors."
    _SAID.append(said)
    if errors:
        shown = "\n".join(errors[:40])
        pytest.fail(f"The Nu HTML checker found {len(errors)} errors in {len(documents)} pages:\n{shown}")


@pytest.fixture(scope="session", autouse=True)
def pages_kept_for_the_nu_checker(served_documents: ServedDocuments) -> Iterator[None]:
    """Every browser context a journey opens (its own, or pytest-playwright's) hands its pages over.

    Only OnePlan's own pages, known by the request id it puts on every answer: the test identity
    provider's sign-in pages are not ours to mend.
    """

    def on_response(response: Response) -> None:
        if response.request.resource_type != "document" or not response.ok:
            return
        headers = response.headers
        if REQUEST_ID_HEADER.lower() not in headers or "text/html" not in headers.get("content-type", ""):
            return
        try:
            served_documents.keep(response.url, response.text())
        except PlaywrightError:  # the page moved on before its body could be read
            pass

    opening = Browser.new_context

    def new_context(browser: Browser, *args: Any, **kwargs: Any) -> BrowserContext:
        context = opening(browser, *args, **kwargs)
        context.on("response", on_response)
        return context

    Browser.new_context = new_context  # type: ignore[method-assign]
    yield
    Browser.new_context = opening  # type: ignore[method-assign]
