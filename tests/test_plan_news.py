"""What is new since you last looked: each person's own mark per plan, moved only by their own look."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.actor import Actor
from app.models import Item, Person, Section
from app.models.seen import PlanSeen
from app.services.plans import items, seen
from app.services.plans.access import plan_access
from tests.test_plan_pages import plan_of, text_of

SignIn = Callable[[Person], str]
Demo = Callable[[str], Person]

NOTHING_NEW = "New since you last looked Nothing new from anyone else since you last looked."
ONE_COMMENT = "New since you last looked 1 new comment What changed, word by word"


def news_on(client: TestClient, plan_id: int) -> str | None:
    """The "new since you last looked" part of the plan page, as words (None: not shown)."""
    page = client.get(f"/plans/{plan_id}").text
    if 'id="news"' not in page:
        return None
    return text_of(page.split('id="news"', 1)[1].split("</section>", 1)[0].split(">", 1)[1])


def comment_as(db: Session, person: Person, plan_id: int, section: Section, words: str) -> None:
    actor = Actor.command(person)
    item = db.exec(select(Item).where(Item.plan_id == plan_id, Item.section == section)).first()
    assert item is not None
    items.add_comment(db, actor, plan_access(db, actor, plan_id), item, words)
    db.commit()


def test_one_person_looking_does_not_mark_the_plan_seen_for_another(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    priya, alex = demo("Priya Shah"), demo("Alex Taylor")
    for person in (priya, alex):
        sign_in_as(person)
        assert news_on(client, plan.id) is None  # never looked before: nothing to compare with
    comment_as(db_session, demo("Dr Aisha Khan"), plan.id, Section.E, "Could we say which term?")

    sign_in_as(priya)
    assert news_on(client, plan.id) == ONE_COMMENT
    assert news_on(client, plan.id) == NOTHING_NEW
    sign_in_as(alex)
    assert news_on(client, plan.id) == ONE_COMMENT
    marks = db_session.exec(select(PlanSeen).where(PlanSeen.plan_id == plan.id)).all()
    assert sorted(mark.person_id for mark in marks) == sorted([priya.id, alex.id])


def test_what_a_person_did_themselves_is_not_new_to_them(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    priya = demo("Priya Shah")
    sign_in_as(priya)
    news_on(client, plan.id)
    comment_as(db_session, priya, plan.id, Section.E, "Agreed at the meeting.")
    assert news_on(client, plan.id) == NOTHING_NEW


def test_looking_again_at_an_unchanged_plan_writes_nothing(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Alex Taylor"))
    news_on(client, plan.id)
    first = db_session.exec(select(PlanSeen).where(PlanSeen.plan_id == plan.id)).one()
    seen_at = first.seen_at
    news_on(client, plan.id)
    db_session.refresh(first)
    assert first.seen_at == seen_at


def dashboard_news_of(client: TestClient) -> str:
    page = client.get("/dashboard").text
    return text_of(page.split('id="plans-news-title"', 1)[1].split("</section>", 1)[0])


def test_alex_s_dashboard_shows_the_shortfall_and_what_changed_since_he_looked(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    alex, priya = demo("Alex Taylor"), demo("Priya Shah")
    sign_in_as(alex)
    before = dashboard_news_of(client)
    assert "Sam got less help than the plan promises: 1:1 support from a teaching" in before
    assert "You have not opened this plan yet." in before
    news_on(client, plan.id)
    sign_in_as(priya)
    news_on(client, plan.id)
    comment_as(db_session, demo("Dr Aisha Khan"), plan.id, Section.E, "Could we say which term?")

    sign_in_as(alex)
    assert "New since you last looked: 1 new comment" in dashboard_news_of(client)
    news_on(client, plan.id)
    assert "Nothing new since you last looked." in dashboard_news_of(client)
    sign_in_as(priya)
    priya_sees = dashboard_news_of(client)
    assert "New since you last looked: 1 new comment" in priya_sees
    assert "got less help" not in priya_sees  # the shortfall is on her plan page and her delivery pages


def test_two_first_looks_at_once_keep_one_mark(db_session: Session, demo: Demo) -> None:
    """Two tabs opening the plan together both find no mark and both write it: one mark stays."""
    priya = Actor.command(demo("Priya Shah"))
    plan = plan_of(db_session, "Sam Taylor")
    access = plan_access(db_session, priya, plan.id or 0)

    seen.mark_seen(db_session, access, None)
    seen.mark_seen(db_session, access, None)
    db_session.flush()

    marks = db_session.exec(
        select(PlanSeen).where(PlanSeen.person_id == priya.signed_in().id, PlanSeen.plan_id == plan.id)
    ).all()
    assert [mark.stamp for mark in marks] == [plan.content_stamp]
