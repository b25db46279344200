"""A journey's own server on its own copy of the demo world (the journey changes it), and browser pages
signed in as the demo's personas, each in a browser context of its own."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize
from sqlmodel import Session, select

from app.auth import SESSION_COOKIE
from app.config import Environment, Settings
from app.db import build_engine
from app.models import Child, Plan
from app.services.demo import create_demo, demo_person
from tests.browser.server import running_server
from tests.databases import migrated_database
from tests.factories import session_token_for

DESKTOP: ViewportSize = {"width": 1024, "height": 900}


@dataclass(frozen=True)
class Journey:
    base: str
    settings: Settings

    def plan_of(self, child_name: str) -> int:
        """The id of the plan of the demo's child of that name."""
        with self.session() as db:
            plan = db.exec(select(Plan).join(Child).where(Child.full_name == child_name)).one()
            return int(plan.id or 0)

    def session_token(self, name: str) -> str:
        with self.session() as db:
            token = session_token_for(db, demo_person(db, name))
            db.commit()
            return token

    @contextmanager
    def session(self) -> Iterator[Session]:
        engine = build_engine(self.settings)
        try:
            with Session(engine) as db:
                yield db
        finally:
            engine.dispose()


@contextmanager
def journey_server(
    folder: Path, prepare: Callable[[Session], object] | None = None, **settings: Any
) -> Iterator[Journey]:
    """The demo world (then `prepare`, if given) in a database of the journey's own, served."""
    with migrated_database(folder) as url:
        journey_settings = Settings(
            environment=Environment.TEST, database_url=url, data_dir=folder, **settings
        )
        engine = build_engine(journey_settings)
        with Session(engine) as db:
            create_demo(db, journey_settings)
            if prepare is not None:
                prepare(db)
            db.commit()
        engine.dispose()
        with running_server(journey_settings) as base:
            yield Journey(base, journey_settings)


@contextmanager
def signed_in_pages(browser: Browser, journey: Journey) -> Iterator[Callable[..., Page]]:
    """`open_as(name, viewport=DESKTOP, **context_options)`: a page signed in as that persona, in a
    browser context of its own (as on their own computer); closed when the block ends."""
    contexts: list[BrowserContext] = []

    def open_as(name: str, viewport: ViewportSize = DESKTOP, **options: Any) -> Page:
        token = journey.session_token(name)
        context = browser.new_context(base_url=journey.base, viewport=viewport, **options)
        context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": journey.base}])
        contexts.append(context)
        return context.new_page()

    try:
        yield open_as
    finally:
        for context in contexts:
            context.close()


def with_problems_kept(page: Page) -> Page:
    """The page, keeping its console errors and uncaught exceptions in `page.problems`."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems  # type: ignore[attr-defined]
    return page
