"""Reviews with progress per outcome: the team rates, the child and family add their own words, the
coordinator finishes the review once every outcome is rated, and the plan shows progress over time."""

import html
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.errors import Refused
from app.models import (
    AuditEvent,
    Child,
    Person,
    Plan,
    PlanReview,
    ProgressRating,
    ReviewProgress,
    Section,
)
from app.models.base import id_of
from app.permissions import PlanAccess
from app.services.auth.api_tokens import create_token
from app.services.plans import items, lifecycle, own_words, progress
from app.services.plans.access import plan_access
from tests.page_checks import check_page
from tests.plan_factories import events_since, last_event_id
from tests.query_count import counting_queries

Demo = Callable[[str], Person]
SignIn = Callable[[Person], str]
SAMS_WORDS = "I can do two steps now. The third one is hard."


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def sam(db_session: Session, demo: Demo) -> Plan:
    child = demo("Sam Taylor")
    return db_session.exec(
        select(Plan).join(Child, col(Child.id) == col(Plan.child_id)).where(Child.person_id == child.id)
    ).one()


def access_of(db: Session, demo: Demo, name: str, plan: Plan) -> tuple[Actor, PlanAccess]:
    actor = Actor.command(demo(name))
    return actor, plan_access(db, actor, id_of(plan))


def open_review(db: Session, demo: Demo, plan: Plan) -> PlanReview:
    actor, access = access_of(db, demo, "Priya Shah", plan)
    return lifecycle.record_review(
        db,
        actor,
        access,
        lifecycle.NewReview(
            held_on=uk_today(), participants="Alex, Sam, Priya, Tom", what_worked="Lunch", what_changes="Desk"
        ),
    )


def outcomes_of(db: Session, demo: Demo, plan: Plan) -> list[progress.Outcome]:
    return progress.live_outcomes(db, access_of(db, demo, "Priya Shah", plan)[1])


# The service -----------------------------------------------------------------------------------------


def test_the_team_rates_the_family_add_their_words_and_the_coordinator_finishes(
    db_session: Session, demo: Demo, sam: Plan
) -> None:
    review = open_review(db_session, demo, sam)
    first, second, third = outcomes_of(db_session, demo, sam)
    tom, toms = access_of(db_session, demo, "Tom Baker", sam)
    mark = last_event_id(db_session)
    progress.rate_outcomes(
        db_session,
        tom,
        toms,
        review,
        [
            progress.Rating(
                item_id=id_of(first.item), rating=ProgressRating.SOME_PROGRESS, words="Two steps"
            ),
            progress.Rating(item_id=id_of(second.item), rating=ProgressRating.ACHIEVED),
        ],
    )
    child, childs = access_of(db_session, demo, "Sam Taylor", sam)
    own_words.add_own_words(
        db_session, child, childs, review, [own_words.OwnWords(item_id=id_of(first.item), words=SAMS_WORDS)]
    )
    priya, priyas = access_of(db_session, demo, "Priya Shah", sam)
    with pytest.raises(progress.ProgressMissing) as missing:
        progress.finish_review(db_session, priya, priyas, review)
    assert [outcome.item.id for outcome in missing.value.missing] == [third.item.id]
    assert review.finished_at is None
    assert sam.cycle_number == 2

    progress.rate_outcomes(
        db_session,
        priya,
        priyas,
        review,
        [progress.Rating(item_id=id_of(third.item), rating=ProgressRating.NO_LONGER_RELEVANT)],
        finish=True,
    )
    assert review.finished_at is not None
    assert (sam.cycle_number, sam.version) == (3, 3)
    row = progress.progress_of(db_session, review)[id_of(first.item)]
    assert (row.rating, row.team_words) == (ProgressRating.SOME_PROGRESS, "Two steps")
    [said] = own_words.words_at(db_session, review)[id_of(first.item)]
    assert (said.person_id, said.by_child, said.words) == (id_of(child.person), True, SAMS_WORDS)
    written = events_since(db_session, mark)
    assert [(event.action, event.actor_id) for event in written] == [
        ("review.progress_rated", id_of(tom.person)),
        ("review.own_words_added", id_of(child.person)),
        ("review.finished", id_of(priya.person)),
    ]
    assert SAMS_WORDS not in str([event.details for event in written])
    # Each outcome's steps over time: the demo's review 11 days ago, then this one.
    steps = progress.progress_over_time(db_session, priyas)[id_of(first.item)]
    assert [(step.held_on, step.rating) for step in steps] == [
        (uk_today() - timedelta(days=11), ProgressRating.SOME_PROGRESS),
        (uk_today(), ProgressRating.SOME_PROGRESS),
    ]


