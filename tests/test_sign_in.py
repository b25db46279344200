"""Signing in and out by e-mail and password: sessions, throttling, CSRF and timeouts."""

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from html import escape
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.actor import Actor
from app.auth import BROWSER_COOKIE, SESSION_COOKIE
from app.config import Environment, Settings
from app.db import build_engine
from app.models import AuditEvent, Channel, Outcome, Person, PersonRole, UserSession
from app.models.base import utc_now
from app.services.auth.secrets import digest
from app.services.auth.sign_in import WRONG_DETAILS, SignInProblem, sign_in_with_password
from tests.databases import migrated_database
from tests.factories import PASSWORD, make_person, session_token_for

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(page: str) -> str:
    match = CSRF.search(page)
    assert match is not None, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str, next: str = "/") -> tuple[int, str, str]:
    token = csrf_from(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token, "next": next},
        follow_redirects=False,
    )
    return response.status_code, response.headers.get("location", ""), response.text


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))))


@pytest.fixture
def parent(db_session: Session) -> Person:
    return make_person(db_session, PersonRole.PARENT_CARER)


def test_parent_signs_in_and_is_audited(client: TestClient, db_session: Session, parent: Person) -> None:
    status, location, _ = sign_in(client, parent.email or "", PASSWORD, next="/account")
    assert (status, location) == (303, "/account")
    assert client.get("/account").status_code == 200
    (event,) = events(db_session, "sign_in.succeeded")
    assert event.actor_id == parent.id
    assert event.outcome == Outcome.DONE


