"""Structured provision through the plans API: each particular sent and answered, with its sentence;
what cannot be saved is a 422 naming the field, and a change is a revision with its audit event."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.actor import Actor
from app.clock import uk_today
from app.models import AuditEvent, Plan
from app.services.auth.api_tokens import create_token
from tests.test_plans_api import Demo, Events, Headers, first_loc, plan_of


@pytest.fixture
def as_person(db_session: Session, demo: Demo) -> Headers:
    def headers(name: str) -> dict[str, str]:
        _token, secret = create_token(db_session, Actor.command(), demo(name), "structured provision test")
        return {"Authorization": f"Bearer {secret}"}

    return headers


@pytest.fixture
def sam(db_session: Session, demo: Demo) -> Plan:
    return plan_of(db_session, "Sam Taylor")


@pytest.fixture
def events(db_session: Session, demo: Demo) -> Events:
    """The audit events of one action on one object, written during the test."""
    start = db_session.exec(select(func.max(AuditEvent.id))).one() or 0

    def written(action: str, object_id: int | None = None) -> list[AuditEvent]:
        query = select(AuditEvent).where(col(AuditEvent.id) > start, col(AuditEvent.action) == action)
        query = query.where(col(AuditEvent.object_id) == str(object_id))
        return list(db_session.exec(query.order_by(col(AuditEvent.id))))

    return written


STRUCTURED: dict[str, Any] = {
    "section": "F",
    "text": "Colourful Semantics to build sentences",
    "amount": 3,
    "unit": "sessions",
    "frequency": "week",
    "session_minutes": 30,
    "group_size": "one_to_one",
    "deliverer_role": "speech_and_language_therapist",
    "expertise": "trained in Colourful Semantics",
    "location": "the therapy room",
    "starts_on": "2027-01-04",
    "ends_on": "2027-07-16",
}
SENTENCE = (
    "30 minutes, 3 times a week, one to one, by a speech and language therapist trained in Colourful"
    " Semantics; in the therapy room; from 4 January 2027 to 16 July 2027."
)


def test_structured_provision_is_sent_and_answered_whole(
    client: TestClient, db_session: Session, as_person: Headers, sam: Plan, events: Events
) -> None:
    added = client.post(f"/api/v1/plans/{sam.id}/items", json=STRUCTURED, headers=as_person("Priya Shah"))
    assert added.status_code == 201
    body = added.json()
    assert {name: body[name] for name in STRUCTURED if name != "section"} == {
        name: value for name, value in STRUCTURED.items() if name != "section"
    }
    assert (body["group_of"], body["quantity"], body["sentence"]) == (None, "3 sessions a week", SENTENCE)
    read = client.get(added.headers["Location"], headers=as_person("Alex Taylor")).json()
    assert read["revisions"][0]["sentence"] == SENTENCE
    assert read["deliverer_role"] == "speech_and_language_therapist"
    [event] = events("item.added", body["id"])
    assert event.details["kind"] == "provision"


def test_a_change_of_a_particular_is_a_new_revision_with_its_event(
    client: TestClient, db_session: Session, as_person: Headers, sam: Plan, events: Events
) -> None:
    added = client.post(f"/api/v1/plans/{sam.id}/items", json=STRUCTURED, headers=as_person("Priya Shah"))
    path = added.headers["Location"]
    change = {name: value for name, value in STRUCTURED.items() if name != "section"}
    change |= {"group_size": "small_group", "group_of": 4}
    saved = client.put(path, json=change, headers={**as_person("Priya Shah"), "If-Match": '"1"'})
    assert saved.status_code == 200
    assert (saved.json()["group_size"], saved.json()["group_of"], saved.headers["ETag"]) == (
        "small_group",
        4,
        '"2"',
    )
    assert "in a small group of 4" in saved.json()["sentence"]
    [event] = events("item.revised", added.json()["id"])
    assert (event.details["revision_before"], event.details["revision"]) == (1, 2)
    changes = client.get(
        f"/api/v1/plans/{sam.id}/changes?since={uk_today().isoformat()}", headers=as_person("Priya Shah")
    )
    assert changes.status_code == 200
    [found] = [change for change in changes.json()["changes"] if change["item_id"] == added.json()["id"]]
    assert found["revision_before"] is None  # new today: compared with nothing, every particular is new
    assert {"label": "Group size", "before": "not given", "after": "Small group"} in found["particulars"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"session_minutes": 30.5}, "session_minutes"),
        ({"session_minutes": 0}, "session_minutes"),
        ({"session_minutes": "half an hour"}, "session_minutes"),
        ({"group_size": "a few"}, "group_size"),
        ({"group_size": "small_group", "group_of": 1}, "group_of"),
        ({"group_size": "one_to_one", "group_of": 4}, "group_of"),
        ({"deliverer_role": "wizard"}, "deliverer_role"),
        ({"expertise": "x" * 201}, "expertise"),
        ({"location": "the hall\x00"}, "location"),
        ({"ends_on": "2027-01-03"}, "ends_on"),
        ({"amount": 2.5}, "amount"),
    ],
)
def test_particulars_that_cannot_be_saved_are_named_in_a_422(
    client: TestClient, as_person: Headers, sam: Plan, change: dict[str, Any], field: str
) -> None:
    response = client.post(
        f"/api/v1/plans/{sam.id}/items", json=STRUCTURED | change, headers=as_person("Priya Shah")
    )
    assert first_loc(response) == (422, ["body", field])
    assert response.json()["detail"][0]["msg"]
