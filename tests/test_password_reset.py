"""Password reset by an e-mailed link: one hour, once, no account enumeration, sessions ended."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.auth import BROWSER_COOKIE, SESSION_COOKIE
from app.config import Settings
from app.models import AuditEvent, LinkPurpose, OneTimeLink, OutboxMessage, Outcome, Person, UserSession
from app.models.base import as_utc, utc_now
from app.services.auth.csrf import csrf_token
from app.services.auth.passwords import verify_password
from app.services.auth.secrets import digest
from tests.factories import PASSWORD, make_person, session_token_for
from tests.page_checks import check_page

NEW_PASSWORD = "a brand new phrase"
LINK = re.compile(r"http://127\.0\.0\.1:8000/password-reset/(\S+)")


@pytest.fixture
def visitor(client: TestClient, settings: Settings) -> str:
    """An anonymous browser; returns the CSRF token its forms carry."""
    client.cookies.set(BROWSER_COOKIE, "reset-visitor")
    return csrf_token(settings.secret_key, "browser:reset-visitor")


@pytest.fixture
def person(db_session: Session) -> Person:
    return make_person(db_session)


def ask(client: TestClient, csrf: str, email: str) -> str:
    response = client.post("/password-reset", data={"email": email, "csrf_token": csrf})
    assert response.status_code == 200
    return re.sub(r"[0-9a-f]{128}", "CSRF-TOKEN", response.text)  # a fresh mask on every page


def mail_to(db: Session, address: str) -> list[OutboxMessage]:
    return list(
        db.exec(
            select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(col(OutboxMessage.id))
        )
    )


def link_in(message: OutboxMessage) -> tuple[str, str]:
    """The path of the message's link, and its token."""
    match = LINK.search(message.body)
    assert match is not None, message.body
    return f"/password-reset/{match.group(1)}", match.group(1)


def reset_link(client: TestClient, db: Session, csrf: str, person: Person) -> tuple[str, str]:
    ask(client, csrf, person.email or "")
    return link_in(mail_to(db, person.email or "")[-1])


def choose(client: TestClient, csrf: str, path: str, password: str, again: str | None = None) -> str:
    data = {
        "password": password,
        "confirm_password": password if again is None else again,
        "csrf_token": csrf,
    }
    response = client.post(path, data=data)
    return f"{response.status_code} {response.text}"


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))))


def test_a_reset_link_sets_a_new_password_and_ends_every_session(
    client: TestClient, db_session: Session, settings: Settings, visitor: str, person: Person
) -> None:
    other_browser = session_token_for(db_session, person)
    page = ask(client, visitor, person.email or "")
    check_page(page)
    assert "Check your e-mail" in page

    [message] = mail_to(db_session, person.email or "")
    assert message.subject == "Reset your OnePlan password"
    assert f"{settings.public_url}/password-reset/" in message.body
    path, token = link_in(message)
    form = client.get(path)
    assert form.status_code == 200
    check_page(form.text)
    assert 'autocomplete="new-password"' in form.text

    changed = client.post(
        path,
        data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, "csrf_token": visitor},
        follow_redirects=False,
    )
    assert (changed.status_code, changed.headers["location"]) == (303, "/password-reset/changed")
    done = client.get("/password-reset/changed")
    check_page(done.text)
    assert "Your password has been changed" in done.text

    db_session.refresh(person)
    assert verify_password(person.password_hash, NEW_PASSWORD)
    assert not verify_password(person.password_hash, PASSWORD)
    ended = db_session.exec(select(UserSession).where(UserSession.token_hash == digest(other_browser))).one()
    assert ended.ended_at is not None
    link = db_session.exec(select(OneTimeLink).where(OneTimeLink.token_hash == digest(token))).one()
    assert link.used_at is not None
    assert link.purpose == LinkPurpose.PASSWORD_RESET
    assert as_utc(link.expires_at) - as_utc(link.created_at) == timedelta(hours=1)

    [requested] = events(db_session, "password_reset.requested")
    [completed] = events(db_session, "password_reset.completed")
    assert (requested.outcome, requested.actor_id) == (Outcome.DONE, person.id)
    assert (completed.outcome, completed.actor_id, completed.object_id) == (
        Outcome.DONE,
        person.id,
        str(person.id),
    )
    for event in (requested, completed):
        written = f"{event.details} {event.reason}"
        assert token not in written
        assert NEW_PASSWORD not in written
        assert message.body not in written


