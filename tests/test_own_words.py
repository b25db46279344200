"""Each person's own words about an outcome at a review: the child's and every family member's kept
apart, verbatim and attributed; a person corrects only their own, and what they wrote before is kept."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.models import AuditEvent, Child, MemberRole, Person, PersonRole, Plan, PlanMember, PlanReview
from app.models.base import id_of
from app.services.auth.api_tokens import create_token
from app.services.plans import lifecycle, own_words, progress
from app.services.plans.access import plan_access
from tests.factories import make_person
from tests.plan_factories import events_since, last_event_id
from tests.test_review_progress import text_of

Demo = Callable[[str], Person]
SignIn = Callable[[Person], str]
ALEXS = "He talks about lunch now, not just the noise."
JORDANS = "At home he still says the hall is too loud."
ALEX_CORRECTED = "He talks about lunch now. The noise still tires him."


@pytest.fixture
def sam(db_session: Session, demo: Demo) -> Plan:
    child = demo("Sam Taylor")
    return db_session.exec(
        select(Plan).join(Child, col(Child.id) == col(Plan.child_id)).where(Child.person_id == child.id)
    ).one()


@pytest.fixture
def jordan(db_session: Session, sam: Plan) -> Person:
    """Sam's other parent, on his plan beside Alex."""
    person = make_person(db_session, PersonRole.PARENT_CARER)
    person.display_name = "Jordan Taylor"
    db_session.add(PlanMember(plan_id=id_of(sam), person_id=id_of(person), role=MemberRole.PARENT_CARER))
    db_session.flush()
    return person


@pytest.fixture
def review(db_session: Session, demo: Demo, sam: Plan) -> PlanReview:
    priya = Actor.command(demo("Priya Shah"))
    return lifecycle.record_review(
        db_session,
        priya,
        plan_access(db_session, priya, id_of(sam)),
        lifecycle.NewReview(held_on=uk_today(), participants="All", what_worked="Lunch", what_changes="Desk"),
    )


def _say(db: Session, person: Person, plan: Plan, review: PlanReview, item_id: int, words: str) -> None:
    actor = Actor.command(person)
    own_words.add_own_words(
        db,
        actor,
        plan_access(db, actor, id_of(plan)),
        review,
        [own_words.OwnWords(item_id=item_id, words=words)],
    )


def _first_outcome(db: Session, demo: Demo, plan: Plan) -> int:
    priya = Actor.command(demo("Priya Shah"))
    return id_of(progress.live_outcomes(db, plan_access(db, priya, id_of(plan)))[0].item)


def test_two_parents_words_are_kept_apart_and_a_correction_keeps_the_earlier_words(
    db_session: Session, demo: Demo, sam: Plan, jordan: Person, review: PlanReview
) -> None:
    outcome = _first_outcome(db_session, demo, sam)
    alex = demo("Alex Taylor")
    mark = last_event_id(db_session)
    _say(db_session, alex, sam, review, outcome, ALEXS)
    _say(db_session, jordan, sam, review, outcome, JORDANS)
    _say(db_session, alex, sam, review, outcome, ALEX_CORRECTED)
    _say(db_session, alex, sam, review, outcome, ALEX_CORRECTED)  # the same again writes nothing

    said = own_words.words_at(db_session, review)[outcome]
    assert [(one.person_id, one.name, one.by_child, one.words) for one in said] == [
        (alex.id, "Alex Taylor", False, ALEX_CORRECTED),
        (jordan.id, "Jordan Taylor", False, JORDANS),
    ]
    assert [earlier.words for earlier in said[0].earlier] == [ALEXS]
    assert said[1].earlier == []
    written = events_since(db_session, mark)
    assert [(event.action, event.actor_id, event.details["outcomes"]) for event in written] == [
        ("review.own_words_added", alex.id, [outcome]),
        ("review.own_words_added", jordan.id, [outcome]),
        ("review.own_words_corrected", alex.id, [outcome]),
    ]
    assert len(written[2].details["earlier_words"]) == 1
    assert not any(words in str([event.details for event in written]) for words in (ALEXS, JORDANS))