def test_a_finished_review_is_frozen(db_session: Session, demo: Demo, sam: Plan) -> None:
    [finished] = db_session.exec(select(PlanReview).where(PlanReview.plan_id == sam.id)).all()
    assert finished.finished_at is not None
    outcome = outcomes_of(db_session, demo, sam)[0]
    tom, toms = access_of(db_session, demo, "Tom Baker", sam)
    alex, alexs = access_of(db_session, demo, "Alex Taylor", sam)
    rating = progress.Rating(item_id=id_of(outcome.item), rating=ProgressRating.ACHIEVED)
    with pytest.raises(Refused) as refused:
        progress.rate_outcomes(db_session, tom, toms, finished, [rating])
    assert refused.value.status_code == 409
    with pytest.raises(Refused) as refused:
        own_words.add_own_words(
            db_session, alex, alexs, finished, [own_words.OwnWords(item_id=id_of(outcome.item), words="Late")]
        )
    assert refused.value.status_code == 409
    assert progress.progress_of(db_session, finished)[id_of(outcome.item)].rating is (
        ProgressRating.SOME_PROGRESS
    )


def test_who_rates_and_who_adds_their_own_words(db_session: Session, demo: Demo, sam: Plan) -> None:
    review = open_review(db_session, demo, sam)
    outcome = outcomes_of(db_session, demo, sam)[0]
    rating = progress.Rating(item_id=id_of(outcome.item), rating=ProgressRating.ACHIEVED)
    said = own_words.OwnWords(item_id=id_of(outcome.item), words="Mine")
    for name in ("Alex Taylor", "Sam Taylor"):
        actor, access = access_of(db_session, demo, name, sam)
        with pytest.raises(Refused):
            progress.rate_outcomes(db_session, actor, access, review, [rating])
    for name in ("Tom Baker", "Dr Aisha Khan", "Priya Shah"):
        actor, access = access_of(db_session, demo, name, sam)
        with pytest.raises(Refused):
            own_words.add_own_words(db_session, actor, access, review, [said])
    tom, toms = access_of(db_session, demo, "Tom Baker", sam)
    with pytest.raises(Refused) as refused:
        progress.rate_outcomes(db_session, tom, toms, review, [], finish=True)
    assert refused.value.status_code == 403, "only the coordinator finishes"
    assert progress.progress_of(db_session, review) == {}


def test_only_one_review_is_open_at_a_time(db_session: Session, demo: Demo, sam: Plan) -> None:
    open_review(db_session, demo, sam)
    with pytest.raises(Refused) as refused:
        open_review(db_session, demo, sam)
    assert refused.value.status_code == 409


# The pages -------------------------------------------------------------------------------------------


