"""The plan's outline is kept between looks (app.page_cache) and never shown stale, nor to anyone else."""

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent, Item, Person, Plan, Section
from app.page_cache import PageCache
from tests.test_plan_pages import plan_of, text_of

SignIn = Callable[[Person], str]
Demo = Callable[[str], Person]


def stamp_of(db: Session, plan: Plan) -> str:
    db.refresh(plan)
    return plan.content_stamp


def main_of(html: str) -> str:
    """The page below the header (whose sign-out form carries a CSRF token masked afresh each time)."""
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def section_counts(html: str, section: Section) -> str:
    """What the contents list says of a section ("3 items, 2 comments")."""
    entry = html.split(f'/sections/{section.value}"', 1)[1].split("</li>", 1)[0]
    return text_of(re.sub(r"^[^>]*>", "", entry))


def test_a_change_renews_the_plan_s_stamp_and_a_look_does_not(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    plan = plan_of(db_session, "Sam Taylor")
    before = stamp_of(db_session, plan)
    assert client.get(f"/plans/{plan.id}").status_code == 200
    assert client.get(f"/plans/{plan.id}/sections/E").status_code == 200
    assert stamp_of(db_session, plan) == before
    item = db_session.exec(select(Item).where(Item.plan_id == plan.id, Item.section == Section.E)).first()
    assert item is not None
    response = client.post(
        f"/plans/{plan.id}/items/{item.id}/comments",
        data={"csrf_token": csrf, "comment": "Agreed at the meeting."},
    )
    assert response.status_code in {200, 303}
    assert stamp_of(db_session, plan) != before


def test_the_outline_shows_a_change_at_once_though_it_was_kept(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    plan = plan_of(db_session, "Sam Taylor")
    item = db_session.exec(select(Item).where(Item.plan_id == plan.id, Item.section == Section.E)).first()
    assert item is not None
    client.get(f"/plans/{plan.id}")  # a first look: from now on the page says what is new since
    first = client.get(f"/plans/{plan.id}").text
    assert main_of(client.get(f"/plans/{plan.id}").text) == main_of(first)  # kept: the same outline again
    client.post(
        f"/plans/{plan.id}/items/{item.id}/comments", data={"csrf_token": csrf, "comment": "One more."}
    )
    counts_before = section_counts(first, Section.E)
    counts_after = section_counts(client.get(f"/plans/{plan.id}").text, Section.E)
    comments = [int(number) for number in re.findall(r"(\d+) comments?", counts_before)] or [0]
    assert f"{comments[0] + 1} comment" in counts_after, (counts_before, counts_after)


def test_each_reader_gets_the_outline_made_for_them(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    """Priya coordinates Sam's plan, Tom teaches him, Rita audits it: one plan, one stamp, three outlines."""
    plan = plan_of(db_session, "Sam Taylor")
    stage_link = f'href="/plans/{plan.id}/stage"'
    sign_in_as(demo("Priya Shah"))
    assert stage_link in client.get(f"/plans/{plan.id}").text
    sign_in_as(demo("Tom Baker"))
    tom_sees = client.get(f"/plans/{plan.id}").text
    assert stage_link not in tom_sees
    assert "You are reading this plan as an audit officer" not in tom_sees
    sign_in_as(demo("Rita Okafor"))
    assert "You are reading this plan as an audit officer" in client.get(f"/plans/{plan.id}").text
    sign_in_as(demo("Priya Shah"))
    assert stage_link in client.get(f"/plans/{plan.id}").text


def test_every_look_is_audited_whether_worked_out_or_kept(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    alex = demo("Alex Taylor")
    sign_in_as(alex)
    plan = plan_of(db_session, "Sam Taylor")

    def reads() -> int:
        return len(
            db_session.exec(
                select(AuditEvent.id).where(
                    AuditEvent.action == "plan.read",
                    AuditEvent.actor_id == alex.id,
                    col(AuditEvent.plan_id) == plan.id,
                )
            ).all()
        )

    before = reads()
    for _ in range(3):
        assert client.get(f"/plans/{plan.id}").status_code == 200
    assert reads() == before + 3


def test_the_plan_api_answers_a_change_at_once_though_it_kept_the_plan(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    plan = plan_of(db_session, "Sam Taylor")
    item = db_session.exec(select(Item).where(Item.plan_id == plan.id, Item.section == Section.E)).first()
    assert item is not None

    def comments_on_the_item() -> list[str]:
        whole = client.get(f"/api/v1/plans/{plan.id}").json()
        found = [
            entry for section in whole["sections"] for entry in section["items"] if entry["id"] == item.id
        ]
        return [comment["text"] for comment in found[0]["comments"]]

    before = comments_on_the_item()
    assert comments_on_the_item() == before  # kept
    added = client.post(
        f"/api/v1/plans/{plan.id}/items/{item.id}/comments",
        json={"text": "Seen by the speech and language therapist."},
        headers={"X-CSRF-Token": csrf},
    )
    assert added.status_code == 201, added.text
    assert comments_on_the_item() == [*before, "Seen by the speech and language therapist."]


def test_many_readers_of_a_part_being_made_wait_for_it_rather_than_make_it_again() -> None:
    """Sixteen people opening a large plan just changed: its outline is worked out once, not sixteen times."""
    cache = PageCache()
    readers = 8
    arrived = threading.Semaphore(0)
    makes: list[int] = []

    def make() -> object:
        makes.append(1)
        for _ in range(readers - 1):  # hold the making until every reader has asked
            assert arrived.acquire(timeout=10)
        return object()

    def read() -> object:
        arrived.release()
        return cache.part("outline", make)

    with ThreadPoolExecutor(readers) as pool:
        parts = list(pool.map(lambda _number: read(), range(readers)))
    assert len(makes) == 1
    assert all(part is parts[0] for part in parts)


def test_a_part_that_failed_to_be_made_is_made_by_the_next_reader() -> None:
    cache = PageCache()

    def fail() -> object:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        cache.part("outline", fail)
    assert cache.part("outline", lambda: "made") == "made"