def test_the_database_keeps_only_the_digest_of_the_link(
    client: TestClient, db_session: Session, visitor: str, person: Person
) -> None:
    _, token = reset_link(client, db_session, visitor, person)
    hashes = list(db_session.exec(select(OneTimeLink.token_hash)))
    assert digest(token) in hashes
    assert token not in hashes


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    client: TestClient, db_session: Session, visitor: str, person: Person
) -> None:
    closed = make_person(db_session)
    closed.deactivated_at = utc_now()
    db_session.add(closed)
    pages = {
        address: ask(client, visitor, address).replace(address, "ADDRESS")
        for address in (person.email or "", "nobody@test.example", closed.email or "")
    }
    assert len(set(pages.values())) == 1, "the page must not tell which addresses have accounts"
    assert mail_to(db_session, "nobody@test.example") == []
    assert mail_to(db_session, closed.email or "") == []
    assert len(mail_to(db_session, person.email or "")) == 1
    refused = [
        event for event in events(db_session, "password_reset.requested") if event.outcome == "refused"
    ]
    assert sorted(event.reason or "" for event in refused) == ["account closed", "unknown account"]
    assert all("nobody@test.example" not in str(event.details) for event in refused)


def test_requests_are_throttled_per_address_without_saying_so(
    client: TestClient, db_session: Session, settings: Settings, visitor: str, person: Person
) -> None:
    first = ask(client, visitor, person.email or "")
    for _ in range(settings.throttle_account_failures):
        assert ask(client, visitor, person.email or "") == first
    assert len(mail_to(db_session, person.email or "")) == settings.throttle_account_failures
    [throttled] = [
        event for event in events(db_session, "password_reset.requested") if event.reason == "throttled"
    ]
    assert throttled.outcome == Outcome.REFUSED


