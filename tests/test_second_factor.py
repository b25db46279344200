"""The second factor for staff with local accounts: authenticator codes and recovery codes."""

import re
import time
from collections.abc import Callable

import pyotp
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import Session, col, select

from app.actor import Actor
from app.auth import SESSION_COOKIE
from app.config import Settings
from app.models import (
    AuditEvent,
    Channel,
    Outcome,
    Person,
    PersonRole,
    RecoveryCode,
    SignInMethod,
    UserSession,
)
from app.services.auth import second_factor
from app.services.auth.csrf import csrf_token
from app.services.auth.secrets import digest
from app.services.auth.sessions import start_session
from tests.factories import PASSWORD, make_organisation, make_person, session_token_for
from tests.page_checks import check_page

RECOVERY_CODE_SHAPE = re.compile(r"^[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}$")


def staff(db: Session, *, totp_secret: str | None = None) -> Person:
    return make_person(db, PersonRole.EDUCATION, organisation=make_organisation(db), totp_secret=totp_secret)


def half_signed_in(client: TestClient, db: Session, settings: Settings, person: Person) -> str:
    """A session waiting on its second factor, as the password step leaves it; returns the CSRF token."""
    token = session_token_for(db, person, second_factor_done=False)
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, token)
    return csrf_token(settings.secret_key, f"session:{digest(token)}")


def post(client: TestClient, path: str, csrf: str, **form: str) -> Response:
    return client.post(path, data={"csrf_token": csrf, **form}, follow_redirects=False)


def take_new_session(client: TestClient, response: Response) -> str:
    """Keep only the session cookie that the response set (the jar would hold both)."""
    token = response.cookies[SESSION_COOKIE]
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, token)
    return token


def wrong_code(secret: str) -> str:
    """A 6-digit code that none of the steps around now would accept."""
    totp, now = pyotp.TOTP(secret), time.time()
    near = {totp.at(now + offset) for offset in (-60, -30, 0, 30, 60)}
    return next(code for code in (f"{n:06d}" for n in range(1000000)) if code not in near)


def events(db: Session, action: str, person: Person) -> list[AuditEvent]:
    return list(
        db.exec(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.actor_id == person.id)
            .order_by(col(AuditEvent.id))
        )
    )


def session_of(db: Session, token: str) -> UserSession:
    record = db.exec(select(UserSession).where(UserSession.token_hash == digest(token))).one()
    db.refresh(record)
    return record


