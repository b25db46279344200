"""Staff sign in with their organisation's account: Chromium, OnePlan and the real oidc-provider.

Every refusal ends on the same clear page, which passes axe; nobody is created by signing in.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.config import Environment, Settings
from app.db import build_engine
from app.models import AuditEvent, Person
from app.models.base import utc_now
from app.services.auth import oidc, oidc_refusals
from app.services.demo import create_demo, demo_person
from tests.browser.accessibility import assert_accessible
from tests.browser.server import free_port, running_server
from tests.databases import migrated_database
from tests.oidc.harness import RunningProvider, TamperMode, running_provider

REFUSED_HEADING = "We could not sign you in with your organisation's account"
SSO_BUTTON = "Sign in with your organisation's account"


@dataclass(frozen=True)
class World:
    """OnePlan with single sign-on, served on loopback, and the provider it trusts."""

    base: str
    provider: RunningProvider
    engine: Engine

    def people(self) -> int:
        with Session(self.engine) as db:
            return db.exec(select(func.count()).select_from(Person)).one()

    def last_event(self) -> AuditEvent:
        with Session(self.engine) as db:
            event = db.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
            assert event is not None
            return event


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The demo people (Priya Shah's account closed), an app on a known port, and oidc-provider."""
    folder = tmp_path_factory.mktemp("sso")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with migrated_database(folder) as url, running_provider([base + oidc.CALLBACK_PATH]) as provider:
        settings = Settings(
            environment=Environment.TEST,
            database_url=url,
            data_dir=folder,
            public_url=base,
            oidc_issuer=provider.issuer,
            oidc_client_id=provider.client_id,
            oidc_client_secret=provider.client_secret,
        )
        engine = build_engine(settings)
        with Session(engine) as db:
            create_demo(db, settings)
            priya = demo_person(db, "Priya Shah")
            priya.deactivated_at = utc_now()
            db.add(priya)
            db.commit()
        try:
            with running_server(settings, port):
                yield World(base, provider, engine)
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def browser_context_args(world: World) -> dict[str, Any]:
    """Pages open on this module's server (single sign-on on), not the shared live server (off)."""
    return {"base_url": world.base}


def log_in_at_provider(page: Page, world: World, login: str) -> None:
    """From OnePlan's sign-in page to the provider's own login form, and on to its consent form."""
    page.set_default_timeout(10_000)
    page.goto(f"{world.base}/sign-in")
    page.get_by_role("button", name=SSO_BUTTON).click()
    page.wait_for_url(f"{world.provider.issuer}/interaction/**")
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    expect(page.get_by_role("button", name="Continue")).to_be_visible()


def sign_in_at_provider(page: Page, world: World, login: str, *, tamper: TamperMode | None = None) -> None:
    """Log in and consent at the provider, which sends the browser back to OnePlan."""
    log_in_at_provider(page, world, login)
    world.provider.tamper_next_token(tamper)
    try:
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(f"{world.base}/**")
    finally:
        world.provider.tamper_next_token(None)