def test_the_child_and_both_parents_are_shown_by_name_at_the_review_and_over_time(
    client: TestClient,
    db_session: Session,
    demo: Demo,
    sign_in_as: SignIn,
    sam: Plan,
    jordan: Person,
    review: PlanReview,
) -> None:
    outcome = _first_outcome(db_session, demo, sam)
    _say(db_session, demo("Sam Taylor"), sam, review, outcome, "The library is quiet.")
    _say(db_session, demo("Alex Taylor"), sam, review, outcome, ALEXS)
    address = f"/plans/{sam.id}/reviews/{review.id}"
    csrf = sign_in_as(jordan)
    page = text_of(client.get(address).text)
    assert "What Sam says The library is quiet." in page
    assert f"What Alex Taylor (parent or carer) says {ALEXS}" in page
    sent = client.post(
        f"{address}/own-words",
        data={f"own_words_{outcome}": JORDANS, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    csrf = sign_in_as(demo("Alex Taylor"))
    mine = client.get(address).text
    assert f">{ALEXS}</textarea>" in mine, "Alex's own words wait in Alex's box to be corrected"
    assert f"What Jordan Taylor (parent or carer) says {JORDANS}" in text_of(mine)
    client.post(f"{address}/own-words", data={f"own_words_{outcome}": ALEX_CORRECTED, "csrf_token": csrf})

    priya = Actor.command(demo("Priya Shah"))
    access = plan_access(db_session, priya, id_of(sam))
    ratings = [
        progress.Rating(item_id=id_of(one.item), rating="some_progress")
        for one in progress.live_outcomes(db_session, access)
    ]
    progress.rate_outcomes(db_session, priya, access, review, ratings, finish=True)
    plan_page = text_of(client.get(f"/plans/{sam.id}").text)
    for shown in (
        "What Sam says The library is quiet.",
        f"What Alex Taylor says {ALEX_CORRECTED}",
        f"What Alex Taylor wrote before correcting it {uk_today():%-d %B %Y}: “{ALEXS}”",
        f"What Jordan Taylor says {JORDANS}",
    ):
        assert shown in plan_page
    frozen = text_of(client.get(address).text)
    assert f"What Jordan Taylor (parent or carer) says {JORDANS}" in frozen
    assert f"What you say {ALEX_CORRECTED}" in frozen, "Alex reads his own words as his"
    sign_in_as(demo("Sam Taylor"))  # the child reads the family named as he knows them
    sams = text_of(client.get(address).text)
    assert f"What Jordan, your mum, dad or carer says {JORDANS}" in sams
    assert "What Alex, your" in sams


def test_the_api_lists_each_persons_words_with_what_they_wrote_before(
    client: TestClient, db_session: Session, demo: Demo, sam: Plan, jordan: Person, review: PlanReview
) -> None:
    outcome = _first_outcome(db_session, demo, sam)

    def bearer(person: Person) -> dict[str, str]:
        _token, secret = create_token(db_session, Actor.command(), person, "own words test")
        return {"Authorization": f"Bearer {secret}"}

    alexs, jordans = bearer(demo("Alex Taylor")), bearer(jordan)
    put = f"/api/v1/plans/{sam.id}/reviews/{review.id}/outcomes/{outcome}/own-words"
    assert client.put(put, json={"words": ALEXS}, headers=alexs).status_code == 200
    assert client.put(put, json={"words": JORDANS}, headers=jordans).status_code == 200
    answer = client.put(put, json={"words": ALEX_CORRECTED}, headers=alexs)
    [first] = [one for one in answer.json()["outcomes"] if one["item_id"] == outcome]
    assert [
        (one["name"], one["words"], [e["words"] for e in one["earlier"]]) for one in first["own_words"]
    ] == [
        ("Alex Taylor", ALEX_CORRECTED, [ALEXS]),
        ("Jordan Taylor", JORDANS, []),
    ]
    corrected = db_session.exec(
        select(AuditEvent).where(AuditEvent.action == "review.own_words_corrected")
    ).all()
    assert [event.actor_id for event in corrected][-1:] == [demo("Alex Taylor").id]