def test_right_code_completes_sign_in_with_a_new_session_id(
    client: TestClient, db_session: Session, settings: Settings
) -> None:
    secret = pyotp.random_base32()
    person = staff(db_session, totp_secret=secret)
    client.cookies.set("oneplan_browser", "visitor")
    signed_in = post(
        client,
        "/sign-in",
        csrf_token(settings.secret_key, "browser:visitor"),
        email=person.email or "",
        password=PASSWORD,
        next="/account",
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/sign-in/second-factor?next=/account"
    pending_token = client.cookies[SESSION_COOKIE]

    page = client.get("/sign-in/second-factor?next=/account")
    assert page.status_code == 200
    check_page(page.text)
    assert 'autocomplete="one-time-code"' in page.text
    assert 'inputmode="numeric"' in page.text

    csrf = csrf_token(settings.secret_key, f"session:{digest(pending_token)}")
    done = post(client, "/sign-in/second-factor", csrf, code=pyotp.TOTP(secret).now(), next="/account")
    assert done.status_code == 303
    assert done.headers["location"] == "/account"
    new_token = client.cookies[SESSION_COOKIE]
    assert new_token != pending_token
    assert session_of(db_session, pending_token).ended_at is not None
    assert session_of(db_session, new_token).second_factor_done
    assert client.get("/account/second-factor").status_code == 200
    [succeeded] = events(db_session, "second_factor.succeeded", person)
    assert succeeded.details == {"method": "totp"}

    client.cookies.set(SESSION_COOKIE, pending_token)
    old = client.get("/sign-in/second-factor", follow_redirects=False)
    assert old.headers["location"].startswith("/sign-in?next=")


def test_wrong_code_is_refused_and_audited(
    client: TestClient, db_session: Session, settings: Settings
) -> None:
    secret = pyotp.random_base32()
    person = staff(db_session, totp_secret=secret)
    csrf = half_signed_in(client, db_session, settings, person)
    code = wrong_code(secret)

    response = post(client, "/sign-in/second-factor", csrf, code=code)
    assert response.status_code == 200
    check_page(response.text)
    assert "<title>Error: Enter the code from your authenticator app – OnePlan</title>" in response.text
    assert "The code is not correct" in response.text
    assert 'href="#code"' in response.text
    [failed] = events(db_session, "second_factor.failed", person)
    assert (failed.outcome, failed.reason, failed.object_id) == (
        Outcome.REFUSED,
        "wrong code",
        str(person.id),
    )
    assert code not in str(failed.details)
    assert client.get("/account", follow_redirects=False).headers["location"].startswith("/sign-in")

    empty = post(client, "/sign-in/second-factor", csrf, code=" ")
    assert "Enter the 6-digit code from your authenticator app" in empty.text
    letters = post(client, "/sign-in/second-factor", csrf, code="abcdef")
    assert "Enter the code as 6 digits" in letters.text


def test_a_code_works_once(client: TestClient, db_session: Session, settings: Settings) -> None:
    secret = pyotp.random_base32()
    person = staff(db_session, totp_secret=secret)
    code = pyotp.TOTP(secret).now()
    first = post(
        client, "/sign-in/second-factor", half_signed_in(client, db_session, settings, person), code=code
    )
    assert first.status_code == 303

    again = post(
        client, "/sign-in/second-factor", half_signed_in(client, db_session, settings, person), code=code
    )
    assert again.status_code == 200
    assert "That code has already been used" in again.text
    assert [event.reason for event in events(db_session, "second_factor.failed", person)] == [
        "code already used"
    ]


def test_repeated_wrong_codes_are_throttled(
    client: TestClient, db_session: Session, settings: Settings
) -> None:
    secret = pyotp.random_base32()
    person = staff(db_session, totp_secret=secret)
    csrf = half_signed_in(client, db_session, settings, person)
    for _ in range(settings.throttle_account_failures):
        assert (
            "The code is not correct"
            in post(client, "/sign-in/second-factor", csrf, code=wrong_code(secret)).text
        )

    right = post(client, "/sign-in/second-factor", csrf, code=pyotp.TOTP(secret).now())
    assert right.status_code == 200
    assert "Too many tries to sign in. Wait 15 minutes" in right.text
    assert events(db_session, "second_factor.failed", person)[-1].reason == "throttled"
    assert events(db_session, "second_factor.succeeded", person) == []

    # Recovery codes share the count: they are not a way round it.
    [code, *_] = second_factor.renew_recovery_codes(db_session, Actor.command(person), person)
    throttled = post(client, "/sign-in/recovery-code", csrf, code=code)
    assert "Too many tries" in throttled.text

    # Another member of staff is not held up by it.
    other_secret = pyotp.random_base32()
    other = staff(db_session, totp_secret=other_secret)
    other_csrf = half_signed_in(client, db_session, settings, other)
    assert (
        post(client, "/sign-in/second-factor", other_csrf, code=pyotp.TOTP(other_secret).now()).status_code
        == 303
    )


def test_recovery_code_works_once_only(client: TestClient, db_session: Session, settings: Settings) -> None:
    person = staff(db_session, totp_secret=pyotp.random_base32())
    codes = second_factor.renew_recovery_codes(db_session, Actor.command(person), person)
    assert len(codes) == 10
    assert all(RECOVERY_CODE_SHAPE.match(code) for code in codes)
    assert len(set(codes)) == 10

    csrf = half_signed_in(client, db_session, settings, person)
    page = client.get("/sign-in/recovery-code?next=/account")
    assert page.status_code == 200
    check_page(page.text)
    typed = " " + codes[3].upper().replace("-", " ") + " "
    used = post(client, "/sign-in/recovery-code", csrf, code=typed, next="/account")
    assert used.status_code == 303
    assert used.headers["location"] == "/account"
    [event] = events(db_session, "second_factor.succeeded", person)
    assert event.details["method"] == "recovery_code"
    assert event.details["recovery_codes_left"] == 9

    again = post(
        client, "/sign-in/recovery-code", half_signed_in(client, db_session, settings, person), code=codes[3]
    )
    assert again.status_code == 200
    check_page(again.text)
    assert "That recovery code is not correct, or it has already been used" in again.text
    assert events(db_session, "second_factor.failed", person)[-1].reason == "wrong recovery code"
    assert second_factor.recovery_codes_left(db_session, person) == 9


def test_set_up_needs_a_proved_code(client: TestClient, db_session: Session, settings: Settings) -> None:
    person = staff(db_session)
    pending_token = session_token_for(db_session, person, second_factor_done=False)
    client.cookies.set(SESSION_COOKIE, pending_token)
    csrf = csrf_token(settings.secret_key, f"session:{digest(pending_token)}")

    sent_on = client.get("/sign-in/second-factor?next=/account", follow_redirects=False)
    assert sent_on.headers["location"] == "/sign-in/second-factor/set-up?next=/account"
    page = client.get("/sign-in/second-factor/set-up?next=/account")
    assert page.status_code == 200
    check_page(page.text)
    assert page.headers["cache-control"] == "no-store"
    assert '<svg role="img"' in page.text
    match = re.search(r'<code id="key">([A-Z2-7 ]+)</code>', page.text)
    assert match is not None
    key = match.group(1).replace(" ", "")
    assert key in client.get("/sign-in/second-factor/set-up").text.replace(" ", ""), "a reload keeps the key"

    wrong = post(client, "/sign-in/second-factor/set-up", csrf, code=wrong_code(key))
    assert "The code is not correct" in wrong.text
    check_page(wrong.text)
    someone_elses = post(
        client, "/sign-in/second-factor/set-up", csrf, code=pyotp.TOTP(pyotp.random_base32()).now()
    )
    assert someone_elses.status_code == 200
    db_session.refresh(person)
    assert (person.totp_secret, person.totp_confirmed_at) == (None, None)
    assert second_factor.recovery_codes_left(db_session, person) == 0

    done = post(client, "/sign-in/second-factor/set-up", csrf, code=pyotp.TOTP(key).now(), next="/account")
    assert done.status_code == 200
    check_page(done.text)
    assert done.headers["cache-control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    assert len(codes) == 10
    assert 'href="/account"' in done.text
    assert "I have saved these codes" in done.text
    db_session.refresh(person)
    assert person.totp_secret == key
    assert person.totp_confirmed_at is not None
    stored = db_session.exec(select(RecoveryCode.code_hash).where(RecoveryCode.person_id == person.id)).all()
    assert sorted(stored) == sorted(digest(code.replace("-", "")) for code in codes)
    new_token = take_new_session(client, done)
    assert new_token != pending_token
    assert session_of(db_session, pending_token).ended_at is not None
    [set_up] = events(db_session, "second_factor.set_up", person)
    assert set_up.details == {"method": "totp", "recovery_codes": 10}
    assert events(db_session, "second_factor.succeeded", person) == [], "one event: set up and signed in"
    assert key not in str(set_up.details)
    assert client.get("/account/second-factor").status_code == 200


def test_a_password_alone_cannot_replace_a_set_up_app(
    client: TestClient, db_session: Session, settings: Settings
) -> None:
    secret = pyotp.random_base32()
    person = staff(db_session, totp_secret=secret)
    csrf = half_signed_in(client, db_session, settings, person)
    page = client.get("/sign-in/second-factor/set-up?next=/account", follow_redirects=False)
    assert page.headers["location"] == "/sign-in/second-factor?next=/account"
    posted = post(client, "/sign-in/second-factor/set-up", csrf, code=pyotp.TOTP(secret).now())
    assert posted.status_code == 303
    db_session.refresh(person)
    assert person.totp_secret == secret


def test_a_pending_session_cannot_reach_other_pages(
    client: TestClient, db_session: Session, settings: Settings
) -> None:
    person = staff(db_session, totp_secret=pyotp.random_base32())
    csrf = half_signed_in(client, db_session, settings, person)
    for path in ("/account", "/account/second-factor", "/account/tokens"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/sign-in?next="), path
    renew = post(client, "/account/second-factor/recovery-codes", csrf)
    assert renew.headers["location"].startswith("/sign-in?next=")
    assert "Signed in as" not in client.get("/").text

    page = client.get("/sign-in/second-factor")
    assert 'action="/sign-out"' in page.text, "the person can give up half-way"
    signed_out = post(client, "/sign-out", csrf)
    assert signed_out.headers["location"] == "/signed-out"
    assert client.get("/sign-in/second-factor", follow_redirects=False).status_code == 303


def test_single_sign_on_staff_and_families_are_not_asked(
    client: TestClient, db_session: Session, settings: Settings
) -> None:
    parent = make_person(db_session, PersonRole.PARENT_CARER)
    client.cookies.set("oneplan_browser", "visitor")
    signed_in = post(
        client,
        "/sign-in",
        csrf_token(settings.secret_key, "browser:visitor"),
        email=parent.email or "",
        password=PASSWORD,
        next="/account",
    )
    assert signed_in.headers["location"] == "/account"
    assert client.get("/sign-in/second-factor", follow_redirects=False).status_code == 303
    assert client.get("/account/second-factor").status_code == 404

    person = staff(db_session)
    token = start_session(
        db_session, person, SignInMethod.SINGLE_SIGN_ON, second_factor_done=True, client_address="testclient"
    )
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/account").status_code == 200
    page = client.get("/account/second-factor")
    assert page.status_code == 200
    check_page(page.text)
    assert "single sign-on, which asks for your second factor" in page.text
    set_up = client.get("/sign-in/second-factor/set-up", follow_redirects=False)
    assert set_up.headers["location"].startswith("/sign-in?next=")


def test_account_page_shows_the_set_up_and_makes_new_recovery_codes(
    client: TestClient, db_session: Session, settings: Settings, sign_in_as: Callable[[Person], str]
) -> None:
    person = staff(db_session, totp_secret=pyotp.random_base32())
    old = second_factor.renew_recovery_codes(db_session, Actor.command(person), person)
    csrf = sign_in_as(person)

    page = client.get("/account/second-factor")
    assert page.status_code == 200
    check_page(page.text)
    assert "10 of 10" in page.text
    assert 'action="/account/second-factor/recovery-codes"' in page.text

    renewed = post(client, "/account/second-factor/recovery-codes", csrf)
    assert renewed.status_code == 200
    check_page(renewed.text)
    assert renewed.headers["cache-control"] == "no-store"
    assert "Your old recovery codes no longer work" in renewed.text
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", renewed.text)
    assert len(new) == 10
    assert not set(new) & set(old)
    hashes = set(db_session.exec(select(RecoveryCode.code_hash).where(RecoveryCode.person_id == person.id)))
    assert hashes == {digest(code.replace("-", "")) for code in new}
    [event] = [e for e in events(db_session, "recovery_codes.renewed", person) if e.channel == Channel.PAGE]
    assert event.details == {"count": 10}
    assert not any(code in str(event.details) for code in new)


def test_account_page_for_staff_not_yet_set_up(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    person = staff(db_session)
    csrf = sign_in_as(person)
    page = client.get("/account/second-factor")
    assert "the next time you sign in with your password" in page.text
    renew = post(client, "/account/second-factor/recovery-codes", csrf)
    assert renew.headers["location"] == "/account/second-factor"
    assert second_factor.recovery_codes_left(db_session, person) == 0


@pytest.mark.parametrize("target", ["//elsewhere.example/", "https://elsewhere.example/", "/\\elsewhere"])
def test_next_never_leaves_the_site(
    client: TestClient, db_session: Session, settings: Settings, target: str
) -> None:
    secret = pyotp.random_base32()
    person = staff(db_session, totp_secret=secret)
    csrf = half_signed_in(client, db_session, settings, person)
    done = post(client, "/sign-in/second-factor", csrf, code=pyotp.TOTP(secret).now(), next=target)
    assert done.headers["location"] == "/"


def test_a_code_from_the_next_step_is_accepted_but_not_two_steps_away(
    db_session: Session, settings: Settings
) -> None:
    secret = pyotp.random_base32()
    person = staff(db_session, totp_secret=secret)
    totp, actor = pyotp.TOTP(secret), Actor.command()
    pending = session_of(db_session, session_token_for(db_session, person, second_factor_done=False))
    with pytest.raises(second_factor.SecondFactorProblem, match="not correct"):
        second_factor.complete_with_code(
            db_session, settings, actor, pending, person, totp.at(time.time() + 90)
        )
    token = second_factor.complete_with_code(
        db_session, settings, actor, pending, person, totp.at(time.time() + 30)
    )
    assert session_of(db_session, token).second_factor_done
