"""A parent's views: straight to any question, and a draft saved to finish later that is theirs alone."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent, Item, ItemKind, Person, ViewDraft
from tests.page_checks import check_page, whole_plan
from tests.test_plan_pages import plan_of, text_of

SignIn = Callable[[Person], str]
Demo = Callable[[str], Person]
WORRY = "Sam worries about the move to Year 5."


def test_alex_goes_straight_to_the_sixth_question(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Alex Taylor"))
    home = client.get(f"/plans/{plan.id}/my-views").text
    assert f'href="/plans/{plan.id}/my-views/new?question=team_know"' in home
    sixth = client.get(f"/plans/{plan.id}/my-views/new?question=team_know")
    check_page(sixth.text)
    page = text_of(sixth.text)
    assert "Question 6 of 8" in page
    assert "What do you want the team to know?" in page

    # From the first screen, the list of questions carries what is typed there along.
    first = client.get(f"/plans/{plan.id}/my-views/new").text
    assert first.count('name="go" value="change:') == 6
    jumped = client.post(
        f"/plans/{plan.id}/my-views/new",
        data={"csrf_token": csrf, "step": "like", "answer_like": "Trains.", "go": "change:team_know"},
    )
    check_page(jumped.text)
    assert "What do you want the team to know?" in jumped.text
    assert 'name="answer_like" value="Trains."' in jumped.text


def test_alexs_draft_is_saved_for_alex_alone_and_ends_when_sent(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    alex = demo("Alex Taylor")
    csrf = sign_in_as(alex)
    views_before = len(db_session.exec(select(Item).where(col(Item.kind) == ItemKind.VIEW.value)).all())
    saved = client.post(
        f"/plans/{plan.id}/my-views/new",
        data={
            "csrf_token": csrf,
            "step": "hard",
            "answer_hard": WORRY,
            "answer_like": "Trains.",
            "go": "save",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    home = client.get(saved.headers["location"])
    check_page(home.text)
    assert "Your answers are saved for you to finish later." in text_of(home.text)
    assert "Carry on with your saved answers" in text_of(home.text)

    draft = db_session.exec(select(ViewDraft).where(ViewDraft.person_id == alex.id)).one()
    assert draft.answers["answer_hard"] == WORRY
    [event] = db_session.exec(select(AuditEvent).where(AuditEvent.action == "views.draft_saved")).all()
    assert event.actor_id == alex.id
    assert event.details == {"plan_id": plan.id, "answers": 2}
    assert not db_session.exec(select(AuditEvent).where(AuditEvent.action == "views.sent")).first()
    assert (
        len(db_session.exec(select(Item).where(col(Item.kind) == ItemKind.VIEW.value)).all()) == views_before
    )

    again = client.get(f"/plans/{plan.id}/my-views/new?question=hard")
    assert f">{WORRY}</textarea>" in again.text
    assert 'name="answer_like" value="Trains."' in again.text

    for other in ("Priya Shah", "Sam Taylor"):
        sign_in_as(demo(other))
        assert WORRY not in whole_plan(client, plan.id)
    sign_in_as(demo("Sam Taylor"))
    assert WORRY not in client.get(f"/plans/{plan.id}/my-views/new").text

    csrf = sign_in_as(alex)
    sent = client.post(
        f"/plans/{plan.id}/my-views/new",
        data={**draft.answers, "csrf_token": csrf, "step": "check", "go": "send"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert db_session.exec(select(ViewDraft).where(ViewDraft.person_id == alex.id)).first() is None
    assert "Add your views" in text_of(client.get(f"/plans/{plan.id}/my-views").text)
