"""Single sign-on for staff, against the real oidc-provider on loopback (no mock of the provider).

The app is driven through TestClient; the provider's own login and consent forms through httpx.
The provider hands the browser back to http://testserver/sign-in/sso/callback, which the test
then opens in the TestClient, as a browser would.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.actor import Actor
from app.auth import SESSION_COOKIE
from app.config import Settings
from app.dependencies import get_session
from app.main import create_app
from app.models import (
    AuditEvent,
    Channel,
    OrganisationKind,
    Outcome,
    Person,
    PersonRole,
    SignInMethod,
    UserSession,
)
from app.models.base import utc_now
from app.models.person import STAFF_ROLES
from app.services.auth import oidc, oidc_refusals
from app.services.auth.secrets import digest
from tests.browser.server import free_port
from tests.databases import sharing
from tests.factories import make_organisation, make_person, session_token_for
from tests.oidc.harness import RunningProvider, TamperMode, running_provider
from tests.page_checks import check_page

APP_URL = "http://testserver"
MORGAN = "mprice"
"""Morgan Price's login at Northshire's identity provider."""
PROVIDER_PASSWORD = "any password: the development login form takes any"


@pytest.fixture(scope="module")
def provider() -> Iterator[RunningProvider]:
    with running_provider([APP_URL + oidc.CALLBACK_PATH]) as running:
        yield running


@pytest.fixture(scope="module")
def sso_settings(settings: Settings, provider: RunningProvider) -> Settings:
    return settings.model_copy(
        update={
            "oidc_issuer": provider.issuer,
            "oidc_client_id": provider.client_id,
            "oidc_client_secret": provider.client_secret,
            "public_url": APP_URL,
        }
    )


@pytest.fixture(scope="module")
def sso_app(sso_settings: Settings) -> Iterator[FastAPI]:
    application = create_app(sso_settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def sso_client(sso_app: FastAPI, db_session: Session) -> Iterator[TestClient]:
    """The app with single sign-on configured, sharing the test's rolled-back transaction."""

    sso_app.dependency_overrides[get_session] = sharing(db_session)
    yield TestClient(sso_app, raise_server_exceptions=False)
    sso_app.dependency_overrides.clear()


def invite(db: Session, role: PersonRole, email: str) -> Person:
    """A member of staff (or family) as an administrator would have invited them; no password to hash."""
    kind = OrganisationKind.LOCAL_AUTHORITY if role in STAFF_ROLES else None
    organisation = make_organisation(db, kind) if kind else None
    return make_person(db, role, organisation=organisation, email=email, password=None)


@pytest.fixture
def morgan(db_session: Session) -> Person:
    """Morgan Price, Northshire's SEND case officer (the demo persona, made quickly)."""
    return invite(db_session, PersonRole.LA_CASE_OFFICER, "morgan.price@northshire.example")


@dataclass(frozen=True)
class Journey:
    """A sign-in started at OnePlan and finished at the provider: the address it sends the browser back to."""

    callback: str
    sealed: str
    """The sign-in cookie OnePlan set when the journey started."""

    @property
    def params(self) -> dict[str, str]:
        return {name: values[0] for name, values in parse_qs(urlsplit(self.callback).query).items()}

    def with_params(self, **changes: str) -> str:
        return f"{oidc.CALLBACK_PATH}?{urlencode({**self.params, **changes})}"

    @property
    def path(self) -> str:
        return self.with_params()


def sent_cookie(response: Response, name: str) -> str:
    """The Set-Cookie header for one cookie, as the server sent it."""
    headers = [header for header in response.headers.get_list("set-cookie") if header.startswith(f"{name}=")]
    assert len(headers) == 1, f"expected one Set-Cookie for {name}, got {headers}"
    return headers[0]