def test_cookie_is_httponly_and_samesite_lax(client: TestClient, parent: Person) -> None:
    token = csrf_from(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"email": parent.email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # local development and tests; production sets Secure


def test_production_cookies_are_secure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEPLAN_SECRET_KEY", "a-production-secret-of-our-own")
    assert Settings(environment="production").secure_cookies
    assert not Settings(environment="development").secure_cookies


def test_signing_in_issues_a_new_session_id(client: TestClient, db_session: Session, parent: Person) -> None:
    planted = session_token_for(db_session, parent)
    client.cookies.set(SESSION_COOKIE, planted)
    token = csrf_from(client.get("/account").text)
    response = client.post(
        "/sign-in",
        data={"email": parent.email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    fresh = response.cookies[SESSION_COOKIE]
    assert fresh != planted
    old = db_session.exec(select(UserSession).where(UserSession.token_hash == digest(planted))).one()
    assert old.ended_at is not None


def test_wrong_password_is_refused_beside_the_field(
    client: TestClient, db_session: Session, parent: Person
) -> None:
    status, _, page = sign_in(client, parent.email or "", "not the password")
    assert status == 200
    assert "There is a problem" in page
    assert 'href="#email">Enter a correct e-mail address and password' in page
    assert SESSION_COOKIE not in client.cookies
    (event,) = events(db_session, "sign_in.failed")
    assert (event.outcome, event.reason, event.actor_id) == (Outcome.REFUSED, "wrong password", parent.id)


def test_empty_fields_are_named(client: TestClient) -> None:
    _, _, page = sign_in(client, "", "")
    assert "Enter your e-mail address" in page
    assert "Enter your password" in page


def test_unknown_address_gets_the_same_answer(client: TestClient, db_session: Session) -> None:
    _, _, page = sign_in(client, "nobody@test.example", "whatever it is")
    assert "Enter a correct e-mail address and password" in page
    (event,) = events(db_session, "sign_in.failed")
    assert event.actor_id is None
    assert "nobody@test.example" not in str(event.details)


def test_account_is_throttled_after_five_failures(client: TestClient, parent: Person) -> None:
    for _ in range(5):
        sign_in(client, parent.email or "", "wrong password")
    status, _, page = sign_in(client, parent.email or "", PASSWORD)
    assert status == 200
    assert "Too many tries to sign in. Wait 15 minutes, then try again." in page
    assert SESSION_COOKIE not in client.cookies


def test_client_address_is_throttled_across_accounts(
    client: TestClient, db_session: Session, parent: Person
) -> None:
    for number in range(20):
        sign_in(client, f"guess{number}@test.example", "wrong password")
    _, _, page = sign_in(client, parent.email or "", PASSWORD)
    assert "Too many tries to sign in" in page


def test_form_without_csrf_token_is_refused_and_audited(
    client: TestClient, db_session: Session, parent: Person
) -> None:
    client.get("/sign-in")
    response = client.post("/sign-in", data={"email": parent.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "This form has expired or did not come from OnePlan" in response.text
    assert SESSION_COOKIE not in client.cookies
    (event,) = events(db_session, "csrf.refused")
    assert event.outcome == Outcome.REFUSED


def test_csrf_token_of_another_browser_is_refused(client: TestClient, parent: Person) -> None:
    token = csrf_from(client.get("/sign-in").text)
    client.cookies.clear()
    client.cookies.set(BROWSER_COOKIE, "another-browser-entirely")
    response = client.post(
        "/sign-in", data={"email": parent.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 403


def test_htmx_requests_carry_the_token_in_a_header(
    client: TestClient, sign_in_as: object, parent: Person
) -> None:
    page = client.get("/sign-in").text
    assert re.search(r"hx-headers='\{\"X-CSRF-Token\": \"[0-9a-f]{128}\"\}'", page)


def test_staff_go_on_to_the_second_factor(client: TestClient, db_session: Session) -> None:
    teacher = make_person(db_session, PersonRole.EDUCATION, totp_secret="JBSWY3DPEHPK3PXP")
    status, location, _ = sign_in(client, teacher.email or "", PASSWORD, next="/account")
    assert status == 303
    assert location == "/sign-in/second-factor?next=/account"
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session(client: TestClient, db_session: Session, parent: Person) -> None:
    sign_in(client, parent.email or "", PASSWORD)
    token = client.cookies.get(SESSION_COOKIE)
    page = client.get("/account").text
    response = client.post("/sign-out", data={"csrf_token": csrf_from(page)}, follow_redirects=False)
    assert response.headers["location"] == "/signed-out"
    client.cookies.set(SESSION_COOKIE, token or "")
    assert client.get("/account", follow_redirects=False).status_code == 303
    assert events(db_session, "sign_out")


def test_deactivated_person_cannot_sign_in(client: TestClient, db_session: Session, parent: Person) -> None:
    parent.deactivated_at = utc_now()
    db_session.add(parent)
    _, _, page = sign_in(client, parent.email or "", PASSWORD)
    assert "This account has been closed" in page


@pytest.mark.parametrize(
    ("field", "age"),
    [("last_seen_at", timedelta(minutes=31)), ("created_at", timedelta(hours=12, minutes=1))],
)
def test_idle_and_absolute_timeouts(
    client: TestClient, db_session: Session, parent: Person, field: str, age: timedelta
) -> None:
    token = session_token_for(db_session, parent)
    record = db_session.exec(select(UserSession).where(UserSession.token_hash == digest(token))).one()
    setattr(record, field, utc_now() - age)
    db_session.add(record)
    client.cookies.set(SESSION_COOKIE, token)
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/account"


def test_the_page_asked_for_with_its_query_is_where_signing_in_leads(
    client: TestClient, parent: Person
) -> None:
    sent = client.get("/plans?after=12&q=sam", follow_redirects=False)
    assert (sent.status_code, sent.headers["location"]) == (
        303,
        "/sign-in?next=/plans%3Fafter%3D12%26q%3Dsam",
    )
    offered = parse_qs(urlsplit(sent.headers["location"]).query)["next"]
    assert offered == ["/plans?after=12&q=sam"]
    assert f'value="{escape(offered[0])}"' in client.get(sent.headers["location"]).text
    _, location, _ = sign_in(client, parent.email or "", PASSWORD, next=offered[0])
    assert location == "/plans?after=12&q=sam"


def test_next_never_leaves_the_site(client: TestClient, parent: Person) -> None:
    _, location, _ = sign_in(client, parent.email or "", PASSWORD, next="//elsewhere.example/steal")
    assert location == "/"


def test_each_page_masks_its_token_differently(client: TestClient, db_session: Session) -> None:
    """Compressed pages must not repeat a secret (BREACH): each carries a fresh mask of the same token."""
    first, second = csrf_from(client.get("/sign-in").text), csrf_from(client.get("/sign-in").text)
    assert first != second
    for token in (first, second):
        response = client.post("/sign-in", data={"csrf_token": token, "email": "", "password": ""})
        assert response.status_code != 403
    tampered = first[:-1] + ("0" if first[-1] != "0" else "1")
    assert (
        client.post("/sign-in", data={"csrf_token": tampered, "email": "", "password": ""}).status_code == 403
    )


# Thirty wrong passwords at once (issue 22, finding 4) -------------------------------------------


@pytest.fixture(scope="module")
def own_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database of this module's own: the tries commit for real, each from its own connection."""
    folder = tmp_path_factory.mktemp("throttle-race")
    with migrated_database(folder) as url:
        engine = build_engine(Settings(environment=Environment.TEST, database_url=url, data_dir=folder))
        yield engine
        engine.dispose()


def test_thirty_wrong_passwords_at_once_are_checked_five_times(own_engine: Engine) -> None:
    """Each try for one account waits for the one before to be counted; the other 25 are refused unchecked."""
    settings = Settings(environment=Environment.TEST)
    with Session(own_engine) as db:
        email = make_person(db, PersonRole.PARENT_CARER).email or ""
        db.commit()
    tries = 30
    start = threading.Barrier(tries)

    def wrong_password(number: int) -> str:
        # Each from an address of its own: only the account's limit (5) applies.
        actor = Actor(person=None, channel=Channel.PAGE, client_address=f"192.0.2.{number + 1}")
        start.wait()
        with Session(own_engine) as db:
            try:
                sign_in_with_password(db, settings, actor, email, "not the password at all")
            except SignInProblem as problem:
                db.commit()
                return str(problem)
        raise AssertionError("a wrong password signed in")

    with ThreadPoolExecutor(max_workers=tries) as pool:
        answers = list(pool.map(wrong_password, range(tries)))

    assert answers.count(WRONG_DETAILS) == settings.throttle_account_failures
    assert sum(answer.startswith("Too many tries") for answer in answers) == tries - 5
    with Session(own_engine) as db:
        reasons = db.exec(select(AuditEvent.reason).where(AuditEvent.action == "sign_in.failed")).all()
    assert sorted(reasons) == sorted(["wrong password"] * 5 + ["throttled"] * 25)
