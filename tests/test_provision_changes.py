"""No silent change: agreed provision changes only with a reason, and the family is told and can reply.

Sam's SEN Support plan in the demo was kept as a version at its review, so its provision is agreed;
provision written after the review is not, and changes as any other item does.
"""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.actor import Actor
from app.models import (
    AuditEvent,
    AuditReason,
    Child,
    Item,
    ItemRevision,
    OutboxMessage,
    Person,
    Plan,
    ProvisionChange,
    ProvisionChangeKind,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
)
from app.services.auth.api_tokens import create_token
from app.services.plans import items
from app.services.plans.plans import SECTION_TITLES
from tests.page_checks import check_page
from tests.plan_factories import access_for
from tests.test_plan_pages import text_of

Lookup = Callable[[str], Person]
SignIn = Callable[[Person], str]

LUNCH = "A quiet place for lunch (the library)"
REASON = "The library is used for exams in June, so lunch moves to the nurture room."
NEW_WORDS = "A quiet place for lunch (the nurture room), with one friend Sam chooses, every school day."


@pytest.fixture
def sam(db_session: Session, demo: Lookup) -> Plan:
    child = demo("Sam Taylor")
    return db_session.exec(select(Plan).join(Child).where(col(Child.person_id) == child.id)).one()


def provision(db: Session, plan: Plan, words: str) -> Item:
    return db.exec(
        select(Item)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.plan_id) == plan.id, col(ItemRevision.text).contains(words))
    ).one()


def lunch_form(csrf: str, based_on: str, reason: str | None = None) -> dict[str, str]:
    form = {
        "csrf_token": csrf,
        "based_on": based_on,
        "text": NEW_WORDS,
        "delivered_by": "Lunchtime supervisor",
        "amount": "5",
        "unit": "sessions",
        "frequency": "week",
    }
    if reason is not None:
        form["reason"] = reason
    return form


def counts(db: Session, item: Item) -> tuple[int, int, int, int]:
    """Revisions of the item, changes of provision, item.revised events, mails: what a write adds."""
    return (
        db.exec(select(func.count()).select_from(ItemRevision).where(ItemRevision.item_id == item.id)).one(),
        db.exec(select(func.count()).select_from(ProvisionChange)).one(),
        db.exec(
            select(func.count()).select_from(AuditEvent).where(col(AuditEvent.action) == "item.revised")
        ).one(),
        db.exec(select(func.count()).select_from(OutboxMessage)).one(),
    )


def api_headers(db: Session, person: Person) -> dict[str, str]:
    _token, secret = create_token(db, Actor.command(), person, "provision change test")
    return {"Authorization": f"Bearer {secret}"}


def test_the_rule_agreed_is_provision_in_the_latest_frozen_version(
    db_session: Session, demo: Lookup, sam: Plan
) -> None:
    assert items.is_agreed(db_session, provision(db_session, sam, LUNCH))
    outcome = provision(db_session, sam, "three-step instruction")
    assert not items.is_agreed(db_session, outcome)  # in the version, but not provision
    assert not items.is_agreed(db_session, add_new_provision(db_session, demo, sam))


def test_the_page_refuses_a_change_of_agreed_provision_without_a_reason_and_writes_nothing(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn, sam: Plan
) -> None:
    lunch = provision(db_session, sam, LUNCH)
    csrf = sign_in_as(demo("Tom Baker"))
    form = client.get(f"/plans/{sam.id}/items/{lunch.id}/edit")
    assert form.status_code == 200
    check_page(form.text)
    assert "Why are you changing this provision?" in form.text
    before = counts(db_session, lunch)
    for reason in (None, "   "):
        response = client.post(f"/plans/{sam.id}/items/{lunch.id}", data=lunch_form(csrf, "1", reason))
        assert response.status_code == 200
        check_page(response.text)
        assert "Enter why you are changing this provision" in response.text
        assert 'href="#reason"' in response.text  # the error summary links to the field
        assert "the nurture room" in response.text  # what was typed is kept
    too_long = client.post(f"/plans/{sam.id}/items/{lunch.id}", data=lunch_form(csrf, "1", "x" * 501))
    assert "The reason must be 500 characters or fewer" in too_long.text
    assert counts(db_session, lunch) == before