def sign_in_at_provider(client: TestClient, login: str, *, next_path: str = "/") -> Journey:
    """Start at OnePlan, then log in and consent at the provider with its own forms."""
    start = client.get("/sign-in/sso", params={"next": next_path}, follow_redirects=False)
    assert start.status_code == 303, start.text
    sealed = sent_cookie(start, "oneplan_sso").split(";")[0].removeprefix("oneplan_sso=")
    url = start.headers["location"]
    with httpx.Client(timeout=10) as browser:
        response = browser.get(url)
        for _ in range(10):
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                if url.startswith(APP_URL):
                    return Journey(url, sealed)
                response = browser.get(url)
                continue
            action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            prompt = re.search(r'name="prompt" value="(\w+)"', response.text)
            assert action, f"unexpected page at the provider: {response.text[:500]}"
            assert prompt, f"unexpected page at the provider: {response.text[:500]}"
            form = {"prompt": prompt.group(1)}
            if prompt.group(1) == "login":
                form |= {"login": login, "password": PROVIDER_PASSWORD}
            url = urljoin(url, action.group(1).replace("&amp;", "&"))
            response = browser.post(url, data=form)
    raise AssertionError("the provider never sent the browser back")


def last_event(db: Session) -> AuditEvent:
    event = db.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert event is not None
    return event


def count_people(db: Session) -> int:
    return db.exec(select(func.count()).select_from(Person)).one()


def assert_refused(response: Response, db: Session, reason: oidc_refusals.Refusal, status: int) -> AuditEvent:
    """A refusal page that says what to do, no session, and the reason in the audit trail."""
    assert response.status_code == status
    check_page(response.text)
    assert "We could not sign you in with your organisation&#39;s account" in response.text
    assert f'data-problem="{oidc_refusals.PROBLEMS[reason].value}"' in response.text
    assert 'href="/sign-in/sso"' in response.text
    assert 'href="/sign-in"' in response.text
    assert response.headers["x-request-id"] in response.text, "the page gives the reference"
    assert reason.value not in response.text, "the technical reason stays in the audit trail"
    assert SESSION_COOKIE not in response.cookies
    assert "Max-Age=0" in sent_cookie(response, "oneplan_sso"), "the sign-in in progress is forgotten"
    event = last_event(db)
    assert (event.action, event.outcome, event.reason) == ("sign_in.failed", Outcome.REFUSED, reason.value)
    assert event.details["method"] == "single_sign_on"
    assert event.request_id == response.headers["x-request-id"]
    return event


