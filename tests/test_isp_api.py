"""The Individual Support Plan through the API: the reason is required (422 without), the layer's
history reads back oldest first, and only the coordinator changes it."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.models import AuditEvent, Child, Person, Plan
from app.services.auth.api_tokens import create_token

Demo = Callable[[str], Person]
Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def as_person(db_session: Session, demo: Demo) -> Headers:
    def headers(name: str) -> dict[str, str]:
        _token, secret = create_token(db_session, Actor.command(), demo(name), "isp api test")
        return {"Authorization": f"Bearer {secret}"}

    return headers


@pytest.fixture
def sam(db_session: Session) -> Plan:
    return db_session.exec(
        select(Plan)
        .join(Child, col(Child.id) == col(Plan.child_id))
        .where(col(Child.full_name) == "Sam Taylor")
    ).one()


def test_an_isp_through_the_api(
    client: TestClient, db_session: Session, demo: Demo, as_person: Headers, sam: Plan
) -> None:
    priya = as_person("Priya Shah")
    body = {
        "layer": "targeted",
        "reason": "Needs met in class",
        "duty_holder_id": demo("Priya Shah").id,
        "next_review_on": (uk_today() + timedelta(days=30)).isoformat(),
    }
    unsaid = client.post(f"/api/v1/plans/{sam.id}/support-plan", json={**body, "reason": ""}, headers=priya)
    assert (unsaid.status_code, unsaid.json()["detail"][0]["loc"]) == (422, ["body", "reason"])
    not_staff = {**body, "duty_holder_id": demo("Alex Taylor").id}
    refused = client.post(f"/api/v1/plans/{sam.id}/support-plan", json=not_staff, headers=priya)
    assert (refused.status_code, refused.json()["detail"][0]["loc"]) == (422, ["body", "duty_holder_id"])
    parent = client.post(f"/api/v1/plans/{sam.id}/support-plan", json=body, headers=as_person("Alex Taylor"))
    assert parent.status_code == 403

    made = client.post(f"/api/v1/plans/{sam.id}/support-plan", json=body, headers=priya)
    assert made.status_code == 200
    assert made.json() | {"next_review_on": None} == {
        "plan_id": sam.id,
        "kind": "isp",
        "kind_name": "Individual Support Plan",
        "support_layer": "targeted",
        "support_layer_name": "Targeted",
        "duty_holder_id": demo("Priya Shah").id,
        "next_review_on": None,
    }
    again = client.post(f"/api/v1/plans/{sam.id}/support-plan", json=body, headers=priya)
    assert again.status_code == 409

    no_reason = client.post(f"/api/v1/plans/{sam.id}/layers", json={"layer": "specialist"}, headers=priya)
    assert (no_reason.status_code, no_reason.json()["detail"][0]["loc"]) == (422, ["body", "reason"])
    for layer, reason in [("specialist", "Assessment agreed"), ("targeted_plus", "Plan not issued; therapy")]:
        moved = client.post(
            f"/api/v1/plans/{sam.id}/layers", json={"layer": layer, "reason": reason}, headers=priya
        )
        assert moved.status_code == 201
    history = client.get(f"/api/v1/plans/{sam.id}/layers", headers=as_person("Alex Taylor"))
    assert [(step["previous_layer"], step["layer"], step["reason"]) for step in history.json()] == [
        (None, "targeted", "Needs met in class"),
        ("targeted", "specialist", "Assessment agreed"),
        ("specialist", "targeted_plus", "Plan not issued; therapy"),
    ]
    whole = client.get(f"/api/v1/plans/{sam.id}", headers=priya).json()
    assert (whole["kind"], whole["support_layer"]) == ("isp", "targeted_plus")
    actions = db_session.exec(select(AuditEvent.action).where(col(AuditEvent.plan_id) == sam.id)).all()
    assert {"plan.kind_changed", "plan.layer_changed", "plan.layers_read"} <= set(actions)