def expect_refused(
    page: Page, world: World, reason: oidc_refusals.Refusal, screenshot: Path | None = None
) -> None:
    """The clear page, with a way forward, that passes axe; the reason only in the audit trail."""
    expect(page.get_by_role("heading", level=1)).to_have_text(REFUSED_HEADING)
    expect(page.locator(f"[data-problem='{oidc_refusals.PROBLEMS[reason].value}']")).to_be_visible()
    expect(page.get_by_role("link", name="Try again with your organisation's account")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in with your e-mail address and password")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    event = world.last_event()
    assert (event.action, event.reason) == ("sign_in.failed", reason.value)
    expect(page.get_by_text(str(event.request_id))).to_be_visible()
    if screenshot is not None:
        page.screenshot(path=screenshot, full_page=True)
    assert_accessible(page)


@pytest.fixture
def oneplan_problems(page: Page, world: World) -> list[str]:
    """Console errors from OnePlan's pages and any uncaught exception.

    The provider's development pages ask the internet for fonts and have no icon: not OnePlan's problem.
    """
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and message.location.get("url", "").startswith(world.base):
            problems.append(f"{message.text} at {message.location.get('url')}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def besides_refusal_status(problems: list[str]) -> list[str]:
    """Chromium reports the refusal page's own 4xx status as an error; nothing else may appear."""
    return [
        problem
        for problem in problems
        if not (re.search(r"status of 40[03]\b", problem) and oidc.CALLBACK_PATH in problem)
    ]


def test_morgan_signs_in_with_the_councils_account(
    page: Page, world: World, oneplan_problems: list[str], screenshots_dir: Path
) -> None:
    people = world.people()
    page.goto(f"{world.base}/sign-in")
    assert_accessible(page)
    sign_in_at_provider(page, world, "mprice")

    expect(page).to_have_url(f"{world.base}/")
    expect(page.get_by_text("Signed in as")).to_contain_text("Morgan Price")
    page.screenshot(path=screenshots_dir / "single-sign-on-signed-in.png", full_page=True)
    assert_accessible(page)
    event = world.last_event()
    assert (event.action, event.details["method"]) == ("sign_in.succeeded", "single_sign_on")
    with Session(world.engine) as db:
        assert demo_person(db, "Morgan Price").sso_subject == f"{world.provider.issuer}|mprice"
    assert world.people() == people, "nobody is created by signing in"
    assert oneplan_problems == []


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("nonce", oidc_refusals.Refusal.WRONG_NONCE),
        ("audience", oidc_refusals.Refusal.WRONG_AUDIENCE),
        ("issuer", oidc_refusals.Refusal.WRONG_ISSUER),
        ("signature", oidc_refusals.Refusal.BAD_SIGNATURE),
        ("expired", oidc_refusals.Refusal.EXPIRED_TOKEN),
    ],
)
def test_an_id_token_that_fails_a_check_ends_on_the_refusal_page(
    page: Page,
    world: World,
    oneplan_problems: list[str],
    screenshots_dir: Path,
    tamper: TamperMode,
    reason: oidc_refusals.Refusal,
) -> None:
    sign_in_at_provider(page, world, "mprice", tamper=tamper)
    shot = screenshots_dir / "single-sign-on-refused.png" if tamper == "nonce" else None
    expect_refused(page, world, reason, shot)
    assert besides_refusal_status(oneplan_problems) == []


def test_a_state_that_is_not_this_browsers_ends_on_the_refusal_page(
    page: Page, world: World, oneplan_problems: list[str]
) -> None:
    """The provider sends back whatever state it was given: here, one this browser was never given."""
    page.set_default_timeout(10_000)
    start = page.request.get(f"{world.base}/sign-in/sso", max_redirects=0)  # sets the browser's cookie
    assert start.status == 303
    authorisation = urlsplit(start.headers["location"])
    query = {name: values[0] for name, values in parse_qs(authorisation.query).items()}
    planted = {**query, "state": "planted-by-an-attacker"}
    page.goto(authorisation._replace(query=urlencode(planted)).geturl())
    page.locator("input[name=login]").fill("mprice")
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{world.base}/**")
    assert parse_qs(urlsplit(page.url).query)["state"] == ["planted-by-an-attacker"]
    expect_refused(page, world, oidc_refusals.Refusal.WRONG_STATE)
    assert besides_refusal_status(oneplan_problems) == []


@pytest.mark.parametrize(
    ("login", "reason"),
    [
        ("stranger", oidc_refusals.Refusal.UNKNOWN_PERSON),
        ("unverified", oidc_refusals.Refusal.EMAIL_NOT_VERIFIED),
        ("pshah", oidc_refusals.Refusal.DEACTIVATED),
    ],
)
def test_an_account_oneplan_cannot_match_ends_on_the_refusal_page(
    page: Page, world: World, oneplan_problems: list[str], login: str, reason: oidc_refusals.Refusal
) -> None:
    people = world.people()
    sign_in_at_provider(page, world, login)
    expect_refused(page, world, reason)
    assert world.people() == people, "nobody is created by signing in"
    assert besides_refusal_status(oneplan_problems) == []
