"""Children's sign-in cards: made and revoked by a parent, opened by the child with three pictures."""

import re
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import Session, col, select

from app.actor import Actor
from app.auth import SESSION_COOKIE
from app.config import Settings
from app.models import (
    AuditEvent,
    ChildSignInCard,
    FamilyLink,
    OutboxMessage,
    Person,
    PersonRole,
    SignInAttempt,
    UserSession,
)
from app.models.base import id_of
from app.services.auth import child_cards
from app.services.auth.csrf import csrf_token
from app.services.auth.secrets import digest
from app.services.demo import DEMO_CARD_PICTURES, create_demo, demo_person
from app.services.plans.plans import own_memberships
from tests.factories import make_person
from tests.page_checks import check_page
from tests.test_plan_pages import text_of

PICTURES = ("cat", "sun", "boat")
WRONG = ("star", "star", "star")
VISITOR = "child-browser"


def _child_with_parent(db: Session, *, born: date | None = None) -> tuple[Person, Person]:
    parent = make_person(db, PersonRole.PARENT_CARER, password=None)
    child = make_person(db, PersonRole.CHILD, email=None, password=None)
    child.date_of_birth = born
    db.add(child)
    db.add(FamilyLink(parent_id=id_of(parent), child_id=id_of(child)))
    db.flush()
    return parent, child


def _card(db: Session, parent: Person, child: Person) -> str:
    return child_cards.create_card(db, Settings(), Actor.command(parent), child, PICTURES).token


def _as_visitor(client: TestClient, settings: Settings) -> str:
    """A browser with nobody signed in; returns the CSRF token its forms carry."""
    client.cookies.clear()
    client.cookies.set("oneplan_browser", VISITOR)
    return csrf_token(settings.secret_key, f"browser:{VISITOR}")


def _tap(client: TestClient, csrf: str, token: str, pictures: tuple[str, ...]) -> Response:
    """Tap the pictures one page at a time, as the child does; returns the last response."""
    responses = [
        client.post(
            f"/card/{token}",
            data={"csrf_token": csrf, "chosen": " ".join(pictures[:index]), "picture": name},
            follow_redirects=False,
        )
        for index, name in enumerate(pictures)
    ]
    return responses[-1]


def _actions(db: Session, *names: str) -> list[AuditEvent]:
    return list(
        db.exec(select(AuditEvent).where(col(AuditEvent.action).in_(names)).order_by(col(AuditEvent.id)))
    )


def test_parent_sees_their_children_and_each_card(
    client: TestClient, demo: Callable[[str], Person], sign_in_as: Callable[[Person], str]
) -> None:
    sign_in_as(demo("Alex Taylor"))
    response = client.get("/account/children")
    assert response.status_code == 200
    check_page(response.text)
    assert "Sam Taylor" in response.text
    assert "Sam has a sign-in card" in response.text
    assert "Switch off Sam&#39;s card" in response.text
    assert "Ella Morris" not in response.text


def test_making_a_card_shows_the_link_once_and_stores_only_digests(
    client: TestClient, db_session: Session, settings: Settings, sign_in_as: Callable[[Person], str]
) -> None:
    parent, child = _child_with_parent(db_session)
    old_token = _card(db_session, parent, child)
    csrf = sign_in_as(parent)

    form = client.get(f"/account/children/{child.id}/sign-in-card")
    check_page(form.text)
    assert "switches off the card" in form.text
    response = client.post(
        f"/account/children/{child.id}/sign-in-card",
        data={"csrf_token": csrf, "first": "cat", "second": "sun", "third": "boat"},
    )
    assert response.status_code == 200
    check_page(response.text)
    prefix = settings.public_url + "/card/"
    token = response.text.split(f'href="{prefix}', 1)[1].split('"', 1)[0]
    assert len(token) >= 43
    assert '<svg role="img" aria-label="QR code for ' in response.text
    assert "style=" not in response.text.split('class="oneplan-sign-in-card', 1)[1].split("</div>", 1)[0]

    cards = db_session.exec(select(ChildSignInCard).where(ChildSignInCard.child_id == child.id)).all()
    old, new = sorted(cards, key=lambda card: id_of(card))
    assert old.revoked_at is not None, "a new card revokes the old one"
    assert new.revoked_at is None
    assert new.created_by_id == parent.id
    assert new.token_hash == digest(token)
    assert new.pictures_hash.startswith("$argon2id$")
    assert not any(name in new.pictures_hash for name in PICTURES)
    assert old_token != token
    created = _actions(db_session, "child_sign_in_card.created")[-1]
    assert (created.actor_id, created.object_id) == (parent.id, str(new.id))
    assert token not in str(created.details)


