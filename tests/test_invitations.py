"""Invitations: a link that works once, for 7 days, to choose a password and sign in."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, col, select

from app.actor import Actor
from app.auth import BROWSER_COOKIE, SESSION_COOKIE
from app.config import Settings
from app.models import (
    AuditEvent,
    Channel,
    LinkPurpose,
    OneTimeLink,
    OrganisationKind,
    OutboxMessage,
    Outcome,
    Person,
    PersonRole,
    SignInMethod,
    UserSession,
)
from app.models.base import as_utc, utc_now
from app.services.auth.csrf import csrf_token
from app.services.auth.links import LinkProblem, LinkRefusal, LinkRefused, consume, send_invitation
from app.services.auth.passwords import verify_password
from app.services.auth.secrets import digest
from tests.factories import make_organisation, make_person, session_token_for
from tests.page_checks import check_page

PASSWORD = "my own long phrase"
LINK = re.compile(r"http://127\.0\.0\.1:8000/invitations/(\S+)")


@pytest.fixture
def visitor(client: TestClient, settings: Settings) -> str:
    client.cookies.set(BROWSER_COOKIE, "invited-visitor")
    return csrf_token(settings.secret_key, "browser:invited-visitor")


@pytest.fixture
def admin(db_session: Session) -> Person:
    return make_person(db_session, PersonRole.ADMINISTRATOR)


def invite(db: Session, settings: Settings, admin: Person, person: Person) -> str:
    """Send the invitation; return its link's token, read from the outbox."""
    send_invitation(db, settings, Actor(person=admin, channel=Channel.PAGE), person)
    message = db.exec(
        select(OutboxMessage).where(OutboxMessage.recipient == person.email).order_by(col(OutboxMessage.id))
    ).all()[-1]
    match = LINK.search(message.body)
    assert match is not None, message.body
    return match.group(1)


def accept(
    client: TestClient, csrf: str, token: str, password: str = PASSWORD, again: str | None = None
) -> Response:
    data = {
        "password": password,
        "confirm_password": password if again is None else again,
        "csrf_token": csrf,
    }
    return client.post(f"/invitations/{token}", data=data, follow_redirects=False)


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))))


def sessions_of(db: Session, person: Person) -> list[UserSession]:
    return list(db.exec(select(UserSession).where(UserSession.person_id == person.id)))


def test_the_invitation_is_mailed(db_session: Session, settings: Settings, admin: Person) -> None:
    invited = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    token = invite(db_session, settings, admin, invited)

    [message] = db_session.exec(select(OutboxMessage).where(OutboxMessage.recipient == invited.email)).all()
    assert message.subject == "You are invited to OnePlan"
    assert f"{admin.display_name} has invited you" in message.body
    assert invited.display_name not in message.body
    link = db_session.exec(select(OneTimeLink).where(OneTimeLink.token_hash == digest(token))).one()
    assert (link.purpose, link.person_id, link.created_by_id) == (
        LinkPurpose.INVITATION,
        invited.id,
        admin.id,
    )
    assert as_utc(link.expires_at) - as_utc(link.created_at) == timedelta(days=7)
    assert token not in str(db_session.exec(select(AuditEvent.details)).all())


def test_nobody_without_an_address_is_invited(db_session: Session, settings: Settings, admin: Person) -> None:
    child = make_person(db_session, PersonRole.CHILD, email=None, password=None)
    with pytest.raises(LinkProblem):
        send_invitation(db_session, settings, Actor(person=admin, channel=Channel.PAGE), child)