def test_without_an_issuer_the_addresses_do_not_exist(client: TestClient, db_session: Session) -> None:
    for path in ("/sign-in/sso", "/sign-in/sso/callback?code=x&state=y"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 404
        assert "Page not found" in response.text
    assert "/sign-in/sso" not in client.get("/sign-in").text


def test_sign_in_page_offers_single_sign_on_when_configured(sso_client: TestClient) -> None:
    page = sso_client.get("/sign-in")
    assert 'href="/sign-in/sso?next=/"' in page.text


def test_start_sends_state_nonce_and_pkce_and_keeps_them_sealed(
    sso_client: TestClient, provider: RunningProvider
) -> None:
    response = sso_client.get("/sign-in/sso", params={"next": "/account"}, follow_redirects=False)
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert (
        f"{location.scheme}://{location.netloc}{location.path}"
        == provider.discovery()["authorization_endpoint"]
    )
    query = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == provider.client_id
    assert query["redirect_uri"] == APP_URL + oidc.CALLBACK_PATH
    assert set(query["scope"].split()) == {"openid", "email"}
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32
    assert len(query["nonce"]) >= 32
    assert query["code_challenge"]
    cookie = sent_cookie(response, "oneplan_sso")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/sign-in/sso" in cookie
    assert "Max-Age=600" in cookie
    sealed = response.cookies["oneplan_sso"]
    assert query["state"] not in sealed, "the browser cannot read the state"
    assert query["nonce"] not in sealed, "nor the nonce"

    again = sso_client.get("/sign-in/sso", follow_redirects=False)
    assert parse_qs(urlsplit(again.headers["location"]).query)["state"][0] != query["state"]


def test_staff_member_signs_in_and_is_matched_by_verified_email(
    sso_client: TestClient,
    db_session: Session,
    provider: RunningProvider,
    demo: Callable[[str], Person],
) -> None:
    morgan = demo("Morgan Price")
    people = count_people(db_session)

    journey = sign_in_at_provider(sso_client, MORGAN, next_path="/account")
    response = sso_client.get(journey.path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    token = response.cookies[SESSION_COOKIE]
    record = db_session.exec(select(UserSession).where(UserSession.token_hash == digest(token))).one()
    assert record.person_id == morgan.id
    assert record.method is SignInMethod.SINGLE_SIGN_ON
    assert record.second_factor_done, "the organisation's sign-in gave the second factor"
    db_session.refresh(morgan)
    assert morgan.sso_subject == f"{provider.issuer}|mprice"
    assert morgan.last_signed_in_at is not None
    event = last_event(db_session)
    assert (event.action, event.outcome, event.actor_id) == ("sign_in.succeeded", Outcome.DONE, morgan.id)
    assert event.details == {"method": "single_sign_on", "identity_linked": True}
    assert count_people(db_session) == people, "nobody is created by signing in"
    assert "oneplan_sso" not in sso_client.cookies, "the sign-in in progress is forgotten"
    assert "Signed in as <strong>Morgan Price</strong>" in sso_client.get("/").text

    # The second time, the stored subject matches and the earlier session is replaced.
    again = sso_client.get(sign_in_at_provider(sso_client, MORGAN).path, follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == "/"
    db_session.refresh(record)
    assert record.ended_at is not None
    assert last_event(db_session).details == {"method": "single_sign_on"}


def test_email_is_matched_whatever_its_case(sso_client: TestClient, db_session: Session) -> None:
    rita = invite(db_session, PersonRole.LA_AUDIT_OFFICER, "rita.okafor@northshire.example")
    response = sso_client.get(sign_in_at_provider(sso_client, "rokafor").path, follow_redirects=False)
    assert response.status_code == 303
    assert rita.sso_subject is not None
    assert rita.sso_subject.endswith("|rokafor")


def test_next_is_only_ever_a_path_on_this_site(sso_client: TestClient, morgan: Person) -> None:
    journey = sign_in_at_provider(sso_client, MORGAN, next_path="//elsewhere.example/phish")
    response = sso_client.get(journey.path, follow_redirects=False)
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("audience", oidc_refusals.Refusal.WRONG_AUDIENCE),
        ("issuer", oidc_refusals.Refusal.WRONG_ISSUER),
        ("nonce", oidc_refusals.Refusal.WRONG_NONCE),
        ("expired", oidc_refusals.Refusal.EXPIRED_TOKEN),
        ("signature", oidc_refusals.Refusal.BAD_SIGNATURE),
    ],
)
def test_an_id_token_that_fails_a_check_is_refused(
    sso_client: TestClient,
    db_session: Session,
    provider: RunningProvider,
    morgan: Person,
    mode: TamperMode,
    reason: oidc_refusals.Refusal,
) -> None:
    journey = sign_in_at_provider(sso_client, MORGAN)
    provider.tamper_next_token(mode)
    try:
        response = sso_client.get(journey.path, follow_redirects=False)
    finally:
        provider.tamper_next_token(None)
    assert_refused(response, db_session, reason, 400)
    db_session.refresh(morgan)
    assert morgan.sso_subject is None
    assert db_session.exec(select(UserSession).where(UserSession.person_id == morgan.id)).first() is None


def test_a_changed_state_is_refused(sso_client: TestClient, db_session: Session, morgan: Person) -> None:
    journey = sign_in_at_provider(sso_client, MORGAN)
    response = sso_client.get(journey.with_params(state="forged-by-someone-else"), follow_redirects=False)
    assert_refused(response, db_session, oidc_refusals.Refusal.WRONG_STATE, 400)


def test_a_callback_naming_another_issuer_is_refused(
    sso_client: TestClient, db_session: Session, morgan: Person
) -> None:
    journey = sign_in_at_provider(sso_client, MORGAN)
    assert "iss" in journey.params, "oidc-provider names itself in the response (RFC 9207)"
    response = sso_client.get(journey.with_params(iss="http://127.0.0.1:9/impostor"), follow_redirects=False)
    assert_refused(response, db_session, oidc_refusals.Refusal.WRONG_ISSUER, 400)


def test_a_callback_in_a_browser_that_did_not_start_is_refused(
    sso_client: TestClient, sso_app: FastAPI, db_session: Session, morgan: Person
) -> None:
    journey = sign_in_at_provider(sso_client, MORGAN)
    other_browser = TestClient(sso_app, raise_server_exceptions=False)
    response = other_browser.get(journey.path, follow_redirects=False)
    assert_refused(response, db_session, oidc_refusals.Refusal.NOT_STARTED, 400)


def test_an_altered_sign_in_cookie_is_refused(
    sso_client: TestClient, db_session: Session, morgan: Person
) -> None:
    journey = sign_in_at_provider(sso_client, MORGAN)
    altered = journey.sealed[:-4] + ("BBBB" if journey.sealed.endswith("AAAA") else "AAAA")
    sso_client.cookies.clear()
    sso_client.cookies.set("oneplan_sso", altered, path=oidc.COOKIE_PATH)
    response = sso_client.get(journey.path, follow_redirects=False)
    assert_refused(response, db_session, oidc_refusals.Refusal.NOT_STARTED, 400)


def test_a_sign_in_left_too_long_is_refused(
    sso_client: TestClient,
    db_session: Session,
    morgan: Person,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(oidc, "COOKIE_LIFETIME_SECONDS", -1)
    journey = sign_in_at_provider(sso_client, MORGAN)
    # A browser drops the cookie when it expires; one kept past its time is refused all the same.
    sso_client.cookies.set("oneplan_sso", journey.sealed, path=oidc.COOKIE_PATH)
    response = sso_client.get(journey.path, follow_redirects=False)
    assert_refused(response, db_session, oidc_refusals.Refusal.NOT_STARTED, 400)


def test_a_code_cannot_be_used_twice(sso_client: TestClient, db_session: Session, morgan: Person) -> None:
    journey = sign_in_at_provider(sso_client, MORGAN)
    assert sso_client.get(journey.path, follow_redirects=False).status_code == 303
    sso_client.cookies.set("oneplan_sso", journey.sealed, path=oidc.COOKIE_PATH)
    replayed = sso_client.get(journey.path, follow_redirects=False)
    assert_refused(replayed, db_session, oidc_refusals.Refusal.NOT_COMPLETED, 400)


def test_an_error_from_the_provider_is_refused(sso_client: TestClient, db_session: Session) -> None:
    start = sso_client.get("/sign-in/sso", follow_redirects=False)
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    response = sso_client.get(
        oidc.CALLBACK_PATH, params={"error": "access_denied", "state": state}, follow_redirects=False
    )
    event = assert_refused(response, db_session, oidc_refusals.Refusal.NOT_COMPLETED, 400)
    assert event.details["provider_error"] == "access_denied"

    start = sso_client.get("/sign-in/sso", follow_redirects=False)
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    junk = sso_client.get(
        oidc.CALLBACK_PATH, params={"error": "<b>anything at all</b>", "state": state}, follow_redirects=False
    )
    event = assert_refused(junk, db_session, oidc_refusals.Refusal.NOT_COMPLETED, 400)
    assert event.details["provider_error"] == "other", "only an error code is kept, never free text"


@pytest.mark.parametrize(
    ("login", "reason"),
    [
        ("stranger", oidc_refusals.Refusal.UNKNOWN_PERSON),
        ("unverified", oidc_refusals.Refusal.EMAIL_NOT_VERIFIED),
        ("ataylor", oidc_refusals.Refusal.NOT_STAFF),
    ],
)
def test_no_invited_member_of_staff_with_a_verified_email_is_refused(
    sso_client: TestClient,
    db_session: Session,
    morgan: Person,
    login: str,
    reason: oidc_refusals.Refusal,
) -> None:
    invite(db_session, PersonRole.PARENT_CARER, "alex.taylor@family.example")
    people = count_people(db_session)
    response = sso_client.get(sign_in_at_provider(sso_client, login).path, follow_redirects=False)
    event = assert_refused(response, db_session, reason, 403)
    assert count_people(db_session) == people, "nobody is created by signing in"
    assert db_session.exec(select(Person).where(col(Person.sso_subject).is_not(None))).first() is None
    if reason is oidc_refusals.Refusal.EMAIL_NOT_VERIFIED:
        assert event.actor_id is None, "an unverified address names nobody, not even Morgan"


def test_a_deactivated_person_is_refused(sso_client: TestClient, db_session: Session, morgan: Person) -> None:
    morgan.deactivated_at = utc_now()
    db_session.add(morgan)
    db_session.flush()
    response = sso_client.get(sign_in_at_provider(sso_client, MORGAN).path, follow_redirects=False)
    event = assert_refused(response, db_session, oidc_refusals.Refusal.DEACTIVATED, 403)
    assert event.actor_id == morgan.id


def test_a_person_linked_to_another_identity_is_refused(
    sso_client: TestClient, db_session: Session, morgan: Person
) -> None:
    morgan.sso_subject = "https://login.other.example|someone-else"
    db_session.add(morgan)
    db_session.flush()
    response = sso_client.get(sign_in_at_provider(sso_client, MORGAN).path, follow_redirects=False)
    assert_refused(response, db_session, oidc_refusals.Refusal.LINKED_ELSEWHERE, 403)


def test_an_identity_already_linked_to_someone_else_is_refused(
    sso_client: TestClient, db_session: Session, provider: RunningProvider, morgan: Person
) -> None:
    priya = invite(db_session, PersonRole.EDUCATION, "priya.shah@riverside.example")
    priya.sso_subject = f"{provider.issuer}|mprice"
    db_session.add(priya)
    db_session.flush()
    response = sso_client.get(sign_in_at_provider(sso_client, MORGAN).path, follow_redirects=False)
    assert_refused(response, db_session, oidc_refusals.Refusal.LINKED_ELSEWHERE, 403)
    db_session.refresh(morgan)
    assert morgan.sso_subject is None


def test_a_signed_in_session_is_replaced(sso_client: TestClient, db_session: Session, morgan: Person) -> None:
    priya = invite(db_session, PersonRole.EDUCATION, "priya.shah@riverside.example")
    earlier = session_token_for(db_session, priya)
    sso_client.cookies.set(SESSION_COOKIE, earlier)
    response = sso_client.get(sign_in_at_provider(sso_client, MORGAN).path, follow_redirects=False)
    assert response.status_code == 303
    old = db_session.exec(select(UserSession).where(UserSession.token_hash == digest(earlier))).one()
    assert old.ended_at is not None


def test_an_unreachable_provider_is_refused_and_audited(settings: Settings, db_session: Session) -> None:
    nowhere = settings.model_copy(
        update={"oidc_issuer": f"http://127.0.0.1:{free_port()}", "oidc_client_id": "oneplan"}
    )
    with pytest.raises(oidc_refusals.SingleSignOnRefused) as refused:
        oidc.start_sign_in(db_session, nowhere, Actor(person=None, channel=Channel.PAGE), "/")
    assert refused.value.refusal is oidc_refusals.Refusal.UNREACHABLE
    assert refused.value.status_code == 502
    assert last_event(db_session).reason == oidc_refusals.Refusal.UNREACHABLE.value


def test_every_refusal_has_words_for_the_page(sso_app: FastAPI) -> None:
    source = (sso_app.state.settings.templates_dir / "pages/single_sign_on/refused.html").read_text()
    for problem in oidc_refusals.Problem:
        assert f'"{problem.value}": {{' in source
    assert set(oidc_refusals.PROBLEMS) == set(oidc_refusals.Refusal)