def test_a_card_needs_all_three_pictures(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    parent, child = _child_with_parent(db_session)
    csrf = sign_in_as(parent)
    response = client.post(
        f"/account/children/{child.id}/sign-in-card",
        data={"csrf_token": csrf, "first": "cat", "third": "dragon"},
    )
    assert response.status_code == 200
    check_page(response.text)
    assert "Choose the second picture" in response.text
    assert "Choose the third picture" in response.text
    assert (
        db_session.exec(select(ChildSignInCard).where(ChildSignInCard.child_id == child.id)).first() is None
    )


def test_someone_elses_child_is_not_found_and_the_refusal_is_audited(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    _parent, child = _child_with_parent(db_session)
    stranger = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    sign_in_as(stranger)
    response = client.get(f"/account/children/{child.id}/sign-in-card")
    assert response.status_code == 404
    assert "Sam" not in response.text
    refused = _actions(db_session, "child_sign_in_card.refused")[-1]
    assert (refused.actor_id, refused.object_id) == (stranger.id, str(child.id))


def test_a_young_person_of_16_signs_in_like_an_adult(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    parent, young_person = _child_with_parent(db_session, born=date(2000, 1, 1))
    sign_in_as(parent)
    assert "16 or over" in client.get("/account/children").text
    assert client.get(f"/account/children/{young_person.id}/sign-in-card").status_code == 404


def test_child_taps_three_pictures_and_is_welcomed(
    client: TestClient, db_session: Session, settings: Settings
) -> None:
    parent, child = _child_with_parent(db_session)
    token = _card(db_session, parent, child)
    csrf = _as_visitor(client, settings)

    page = client.get(f"/card/{token}")
    assert page.status_code == 200
    check_page(page.text)
    assert "Picture 1 of 3" in page.text
    second = client.post(f"/card/{token}", data={"csrf_token": csrf, "chosen": "", "picture": "cat"})
    check_page(second.text)
    assert "Picture 2 of 3" in second.text
    assert 'name="chosen" value="cat"' in second.text

    response = _tap(client, csrf, token, PICTURES)
    assert response.status_code == 303
    assert response.headers["location"] == "/welcome"
    session = db_session.exec(select(UserSession).where(UserSession.person_id == child.id)).one()
    assert session.method == "child_card"
    assert session.second_factor_done
    client.cookies.set(SESSION_COOKIE, response.cookies[SESSION_COOKIE])
    welcome = client.get("/welcome")
    check_page(welcome.text)
    first_name = child.display_name.split()[0]
    assert f'<h1 class="govuk-heading-xl">Hello {first_name}</h1>' in welcome.text
    card = db_session.exec(select(ChildSignInCard).where(ChildSignInCard.child_id == child.id)).one()
    succeeded = _actions(db_session, "sign_in.succeeded")[-1]
    assert succeeded.actor_id == child.id
    assert succeeded.details == {"method": "child_card", "card_id": card.id}
    assert client.get(f"/card/{token}", follow_redirects=False).headers["location"] == "/welcome"


def test_wrong_pictures_are_counted_and_the_fifth_locks_the_card(
    client: TestClient, db_session: Session, settings: Settings
) -> None:
    parent, child = _child_with_parent(db_session)
    token = _card(db_session, parent, child)
    csrf = _as_visitor(client, settings)

    for _ in range(4):
        response = _tap(client, csrf, token, WRONG)
        assert response.status_code == 200
        assert "Those are not your pictures. Tap your 3 pictures again, in order." in text_of(response.text)
    assert "You can try 1 more time" in response.text
    # The next tap does not jump down to the pictures, past the message (the page opens at its top).
    assert f'action="/card/{token}"' in response.text
    assert '#pictures"' not in response.text.split("<form", 1)[1].split(">", 1)[0]
    check_page(response.text)
    card = db_session.exec(select(ChildSignInCard).where(ChildSignInCard.child_id == child.id)).one()
    assert card.failed_attempts == 4

    locked = _tap(client, csrf, token, WRONG)
    assert locked.status_code == 404
    assert "This card does not work any more" in locked.text
    db_session.refresh(card)
    assert card.locked_at is not None
    assert _tap(client, csrf, token, PICTURES).status_code == 404
    assert client.get(f"/card/{token}").status_code == 404

    failed = _actions(db_session, "sign_in.failed")
    assert [event.reason for event in failed] == ["wrong pictures"] * 5 + ["card does not work"]
    assert all(not set(PICTURES + WRONG) & set(map(str, event.details.values())) for event in failed)
    assert len(_actions(db_session, "child_sign_in_card.locked")) == 1
    assert db_session.exec(select(UserSession).where(UserSession.person_id == child.id)).first() is None


def test_a_right_try_resets_the_count_of_wrong_ones(
    client: TestClient, db_session: Session, settings: Settings
) -> None:
    parent, child = _child_with_parent(db_session)
    token = _card(db_session, parent, child)
    csrf = _as_visitor(client, settings)
    _tap(client, csrf, token, WRONG)
    assert _tap(client, csrf, token, PICTURES).status_code == 303
    card = db_session.exec(select(ChildSignInCard).where(ChildSignInCard.child_id == child.id)).one()
    assert card.failed_attempts == 0


def test_too_many_tries_from_one_address_are_throttled(
    client: TestClient, db_session: Session, settings: Settings
) -> None:
    parent, child = _child_with_parent(db_session)
    token = _card(db_session, parent, child)
    for _ in range(settings.throttle_address_failures):
        db_session.add(SignInAttempt(throttle_key="address:testclient", succeeded=False))
    db_session.flush()
    csrf = _as_visitor(client, settings)
    response = _tap(client, csrf, token, PICTURES)
    assert response.status_code == 200
    assert "Too many tries" in response.text
    assert db_session.exec(select(UserSession).where(UserSession.person_id == child.id)).first() is None
    assert _actions(db_session, "sign_in.failed")[-1].reason == "throttled"


def test_parent_switches_the_card_off_with_one_button(
    client: TestClient, db_session: Session, settings: Settings, sign_in_as: Callable[[Person], str]
) -> None:
    parent, child = _child_with_parent(db_session)
    token = _card(db_session, parent, child)
    csrf = sign_in_as(parent)
    response = client.post(
        f"/account/children/{child.id}/sign-in-card/revoke", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.headers["location"] == "/account/children"
    assert "last card was switched off" in client.get("/account/children").text
    revoked = _actions(db_session, "child_sign_in_card.revoked")[-1]
    assert revoked.actor_id == parent.id

    _as_visitor(client, settings)
    gone = client.get(f"/card/{token}")
    assert gone.status_code == 404
    check_page(gone.text)
    assert "Ask the grown-up who made it for a new one." in gone.text


@pytest.mark.parametrize("token", ["not-a-card", "x" * 43])
def test_an_unknown_card_gets_the_same_kind_page(client: TestClient, settings: Settings, token: str) -> None:
    csrf = _as_visitor(client, settings)
    assert "This card does not work any more" in client.get(f"/card/{token}").text
    assert _tap(client, csrf, token, PICTURES).status_code == 404


def test_the_demo_gives_sam_a_fresh_working_card_at_every_run(db_session: Session) -> None:
    first = create_demo(db_session)
    second = create_demo(db_session)
    sam = demo_person(db_session, "Sam Taylor")
    assert first.sam_card.token != second.sam_card.token
    assert second.sam_card.pictures == DEMO_CARD_PICTURES
    assert child_cards.child_for_card(db_session, second.sam_card.token).id == sam.id
    with pytest.raises(child_cards.CardDoesNotWork):
        child_cards.child_for_card(db_session, first.sam_card.token)
    assert second.sam_card.card.created_by_id == demo_person(db_session, "Alex Taylor").id


def test_a_child_with_a_plan_is_sent_on_from_the_welcome_to_their_own_page(
    client: TestClient, db_session: Session, settings: Settings
) -> None:
    world = create_demo(db_session)
    csrf = _as_visitor(client, settings)
    response = _tap(client, csrf, world.sam_card.token, DEMO_CARD_PICTURES)
    client.cookies.set(SESSION_COOKIE, response.cookies[SESSION_COOKIE])
    welcome = client.get("/welcome")
    check_page(welcome.text)
    sam = demo_person(db_session, "Sam Taylor")
    [plan_id] = [member.plan_id for member in own_memberships(db_session, sam).values()]
    assert f'href="/plans/{plan_id}/my-views"' in welcome.text
    assert f'href="/plans/{plan_id}/my-plan"' in welcome.text
    assert client.get(f"/plans/{plan_id}/my-views").status_code == 200


def test_a_childs_pages_have_a_way_home_and_out_and_no_staff_menu(
    client: TestClient, db_session: Session, settings: Settings
) -> None:
    """Sam's pages (home, his views, his plan, his sign-in) use the children's layout; Priya's do not."""
    world = create_demo(db_session)
    csrf = _as_visitor(client, settings)
    card = client.get(f"/card/{world.sam_card.token}")
    assert "Alpha" not in text_of(card.text)
    response = _tap(client, csrf, world.sam_card.token, DEMO_CARD_PICTURES)
    client.cookies.set(SESSION_COOKIE, response.cookies[SESSION_COOKIE])
    sam = demo_person(db_session, "Sam Taylor")
    [plan_id] = [member.plan_id for member in own_memberships(db_session, sam).values()]
    for path in ("/welcome", f"/plans/{plan_id}/my-views", f"/plans/{plan_id}/my-plan", f"/plans/{plan_id}"):
        page = client.get(path)
        assert page.status_code == 200, path
        header = page.text.split("<main", 1)[0]
        assert 'href="/welcome"' in header, path
        assert "Sign out" in header, path
        assert 'aria-label="Menu"' not in header, path
        assert "Alpha" not in text_of(header), path
        assert 'href="/plans"' not in header, path
    refused = client.get("/admin/people")
    assert refused.status_code == 403
    assert 'href="/welcome"' in refused.text.split("<main", 1)[0]
    assert "Alpha" not in text_of(refused.text.split("<main", 1)[0])
    home = client.get("/welcome").text
    assert [
        text_of(door) for door in re.findall(r'<a class="govuk-button oneplan-door"[^>]*>(.*?)</a>', home)
    ] == [
        "My plan",
        "My views",
    ]


# Who may make a card (issue 22, finding 5) ------------------------------------------------------


def test_an_administrator_cannot_make_a_childs_card_nor_sign_in_as_the_child(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    parent, child = _child_with_parent(db_session)
    _card(db_session, parent, child)
    csrf = sign_in_as(make_person(db_session, PersonRole.ADMINISTRATOR))
    assert client.get("/account/children").status_code == 403
    assert client.get(f"/account/children/{child.id}/sign-in-card").status_code == 403
    made = client.post(
        f"/account/children/{child.id}/sign-in-card",
        data={"csrf_token": csrf, "first": "cat", "second": "sun", "third": "boat"},
    )
    revoked = client.post(f"/account/children/{child.id}/sign-in-card/revoke", data={"csrf_token": csrf})
    assert (made.status_code, revoked.status_code) == (403, 403)
    cards = db_session.exec(select(ChildSignInCard).where(ChildSignInCard.child_id == child.id)).all()
    assert [card.revoked_at for card in cards] == [None], "the parent's card is the only one, and works"


def test_a_new_card_replacing_the_old_one_is_told_to_every_parent(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    parent, child = _child_with_parent(db_session)
    other_parent = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    db_session.add(FamilyLink(parent_id=id_of(other_parent), child_id=id_of(child)))
    db_session.flush()
    _card(db_session, parent, child)
    assert not db_session.exec(select(OutboxMessage)).all(), "a first card replaces nothing"
    csrf = sign_in_as(parent)
    response = client.post(
        f"/account/children/{child.id}/sign-in-card",
        data={"csrf_token": csrf, "first": "cat", "second": "sun", "third": "boat"},
    )
    assert response.status_code == 200
    messages = db_session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    assert sorted(message.recipient for message in messages) == sorted([parent.email, other_parent.email])
    assert all("new sign-in card" in message.subject for message in messages)
    assert all(f"{parent.display_name} has made a new sign-in card" in message.body for message in messages)
    assert all(child.display_name not in message.body for message in messages)
    created = _actions(db_session, "child_sign_in_card.created")[-1]
    assert created.details["replaced"] is True
    assert created.details["parents_told"] == [message.id for message in messages]


def test_alex_says_what_sam_calls_him_and_sams_pages_name_him_so(
    client: TestClient, db_session: Session, settings: Settings, sign_in_as: Callable[[Person], str]
) -> None:
    """The family link carries what the child calls the parent; Sam's who-can-see names Alex that way."""
    create_demo(db_session)
    alex, sam = demo_person(db_session, "Alex Taylor"), demo_person(db_session, "Sam Taylor")
    csrf = sign_in_as(alex)
    wrong = client.post(
        f"/account/children/{sam.id}/family-word", data={"csrf_token": csrf, "child_calls": "boss"}
    )
    check_page(wrong.text)
    assert "Choose what your child calls you" in text_of(wrong.text)
    saved = client.post(
        f"/account/children/{sam.id}/family-word",
        data={"csrf_token": csrf, "child_calls": "dad"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert 'value="dad" checked' in client.get("/account/children").text
    [event] = _actions(db_session, "family_link.named")
    assert event.details == {"child_calls": "dad"}

    csrf = sign_in_as(sam)
    [plan_id] = [member.plan_id for member in own_memberships(db_session, sam).values()]
    who = client.post(
        f"/plans/{plan_id}/my-views/new",
        data={"csrf_token": csrf, "step": "like", "answer_like": "Cats.", "go": "done"},
    )
    assert "Alex, your dad" in text_of(who.text)