def test_a_family_member_is_signed_in_at_once(
    client: TestClient, db_session: Session, settings: Settings, admin: Person, visitor: str
) -> None:
    invited = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    token = invite(db_session, settings, admin, invited)
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 200
    check_page(page.text)
    assert invited.email in page.text
    assert page.text.count('autocomplete="new-password"') == 2

    response = accept(client, visitor, token)
    assert (response.status_code, response.headers["location"]) == (303, "/")
    cookie = response.cookies.get(SESSION_COOKIE)
    assert cookie
    db_session.refresh(invited)
    assert verify_password(invited.password_hash, PASSWORD)
    [session] = sessions_of(db_session, invited)
    assert session.token_hash == digest(cookie)
    assert (session.method, session.second_factor_done) == (SignInMethod.INVITATION, True)
    assert client.get("/account").status_code == 200
    [accepted] = events(db_session, "invitation.accepted")
    assert (accepted.actor_id, accepted.outcome, accepted.details["signed_in"]) == (
        invited.id,
        Outcome.DONE,
        True,
    )
    assert events(db_session, "sign_in.succeeded") == [], "accepting is the sign-in: one event"


def test_staff_go_on_to_their_second_factor(
    client: TestClient, db_session: Session, settings: Settings, admin: Person, visitor: str
) -> None:
    school = make_organisation(db_session, OrganisationKind.SCHOOL)
    teacher = make_person(db_session, PersonRole.EDUCATION, organisation=school, password=None)
    token = invite(db_session, settings, admin, teacher)

    response = accept(client, visitor, token)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in/second-factor")
    [session] = sessions_of(db_session, teacher)
    assert (session.method, session.second_factor_done) == (SignInMethod.INVITATION, False)
    assert client.get("/account", follow_redirects=False).status_code == 303, "not signed in all the way yet"
    [event] = events(db_session, "invitation.accepted")
    assert (event.actor_id, event.details["signed_in"]) == (teacher.id, False)


def test_an_invitation_works_only_once(
    client: TestClient, db_session: Session, settings: Settings, admin: Person, visitor: str
) -> None:
    invited = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    token = invite(db_session, settings, admin, invited)
    assert accept(client, visitor, token).status_code == 303
    client.cookies.delete(SESSION_COOKIE)

    again = client.get(f"/invitations/{token}")
    assert again.status_code == 410
    check_page(again.text)
    assert "This invitation has already been used" in again.text
    assert accept(client, visitor, token, "a different long phrase").status_code == 410
    db_session.refresh(invited)
    assert verify_password(invited.password_hash, PASSWORD)
    assert len(sessions_of(db_session, invited)) == 1
    assert [event.reason for event in events(db_session, "invitation.refused")] == ["link already used"] * 2


def test_an_invitation_expires_after_7_days(
    client: TestClient, db_session: Session, settings: Settings, admin: Person, visitor: str
) -> None:
    invited = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    token = invite(db_session, settings, admin, invited)
    link = db_session.exec(select(OneTimeLink).where(OneTimeLink.token_hash == digest(token))).one()
    link.expires_at = utc_now() - timedelta(seconds=1)
    db_session.add(link)

    expired = client.get(f"/invitations/{token}")
    assert expired.status_code == 410
    check_page(expired.text)
    assert "This invitation has expired" in expired.text
    assert accept(client, visitor, token).status_code == 410
    assert sessions_of(db_session, invited) == []
    [event, _] = events(db_session, "invitation.refused")
    assert (event.reason, event.object_id, event.details) == (
        "link expired",
        str(invited.id),
        {"link_id": link.id},
    )


def test_an_unknown_invitation_is_not_found(client: TestClient, db_session: Session, visitor: str) -> None:
    response = client.get("/invitations/no-such-invitation")
    assert response.status_code == 404
    check_page(response.text)
    assert "This invitation link does not work" in response.text
    assert accept(client, visitor, "no-such-invitation").status_code == 404
    assert [event.reason for event in events(db_session, "invitation.refused")] == ["unknown link"] * 2


def test_a_closed_account_cannot_accept(
    client: TestClient, db_session: Session, settings: Settings, admin: Person, visitor: str
) -> None:
    invited = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    token = invite(db_session, settings, admin, invited)
    invited.deactivated_at = utc_now()
    db_session.add(invited)
    response = accept(client, visitor, token)
    assert response.status_code == 410
    assert "This account has been closed" in response.text
    assert sessions_of(db_session, invited) == []


