"""Concerns on the pages and through the API: the family raises one from the plan page, the setting
answers, each sees where it stands (the plan's "Concerns" part and "Needs attention"), and what cannot be
done is refused with its reason (the GOV.UK error summary on a page, 4xx JSON through the API)."""

import re
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.actor import Actor
from app.models import Person, Plan, PlanConcern
from app.services.auth.api_tokens import create_token
from tests.test_plan_attention import attention_of
from tests.test_plan_pages import error_summary, plan_of, text_of

Demo = Callable[[str], Person]
SignIn = Callable[[Person], str]
SPEECH = "Sam has not had his speech and language therapy since half term."


@pytest.fixture
def sam(db_session: Session) -> Plan:
    return plan_of(db_session, "Sam Taylor")


def api_headers(db: Session, person: Person) -> dict[str, str]:
    _token, secret = create_token(db, Actor.command(person), person, "concerns test")
    return {"Authorization": f"Bearer {secret}"}


def newest_concern(db: Session, plan: Plan) -> PlanConcern:
    return db.exec(
        select(PlanConcern).where(PlanConcern.plan_id == plan.id).order_by(PlanConcern.id.desc())
    ).first()  # type: ignore[union-attr, return-value]


def test_alex_is_told_what_is_missing_from_a_concern(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Alex Taylor"))
    assert "Raise a concern with the setting" in client.get(f"/plans/{sam.id}").text
    assert client.get(f"/plans/{sam.id}/concerns/new").status_code == 200
    empty = client.post(f"/plans/{sam.id}/concerns", data={"csrf_token": csrf, "words": ""})
    assert empty.status_code == 200
    assert error_summary(empty.text) == [
        ("about", "Select what your concern is about"),
        ("words", "Enter your concern"),
    ]
    no_part = client.post(
        f"/plans/{sam.id}/concerns", data={"csrf_token": csrf, "about": "section", "words": SPEECH}
    )
    assert error_summary(no_part.text) == [("section", "Select the part of the plan your concern is about")]
    assert SPEECH in no_part.text, "what was typed is kept"
    assert newest_concern(db_session, sam) is None


def test_alex_raises_priya_answers_and_each_sees_where_it_stands(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Alex Taylor"))
    raised = client.post(
        f"/plans/{sam.id}/concerns",
        data={"csrf_token": csrf, "about": "delivery", "words": SPEECH},
        follow_redirects=False,
    )
    concern = newest_concern(db_session, sam)
    assert raised.status_code == 303
    assert raised.headers["location"] == f"/plans/{sam.id}/concerns/{concern.id}"
    page = text_of(client.get(raised.headers["location"]).text)
    assert SPEECH in page
    assert "Waiting for the setting's answer" in page
    assert "The setting has until" in page, "Alex is told when a complaint becomes possible"

    csrf = sign_in_as(demo("Priya Shah"))
    plan_page = client.get(f"/plans/{sam.id}").text
    assert (f"/plans/{sam.id}/concerns/{concern.id}") in [href for href, _ in attention_of(plan_page)]
    empty = client.post(
        f"/plans/{sam.id}/concerns/{concern.id}/answer", data={"csrf_token": csrf, "words": " "}
    )
    assert error_summary(empty.text) == [("words", "Enter your answer")]
    answer = "The therapist was ill. Sessions restart on Monday, with two extra to catch up."
    done = client.post(
        f"/plans/{sam.id}/concerns/{concern.id}/answer",
        data={"csrf_token": csrf, "words": answer},
        follow_redirects=False,
    )
    assert done.status_code == 303

    sign_in_as(demo("Alex Taylor"))
    entries = attention_of(client.get(f"/plans/{sam.id}").text)
    assert (
        f"/plans/{sam.id}/concerns/{concern.id}",
        "The setting answered your concern: tell them whether it is resolved.",
    ) in entries
    shown = text_of(client.get(f"/plans/{sam.id}/concerns/{concern.id}").text)
    assert answer in shown
    assert "Priya Shah" in shown


def test_other_agencies_on_the_plan_find_no_concerns(
    client: TestClient, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    sign_in_as(demo("Dr Aisha Khan"))
    assert client.get(f"/plans/{sam.id}/concerns").status_code == 404
    assert 'id="concerns"' not in client.get(f"/plans/{sam.id}").text


def test_a_complaint_too_early_is_refused_with_the_reason(
    client: TestClient, db_session: Session, demo: Demo, sam: Plan
) -> None:
    alex = api_headers(db_session, demo("Alex Taylor"))
    raised = client.post(
        f"/api/v1/plans/{sam.id}/concerns", json={"about": "delivery", "words": SPEECH}, headers=alex
    )
    assert raised.status_code == 201
    body = raised.json()
    assert (body["status"], body["answer_days"], body["words"]) == ("awaiting_answer", 10, SPEECH)
    early = client.post(
        f"/api/v1/plans/{sam.id}/concerns/{body['id']}/complaint", json={"words": "No answer"}, headers=alex
    )
    assert early.status_code == 409
    assert early.json()["detail"].startswith("The setting has until")


def test_the_api_refuses_with_reasons(client: TestClient, db_session: Session, demo: Demo, sam: Plan) -> None:
    alex, priya = api_headers(db_session, demo("Alex Taylor")), api_headers(db_session, demo("Priya Shah"))
    missing = client.post(
        f"/api/v1/plans/{sam.id}/concerns", json={"about": "section", "words": SPEECH}, headers=alex
    )
    assert missing.status_code == 422
    assert missing.json()["detail"] == [
        {
            "loc": ["body", "section"],
            "msg": "Select the part of the plan your concern is about",
            "type": "value_error",
        }
    ]
    not_family = client.post(
        f"/api/v1/plans/{sam.id}/concerns", json={"about": "delivery", "words": SPEECH}, headers=priya
    )
    assert not_family.status_code == 403
    assert not_family.json()["detail"].startswith("The family on the plan raises a concern")
    concern = client.post(
        f"/api/v1/plans/{sam.id}/concerns", json={"about": "delivery", "words": SPEECH}, headers=alex
    ).json()
    by_family = client.post(
        f"/api/v1/plans/{sam.id}/concerns/{concern['id']}/answer", json={"words": "Fine"}, headers=alex
    )
    assert (by_family.status_code, by_family.json()["detail"]) == (
        403,
        "The setting's staff on the plan answer a concern.",
    )
    answered = client.post(
        f"/api/v1/plans/{sam.id}/concerns/{concern['id']}/answer", json={"words": "Monday."}, headers=priya
    )
    assert answered.json()["status"] == "answered"
    listed = client.get(f"/api/v1/plans/{sam.id}/concerns", headers=alex).json()
    assert [(c["id"], c["answer"]) for c in listed][:1] == [(concern["id"], "Monday.")]


def test_morgan_sets_the_councils_time_and_is_told_what_is_wrong(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Morgan Price"))
    assert "have 10 working days" in text_of(client.get("/la/concern-time").text)
    wrong = client.post("/la/concern-time", data={"csrf_token": csrf, "answer_days": "0"})
    assert error_summary(wrong.text) == [("answer_days", "Enter a number of working days from 1 to 60")]
    assert (
        client.post(
            "/la/concern-time", data={"csrf_token": csrf, "answer_days": "15"}, follow_redirects=False
        ).status_code
        == 303
    )
    assert "have 15 working days" in text_of(client.get("/la/concern-time").text)
    alex = api_headers(db_session, demo("Alex Taylor"))
    concern = client.post(
        f"/api/v1/plans/{sam.id}/concerns", json={"about": "delivery", "words": SPEECH}, headers=alex
    )
    assert concern.json()["answer_days"] == 15
    assert date.fromisoformat(concern.json()["due_on"]) > date.fromisoformat(concern.json()["raised_on"])


def test_a_late_concern_becomes_a_complaint_the_council_answers_and_alex_reads(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    alex = api_headers(db_session, demo("Alex Taylor"))
    made = client.post(
        f"/api/v1/plans/{sam.id}/concerns", json={"about": "delivery", "words": SPEECH}, headers=alex
    )
    concern = db_session.get(PlanConcern, made.json()["id"])
    assert concern is not None
    concern.due_on = date(2026, 1, 5)  # long past: the setting never answered
    db_session.add(concern)
    db_session.flush()
    address = f"/plans/{sam.id}/concerns/{concern.id}"

    csrf = sign_in_as(demo("Alex Taylor"))
    empty = client.post(f"{address}/complaint", data={"csrf_token": csrf, "words": ""})
    assert error_summary(empty.text) == [("words", "Enter why you are making your concern a complaint")]
    made_one = client.post(f"{address}/complaint", data={"csrf_token": csrf, "words": "No answer at all."})
    assert "Stage 1: the council looks into it" in text_of(made_one.text)

    csrf = sign_in_as(demo("Morgan Price"))
    listed = client.get("/la/complaints").text
    link = re.findall(r'href="(/la/complaints/\d+)"', listed)[0]
    closing = client.post(link, data={"csrf_token": csrf, "stage": "closed", "answer": ""})
    assert error_summary(closing.text) == [
        ("answer", "Enter the council's answer before closing the complaint")
    ]
    answer = "The therapy sessions restart on Monday; the school will report to us every month."
    saved = client.post(
        link, data={"csrf_token": csrf, "stage": "closed", "answer": answer}, follow_redirects=False
    )
    assert saved.status_code == 303

    sign_in_as(demo("Alex Taylor"))
    shown = text_of(client.get(address).text)
    assert answer in shown
    assert "Morgan Price" in shown
    assert "Closed" in shown


def test_the_council_handles_a_complaint_through_the_api(
    client: TestClient, db_session: Session, demo: Demo, sam: Plan
) -> None:
    alex = api_headers(db_session, demo("Alex Taylor"))
    made = client.post(
        f"/api/v1/plans/{sam.id}/concerns", json={"about": "delivery", "words": SPEECH}, headers=alex
    )
    concern = db_session.get(PlanConcern, made.json()["id"])
    assert concern is not None
    concern.due_on = date(2026, 1, 5)
    db_session.add(concern)
    db_session.flush()
    complaint = client.post(
        f"/api/v1/plans/{sam.id}/concerns/{concern.id}/complaint", json={"words": "No answer."}, headers=alex
    ).json()["complaint"]
    address = f"/api/v1/la/complaints/{complaint['id']}"
    rita = client.post(
        address, json={"stage": "stage_two"}, headers=api_headers(db_session, demo("Rita Okafor"))
    )
    assert rita.status_code == 403
    morgan = api_headers(db_session, demo("Morgan Price"))
    closing = client.post(address, json={"stage": "closed"}, headers=morgan)
    assert closing.status_code == 422
    assert closing.json()["detail"][0]["loc"] == ["body", "answer"]
    taken = client.post(address, json={"stage": "stage_two"}, headers=morgan).json()
    assert (taken["stage"], taken["handler_id"], taken["plan_reference"]) == (
        "stage_two",
        demo("Morgan Price").id,
        sam.reference,
    )
    listed = client.get("/api/v1/la/complaints", headers=morgan).json()
    assert [c["concern"]["words"] for c in listed] == [SPEECH]