def test_requests_do_not_lock_out_signing_in(
    client: TestClient, db_session: Session, settings: Settings, visitor: str, person: Person
) -> None:
    for _ in range(settings.throttle_account_failures + 1):
        ask(client, visitor, person.email or "")
    signed_in = client.post(
        "/sign-in",
        data={"email": person.email, "password": PASSWORD, "csrf_token": visitor},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303


def test_a_link_works_only_once(
    client: TestClient, db_session: Session, visitor: str, person: Person
) -> None:
    path, _ = reset_link(client, db_session, visitor, person)
    assert choose(client, visitor, path, NEW_PASSWORD).startswith("200 ")

    again = client.get(path)
    assert again.status_code == 410
    check_page(again.text)
    assert "This link has already been used" in again.text
    assert 'href="/password-reset"' in again.text
    assert choose(client, visitor, path, "yet another phrase").startswith("410 ")
    db_session.refresh(person)
    assert verify_password(person.password_hash, NEW_PASSWORD)
    reasons = [event.reason for event in events(db_session, "password_reset.refused")]
    assert reasons == ["link already used", "link already used"]


def test_using_a_newer_link_closes_the_older_ones(
    client: TestClient, db_session: Session, visitor: str, person: Person
) -> None:
    older, _ = reset_link(client, db_session, visitor, person)
    newer, _ = reset_link(client, db_session, visitor, person)
    assert choose(client, visitor, newer, NEW_PASSWORD).startswith("200 ")
    assert client.get(older).status_code == 410


def test_a_link_expires_after_an_hour(
    client: TestClient, db_session: Session, visitor: str, person: Person
) -> None:
    path, token = reset_link(client, db_session, visitor, person)
    link = db_session.exec(select(OneTimeLink).where(OneTimeLink.token_hash == digest(token))).one()
    link.expires_at = utc_now() - timedelta(seconds=1)
    db_session.add(link)

    expired = client.get(path)
    assert expired.status_code == 410
    check_page(expired.text)
    assert "This link has expired" in expired.text
    assert choose(client, visitor, path, NEW_PASSWORD).startswith("410 ")
    db_session.refresh(person)
    assert verify_password(person.password_hash, PASSWORD)
    [event, _] = events(db_session, "password_reset.refused")
    assert (event.outcome, event.reason, event.object_id) == (Outcome.REFUSED, "link expired", str(person.id))


def test_an_unknown_link_is_not_found(client: TestClient, db_session: Session) -> None:
    response = client.get("/password-reset/not-a-real-token")
    assert response.status_code == 404
    check_page(response.text)
    assert "This link does not work" in response.text
    [event] = events(db_session, "password_reset.refused")
    assert event.reason == "unknown link"
    assert event.details == {"token_digest": digest("not-a-real-token")}


def test_an_invitation_link_is_not_a_reset_link(
    client: TestClient, db_session: Session, settings: Settings, visitor: str, person: Person
) -> None:
    from app.actor import Actor
    from app.models import Channel
    from app.services.auth.links import send_invitation

    send_invitation(db_session, settings, Actor(person=None, channel=Channel.COMMAND), person)
    token = mail_to(db_session, person.email or "")[-1].body.split("/invitations/")[1].split()[0]
    assert client.get(f"/password-reset/{token}").status_code == 404


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("", "", "Enter a new password"),
        ("short", "short", "Password must be 10 characters or more"),
        ("password123", "password123", "Choose a password that is harder to guess"),
        (NEW_PASSWORD, "something else entirely", "Enter the same password twice"),
    ],
)
def test_password_rules_are_shown_beside_the_field(
    client: TestClient,
    db_session: Session,
    visitor: str,
    person: Person,
    password: str,
    again: str,
    message: str,
) -> None:
    path, token = reset_link(client, db_session, visitor, person)
    answer = choose(client, visitor, path, password, again)
    assert answer.startswith("200 ")
    check_page(answer[4:])
    assert "There is a problem" in answer
    assert answer.count(message) == 2, "in the error summary and beside the field"
    assert "<title>Error: Choose a new password" in answer
    link = db_session.exec(select(OneTimeLink).where(OneTimeLink.token_hash == digest(token))).one()
    assert link.used_at is None, "a rejected password leaves the link usable"


def test_an_empty_address_is_asked_for_again(client: TestClient, db_session: Session, visitor: str) -> None:
    response = client.post("/password-reset", data={"email": "  ", "csrf_token": visitor})
    assert response.status_code == 200
    check_page(response.text)
    assert response.text.count("Enter your e-mail address") == 2
    assert events(db_session, "password_reset.requested") == []


def test_forms_need_their_csrf_token(
    client: TestClient, db_session: Session, visitor: str, person: Person
) -> None:
    path, token = reset_link(client, db_session, visitor, person)
    assert client.post("/password-reset", data={"email": person.email}).status_code == 403
    refused = client.post(path, data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert refused.status_code == 403
    db_session.refresh(person)
    assert verify_password(person.password_hash, PASSWORD)
    link = db_session.exec(select(OneTimeLink).where(OneTimeLink.token_hash == digest(token))).one()
    assert link.used_at is None
    assert len(mail_to(db_session, person.email or "")) == 1


def test_resetting_while_signed_in_signs_this_browser_out_too(
    client: TestClient, db_session: Session, settings: Settings, person: Person
) -> None:
    own = session_token_for(db_session, person)
    client.cookies.set(SESSION_COOKIE, own)
    csrf = csrf_token(settings.secret_key, f"session:{digest(own)}")
    path, _ = reset_link(client, db_session, csrf, person)
    changed = client.post(
        path,
        data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert f'{SESSION_COOKIE}=""' in changed.headers["set-cookie"]
    assert client.get("/account", follow_redirects=False).status_code == 303, "the old session has ended"