def test_finishing_with_an_outcome_unrated_lists_it_and_keeps_what_was_typed(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    review = open_review(db_session, demo, sam)
    first, second, third = outcomes_of(db_session, demo, sam)
    csrf = sign_in_as(demo("Priya Shah"))
    address = f"/plans/{sam.id}/reviews/{review.id}"
    response = client.post(
        f"{address}/progress",
        data={
            f"rating_{first.item.id}": "good_progress",
            f"words_{first.item.id}": "He follows the checklist most days.",
            "finish": "yes",
            "csrf_token": csrf,
        },
    )
    assert response.status_code == 200
    check_page(response.text)
    assert "<title>Error: Review on" in response.text
    page = html.unescape(response.text)
    for missing in (second, third):
        assert (
            f'href="#rating_{missing.item.id}">Rate the progress towards “{missing.revision.text[:30]}'
            in page
        )
    assert f'href="#rating_{first.item.id}"' not in page
    assert 'value="good_progress" checked' in page
    assert ">He follows the checklist most days.</textarea>" in page
    db_session.refresh(review)
    assert review.finished_at is None
    assert progress.progress_of(db_session, review) == {}, "nothing is written when finishing is refused"


def test_sam_adds_his_own_words_and_the_plan_shows_progress_over_time(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    review = open_review(db_session, demo, sam)
    outcomes = outcomes_of(db_session, demo, sam)
    address = f"/plans/{sam.id}/reviews/{review.id}"
    csrf = sign_in_as(demo("Sam Taylor"))
    mark = last_event_id(db_session)
    page = client.get(address)
    check_page(page.text)
    [read] = events_since(db_session, mark)
    assert (read.action, read.actor_id, read.details["review_id"]) == (
        "plan.progress_read",
        demo("Sam Taylor").id,
        review.id,
    )
    assert "What do you think?" in page.text
    assert 'name="rating_' not in page.text, "the child does not rate"
    answer = client.post(
        f"{address}/own-words",
        data={f"own_words_{outcomes[0].item.id}": SAMS_WORDS, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    csrf = sign_in_as(demo("Priya Shah"))
    ratings = {f"rating_{outcome.item.id}": "achieved" for outcome in outcomes}
    done = client.post(f"{address}/progress", data={**ratings, "finish": "yes", "csrf_token": csrf})
    assert done.status_code == 200  # followed to the plan
    sign_in_as(demo("Alex Taylor"))
    plan_page = client.get(f"/plans/{sam.id}")
    check_page(plan_page.text)
    shown = text_of(plan_page.text)
    assert "Progress towards each outcome" in shown
    assert f"What Sam says {SAMS_WORDS}" in shown
    assert "Some progress" in shown
    assert "Achieved" in shown
    frozen = client.get(address)
    assert "Its record cannot change" in text_of(frozen.text)
    assert "<textarea" not in frozen.text


# The API ---------------------------------------------------------------------------------------------


def _bearer(db: Session, person: Person) -> dict[str, str]:
    _token, secret = create_token(db, Actor.command(), person, "progress test")
    return {"Authorization": f"Bearer {secret}"}


def test_the_api_carries_the_ratings_and_refuses_finishing_with_the_outcomes_missing(
    client: TestClient, db_session: Session, demo: Demo, sam: Plan
) -> None:
    review = open_review(db_session, demo, sam)
    first, second, third = outcomes_of(db_session, demo, sam)
    tom, priya, sams = (_bearer(db_session, demo(name)) for name in ("Tom Baker", "Priya Shah", "Sam Taylor"))
    base = f"/api/v1/plans/{sam.id}/reviews/{review.id}"
    rated = client.put(
        f"{base}/outcomes/{first.item.id}/progress",
        json={"rating": "good_progress", "words": "Yes"},
        headers=tom,
    )
    assert rated.status_code == 200
    said = client.put(f"{base}/outcomes/{first.item.id}/own-words", json={"words": SAMS_WORDS}, headers=sams)
    assert said.json()["outcomes"][0] == {
        "item_id": first.item.id,
        "outcome": first.revision.text,
        "rating": "good_progress",
        "team_words": "Yes",
        "own_words": [
            {
                "id": said.json()["outcomes"][0]["own_words"][0]["id"],
                "person_id": demo("Sam Taylor").id,
                "name": "Sam Taylor",
                "by_child": True,
                "words": SAMS_WORDS,
                "written_at": said.json()["outcomes"][0]["own_words"][0]["written_at"],
                "earlier": [],
            }
        ],
    }
    refused = client.post(f"{base}/finish", headers=priya)
    assert refused.status_code == 409
    assert refused.json()["missing_outcomes"] == [second.item.id, third.item.id]
    assert (
        client.put(
            f"{base}/outcomes/{first.item.id}/progress", json={"rating": "great"}, headers=tom
        ).status_code
        == 422
    )
    not_an_outcome = client.put(f"{base}/outcomes/1/progress", json={"rating": "achieved"}, headers=tom)
    assert not_an_outcome.status_code == 422
    for outcome in (second, third):
        client.put(f"{base}/outcomes/{outcome.item.id}/progress", json={"rating": "achieved"}, headers=priya)
    finished = client.post(f"{base}/finish", headers=priya)
    assert finished.status_code == 200
    assert finished.json()["finished_at"] is not None
    over_time = client.get(f"/api/v1/plans/{sam.id}/progress", headers=sams).json()
    first_steps = next(entry for entry in over_time if entry["item_id"] == first.item.id)["progress"]
    assert [step["rating"] for step in first_steps] == ["some_progress", "good_progress"]
    reads = db_session.exec(select(AuditEvent).where(AuditEvent.action == "plan.progress_read")).all()
    assert len(reads) == 1


# Query counts ----------------------------------------------------------------------------------------


def test_the_plan_page_costs_the_same_queries_with_more_reviews_and_outcomes(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    priya, priyas = access_of(db_session, demo, "Priya Shah", sam)

    def another_review(new_outcome: str | None) -> None:
        if new_outcome:
            items.add_item(db_session, priya, priyas, items.NewItem(section=Section.E, text=new_outcome))
        review = open_review(db_session, demo, sam)
        ratings = [
            progress.Rating(item_id=id_of(outcome.item), rating=ProgressRating.GOOD_PROGRESS)
            for outcome in progress.live_outcomes(db_session, priyas)
        ]
        progress.rate_outcomes(db_session, priya, priyas, review, ratings, finish=True)

    sign_in_as(demo("Alex Taylor"))
    address = f"/plans/{sam.id}"
    client.get(address)  # each counted look below comes after a change since the last look
    another_review(None)
    with counting_queries() as before:
        few = client.get(address)
    for number in range(3):
        another_review(f"Outcome {number}")
    assert len(db_session.exec(select(ReviewProgress)).all()) == 3 + 3 + 4 + 5 + 6
    with counting_queries() as after:
        many = client.get(address)
    assert few.text.count("<caption") == 3
    assert many.text.count("<caption") == 6, "each outcome's progress over time"
    assert after.count == before.count, set(after.statements) ^ set(before.statements)


def test_a_finished_review_shows_the_outcomes_it_rated_not_ones_added_since(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    [finished] = db_session.exec(select(PlanReview).where(PlanReview.plan_id == sam.id)).all()
    priya, priyas = access_of(db_session, demo, "Priya Shah", sam)
    items.add_item(db_session, priya, priyas, items.NewItem(section=Section.E, text="Swims a width"))
    sign_in_as(demo("Alex Taylor"))
    page = client.get(f"/plans/{sam.id}/reviews/{finished.id}")
    check_page(page.text)
    shown = text_of(page.text)
    assert "Swims a width" not in shown
    assert shown.count("Outcome: ") == 3
    assert "Good progress" in shown
    assert "The library is much better. It is quiet." in shown


def test_an_ehc_annual_review_is_rated_and_finished_without_a_new_version(
    db_session: Session, demo: Demo
) -> None:
    ella = demo("Ella Morris")
    plan = db_session.exec(
        select(Plan).join(Child, col(Child.id) == col(Plan.child_id)).where(Child.person_id == ella.id)
    ).one()
    morgan, morgans = access_of(db_session, demo, "Morgan Price", plan)
    version, status = plan.version, plan.status
    review = lifecycle.record_review(
        db_session,
        morgan,
        morgans,
        lifecycle.NewReview(
            held_on=uk_today(), participants="All", what_worked="Bus", what_changes="College"
        ),
    )
    outcomes = progress.live_outcomes(db_session, morgans)
    assert outcomes, "Ella's plan has outcomes to rate"
    with pytest.raises(progress.ProgressMissing):
        progress.finish_review(db_session, morgan, morgans, review)
    ratings = [
        progress.Rating(item_id=id_of(outcome.item), rating=ProgressRating.GOOD_PROGRESS)
        for outcome in outcomes
    ]
    progress.rate_outcomes(db_session, morgan, morgans, review, ratings, finish=True)
    assert review.finished_at is not None
    assert (plan.version, plan.status) == (version, status)


def test_while_a_review_is_open_the_coordinator_is_sent_to_it_rather_than_a_new_one(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    review = open_review(db_session, demo, sam)
    sign_in_as(demo("Priya Shah"))
    page = client.get(f"/plans/{sam.id}/reviews/new")
    check_page(page.text)
    assert f'href="/plans/{sam.id}/reviews/{review.id}"' in page.text
    assert "Save the review" not in page.text
    outline = text_of(client.get(f"/plans/{sam.id}").text)
    assert "This review is open: progress towards each outcome" in outline


def test_own_words_too_long_are_shown_beside_their_box_and_kept(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    review = open_review(db_session, demo, sam)
    outcome = outcomes_of(db_session, demo, sam)[0]
    csrf = sign_in_as(demo("Alex Taylor"))
    words = "Lunch is calmer now. " * 100
    response = client.post(
        f"/plans/{sam.id}/reviews/{review.id}/own-words",
        data={f"own_words_{outcome.item.id}": words, "csrf_token": csrf},
    )
    assert response.status_code == 200
    check_page(response.text)
    page = html.unescape(response.text)
    message = "Your words about this outcome must be 2,000 characters or fewer"
    assert f'href="#own_words_{outcome.item.id}">{message}' in page
    assert words.strip() in page
    assert progress.progress_of(db_session, review) == {}