@pytest.mark.parametrize(
    ("password", "again", "field", "message"),
    [
        ("", "", "password", "Enter a new password"),
        ("too short", "too short", "password", "Password must be 10 characters or more"),
        (PASSWORD, "not the same phrase", "confirm_password", "Enter the same password twice"),
    ],
)
def test_password_rules_are_shown_beside_the_field(
    client: TestClient,
    db_session: Session,
    settings: Settings,
    admin: Person,
    visitor: str,
    password: str,
    again: str,
    field: str,
    message: str,
) -> None:
    invited = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    token = invite(db_session, settings, admin, invited)
    response = accept(client, visitor, token, password, again)
    assert response.status_code == 200
    check_page(response.text)
    assert response.text.count(message) == 2
    assert f'href="#{field}"' in response.text
    assert f'id="{field}-error"' in response.text
    assert sessions_of(db_session, invited) == []
    link = db_session.exec(select(OneTimeLink).where(OneTimeLink.token_hash == digest(token))).one()
    assert link.used_at is None


def test_accepting_needs_the_csrf_token(
    client: TestClient, db_session: Session, settings: Settings, admin: Person, visitor: str
) -> None:
    invited = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    token = invite(db_session, settings, admin, invited)
    response = client.post(f"/invitations/{token}", data={"password": PASSWORD, "confirm_password": PASSWORD})
    assert response.status_code == 403
    assert sessions_of(db_session, invited) == []
    assert consume(db_session, Actor(person=None, channel=Channel.PAGE), LinkPurpose.INVITATION, token)


def test_accepting_replaces_the_browsers_previous_session(
    client: TestClient, db_session: Session, settings: Settings, admin: Person
) -> None:
    someone_else = make_person(db_session)
    previous = session_token_for(db_session, someone_else)
    client.cookies.set(SESSION_COOKIE, previous)
    csrf = csrf_token(settings.secret_key, f"session:{digest(previous)}")
    invited = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    assert accept(client, csrf, invite(db_session, settings, admin, invited)).status_code == 303
    [old] = sessions_of(db_session, someone_else)
    assert old.ended_at is not None


def test_consume_refuses_with_a_reason(db_session: Session, settings: Settings, admin: Person) -> None:
    actor = Actor(person=None, channel=Channel.PAGE)
    invited = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    token = invite(db_session, settings, admin, invited)
    assert consume(db_session, actor, LinkPurpose.INVITATION, token).person.id == invited.id
    with pytest.raises(LinkRefused) as used:
        consume(db_session, actor, LinkPurpose.INVITATION, token)
    assert used.value.reason is LinkRefusal.USED
    with pytest.raises(LinkRefused) as unknown:
        consume(db_session, actor, LinkPurpose.INVITATION, "x" * 500)
    assert unknown.value.reason is LinkRefusal.UNKNOWN


def test_the_admin_invite_page_sends_the_invitation(
    client: TestClient, db_session: Session, admin: Person, sign_in_as: Callable[[Person], str]
) -> None:
    school = make_organisation(db_session, OrganisationKind.SCHOOL)
    csrf = sign_in_as(admin)
    response = client.post(
        "/admin/people/invite",
        data={
            "display_name": "New Teacher",
            "email": "new.teacher@test.example",
            "role": PersonRole.EDUCATION.value,
            "organisation_id": str(school.id),
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    [message] = db_session.exec(
        select(OutboxMessage).where(OutboxMessage.recipient == "new.teacher@test.example")
    ).all()
    assert LINK.search(message.body)
    [event] = events(db_session, "person.invited")
    assert (event.actor_id, event.outcome) == (admin.id, Outcome.DONE)
    assert event.details["outbox_message_id"] == message.id
    assert events(db_session, "invitation.sent") == [], "one event for the whole action"