def test_with_a_reason_the_change_is_kept_told_shown_and_answered(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn, sam: Plan
) -> None:
    lunch = provision(db_session, sam, LUNCH)
    tom, alex, priya = demo("Tom Baker"), demo("Alex Taylor"), demo("Priya Shah")
    csrf = sign_in_as(tom)
    revisions, changes, events, mails = counts(db_session, lunch)
    last_event = db_session.exec(select(func.max(AuditEvent.id))).one()
    response = client.post(
        f"/plans/{sam.id}/items/{lunch.id}", data=lunch_form(csrf, "1", REASON), follow_redirects=False
    )
    assert response.status_code == 303
    assert counts(db_session, lunch) == (revisions + 1, changes + 1, events + 1, mails + 2)
    [change] = db_session.exec(select(ProvisionChange)).all()
    assert (change.kind, change.item_id, change.reason, change.made_by_id) == (
        ProvisionChangeKind.CHANGED,
        lunch.id,
        REASON,
        tom.id,
    )
    assert (change.revision_before, change.revision_after) == (1, 2)
    written = db_session.exec(select(AuditEvent).where(col(AuditEvent.id) > last_event)).all()
    assert [event.action for event in written] == ["item.revised"]
    kept = db_session.get(AuditReason, written[0].id)
    assert (written[0].reason, kept.words if kept else None) == (None, REASON)
    assert written[0].details["change_id"] == change.id
    told = db_session.exec(
        select(OutboxMessage).where(col(OutboxMessage.subject).contains("has changed"))
    ).all()
    assert {mail.recipient for mail in told} == {alex.email, priya.email}
    for mail in told:
        assert sam.reference in mail.body
        assert f"/plans/{sam.id}/provision-changes/{change.id}" in mail.body
        assert "Sam" not in mail.body
        assert "exams" not in mail.body

    csrf = sign_in_as(alex)
    plan_page = client.get(f"/plans/{sam.id}")
    assert "Provision changed" in plan_page.text
    assert REASON in plan_page.text
    assert "By Tom Baker" in plan_page.text
    section = SECTION_TITLES[sam.kind][Section.F]
    assert f"{section}, from" in text_of(
        plan_page.text
    )  # the family reads the section's title, not its letter
    assert "Section F, from" not in text_of(plan_page.text)
    change_page = client.get(f"/plans/{sam.id}/provision-changes/{change.id}")
    assert change_page.status_code == 200
    check_page(change_page.text)
    assert "A provision has changed" in change_page.text
    assert "the library" in change_page.text  # the words agreed before
    assert "the nurture room" in change_page.text  # and the words now
    reply = client.post(
        f"/plans/{sam.id}/provision-changes/{change.id}/responses",
        data={"csrf_token": csrf, "text": "Sam knows the nurture room, that is fine."},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert "Sam knows the nurture room" in client.get(f"/plans/{sam.id}/provision-changes/{change.id}").text
    [answer_mail] = db_session.exec(
        select(OutboxMessage).where(col(OutboxMessage.subject).contains("The family replied"))
    ).all()
    assert "reply to the change of a provision" in answer_mail.body


def test_the_api_needs_a_reason_for_agreed_provision(
    client: TestClient, db_session: Session, demo: Lookup, sam: Plan
) -> None:
    lunch = provision(db_session, sam, LUNCH)
    headers = {**api_headers(db_session, demo("Tom Baker")), "If-Match": '"1"'}
    path = f"/api/v1/plans/{sam.id}/items/{lunch.id}"
    body = {"text": NEW_WORDS, "amount": 5, "unit": "sessions", "frequency": "week"}
    before = counts(db_session, lunch)
    for reason in ({}, {"reason": None}, {"reason": "  "}):
        refused = client.put(path, json=body | reason, headers=headers)
        assert refused.status_code == 422, refused.text
        assert [problem["loc"] for problem in refused.json()["detail"]] == [["body", "reason"]]
    assert client.put(path, json=body | {"reason": "x" * 501}, headers=headers).status_code == 422
    assert counts(db_session, lunch) == before
    saved = client.put(path, json=body | {"reason": REASON}, headers=headers)
    assert saved.status_code == 200, saved.text
    assert saved.headers["ETag"] == '"2"'
    revisions, changes, events, mails = before
    assert counts(db_session, lunch) == (revisions + 1, changes + 1, events + 1, mails + 2)
    [change] = db_session.exec(select(ProvisionChange)).all()
    assert (change.kind, change.reason, change.revision_after) == (ProvisionChangeKind.CHANGED, REASON, 2)


def add_new_provision(db: Session, demo: Lookup, plan: Plan) -> Item:
    tom = demo("Tom Baker")
    return items.add_item(
        db,
        Actor.command(tom),
        access_for(db, tom, plan),
        items.NewItem(
            section=Section.F,
            text="Ten minutes of reading with an adult, after lunch.",
            amount=10,
            unit=ProvisionUnit.MINUTES,
            frequency=ProvisionFrequency.DAY,
        ),
    )


def test_provision_not_yet_agreed_changes_without_a_reason(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn, sam: Plan
) -> None:
    fresh = add_new_provision(db_session, demo, sam)
    csrf = sign_in_as(demo("Tom Baker"))
    form = client.get(f"/plans/{sam.id}/items/{fresh.id}/edit")
    assert "Why are you changing this provision?" not in form.text
    revisions, changes, events, mails = counts(db_session, fresh)
    response = client.post(
        f"/plans/{sam.id}/items/{fresh.id}",
        data={**lunch_form(csrf, "1"), "text": "Fifteen minutes of reading with an adult, after lunch."},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert counts(db_session, fresh) == (revisions + 1, changes, events + 1, mails)
    headers = {**api_headers(db_session, demo("Tom Baker")), "If-Match": '"2"'}
    saved = client.put(
        f"/api/v1/plans/{sam.id}/items/{fresh.id}",
        json={"text": "Twenty minutes of reading with an adult, after lunch."},
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    assert counts(db_session, fresh) == (revisions + 2, changes, events + 2, mails)


def test_a_stale_save_of_agreed_provision_writes_nothing(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn, sam: Plan
) -> None:
    lunch = provision(db_session, sam, LUNCH)
    csrf = sign_in_as(demo("Tom Baker"))
    first = client.post(
        f"/plans/{sam.id}/items/{lunch.id}", data=lunch_form(csrf, "1", REASON), follow_redirects=False
    )
    assert first.status_code == 303
    before = counts(db_session, lunch)
    stale = client.post(f"/plans/{sam.id}/items/{lunch.id}", data=lunch_form(csrf, "1", "A second reason."))
    assert stale.status_code == 409
    assert "Someone saved this while you were editing" in stale.text
    assert "A second reason." in stale.text  # the reason is kept for the next save
    headers = {**api_headers(db_session, demo("Tom Baker")), "If-Match": '"1"'}
    refused = client.put(
        f"/api/v1/plans/{sam.id}/items/{lunch.id}",
        json={"text": NEW_WORDS, "reason": "A second reason."},
        headers=headers,
    )
    assert refused.status_code == 412
    assert counts(db_session, lunch) == before
