"""Starting an Individual Support Plan directly, not only by turning a SEN Support plan into one: the
school's designated SENCo chooses the layer, the duty holder and the first review; the layer's history
starts with it ("Plan started"); a child still has one live SEN Support plan or ISP."""

import html
import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.models import (
    AuditEvent,
    Child,
    MemberRole,
    Person,
    Plan,
    PlanKind,
    PlanMember,
    PlanStatus,
    SupportLayer,
)
from app.models.base import id_of
from app.services.auth.api_tokens import create_token
from app.services.plans import plans, support

Lookup = Callable[[str], Person]
SignIn = Callable[[Person], str]


def _new_isp(**changes: object) -> plans.NewPlan:
    given: dict[str, object] = {
        "kind": PlanKind.ISP,
        "child_full_name": "Robin Hart",
        "child_date_of_birth": date(2018, 9, 3),
        "child_school_year": "Year 3",
        "layer": SupportLayer.TARGETED_PLUS,
        "next_review_on": uk_today() + timedelta(days=42),
    }
    return plans.NewPlan.model_validate(given | changes)


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(page)))


def _sam(db: Session) -> Child:
    return db.exec(select(Child).where(col(Child.full_name) == "Sam Taylor")).one()


def test_priya_starts_an_isp_with_its_first_layer_and_tom_as_duty_holder(
    db_session: Session, demo: Lookup
) -> None:
    priya, tom = demo("Priya Shah"), demo("Tom Baker")
    plan = plans.create_plan(db_session, Actor.command(priya), _new_isp(duty_holder_id=tom.id))
    assert (plan.kind, plan.status, plan.support_layer, plan.duty_holder_id, plan.setting_id) == (
        PlanKind.ISP,
        PlanStatus.ACTIVE,
        SupportLayer.TARGETED_PLUS,
        tom.id,
        priya.organisation_id,
    )
    assert plan.next_review_on == uk_today() + timedelta(days=42)
    [first] = support.layer_history(db_session, id_of(plan))
    assert (first.layer, first.previous_layer, first.reason, first.changed_by_id) == (
        SupportLayer.TARGETED_PLUS,
        None,
        "Plan started",
        priya.id,
    )
    members = db_session.exec(select(PlanMember).where(col(PlanMember.plan_id) == plan.id)).all()
    assert {(m.person_id, m.role, m.is_coordinator) for m in members} == {
        (priya.id, MemberRole.EDUCATION, True),
        (tom.id, MemberRole.EDUCATION, False),
    }
    [event] = db_session.exec(select(AuditEvent).where(col(AuditEvent.plan_id) == plan.id)).all()
    assert (event.action, event.actor_id) == ("plan.created", priya.id)
    assert event.details | {"child_id": None} == {
        "kind": "isp",
        "child_id": None,
        "layer": "targeted_plus",
        "duty_holder_id": tom.id,
        "duty_holder_joined": True,
        "next_review_on": (uk_today() + timedelta(days=42)).isoformat(),
    }


def test_the_senco_holds_the_duty_when_they_name_no_one_else(db_session: Session, demo: Lookup) -> None:
    priya = demo("Priya Shah")
    plan = plans.create_plan(db_session, Actor.command(priya), _new_isp())
    assert plan.duty_holder_id == priya.id


def test_only_the_schools_designated_senco_starts_an_isp(db_session: Session, demo: Lookup) -> None:
    for name in ("Tom Baker", "Morgan Price"):  # a class teacher at Riverside; the council's officer
        with pytest.raises(plans.PlanProblem) as refused:
            plans.create_plan(db_session, Actor.command(demo(name)), _new_isp())
        assert refused.value.field == "kind", name
    tom = demo("Tom Baker")  # who still starts SEN Support plans
    started = plans.create_plan(db_session, Actor.command(tom), _new_isp(kind=PlanKind.SEN_SUPPORT))
    assert (started.kind, started.support_layer) == (PlanKind.SEN_SUPPORT, None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"layer": None}, "layer"),
        ({"next_review_on": None}, "next_review_on"),
        ({"next_review_on": date(2020, 1, 1)}, "next_review_on"),
        ({"duty_holder_id": 999_999}, "duty_holder_id"),
    ],
)
def test_an_isp_needs_its_layer_a_duty_holder_at_the_school_and_a_review_ahead(
    db_session: Session, demo: Lookup, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(plans.PlanProblem) as problem:
        plans.create_plan(db_session, Actor.command(demo("Priya Shah")), _new_isp(**changes))
    assert problem.value.field == field


def test_another_schools_senco_cannot_hold_the_duty(db_session: Session, demo: Lookup) -> None:
    new = _new_isp(duty_holder_id=demo("Chris Wood").id)
    with pytest.raises(plans.PlanProblem, match="Riverside Primary School") as problem:
        plans.create_plan(db_session, Actor.command(demo("Priya Shah")), new)
    assert problem.value.field == "duty_holder_id"


def test_a_child_with_a_live_sen_support_plan_is_not_given_an_isp_beside_it(
    db_session: Session, demo: Lookup
) -> None:
    sam = _sam(db_session)
    same_child = _new_isp(child_full_name="sam taylor", child_date_of_birth=sam.date_of_birth)
    with pytest.raises(plans.PlanAlreadyLive) as live:
        plans.create_plan(db_session, Actor.command(demo("Priya Shah")), same_child)
    assert live.value.plan.kind is PlanKind.SEN_SUPPORT
    robin = plans.create_plan(db_session, Actor.command(demo("Priya Shah")), _new_isp())
    again = _new_isp(kind=PlanKind.SEN_SUPPORT)
    with pytest.raises(plans.PlanAlreadyLive) as live:
        plans.create_plan(db_session, Actor.command(demo("Priya Shah")), again)
    assert live.value.plan.id == robin.id


def _form(csrf: str, **changes: str) -> dict[str, str]:
    review = uk_today() + timedelta(days=30)
    form = {
        "csrf_token": csrf,
        "kind": "isp",
        "child_full_name": "Robin Hart",
        "child_date_of_birth-day": "3",
        "child_date_of_birth-month": "9",
        "child_date_of_birth-year": "2018",
        "child_school_year": "Year 3",
        "layer": "targeted",
        "next_review_on-day": str(review.day),
        "next_review_on-month": str(review.month),
        "next_review_on-year": str(review.year),
    }
    return form | changes


def test_priya_starts_an_isp_on_the_start_a_plan_page(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    priya = demo("Priya Shah")
    csrf = sign_in_as(priya)
    page = client.get("/plans/new").text
    assert 'value="isp"' in page
    assert "Targeted Plus" in page
    assert f'<option value="{priya.id}" selected>Priya Shah</option>' in page

    unchosen = client.post("/plans/new", data=_form(csrf, layer=""))
    assert unchosen.status_code == 200
    assert '<a href="#layer">Select the layer of support</a>' in unchosen.text
    past = client.post("/plans/new", data=_form(csrf, **{"next_review_on-year": "2020"}))
    assert "The first review must be today or in the future" in _text(past.text)
    assert 'href="#next_review_on-day"' in past.text

    made = client.post("/plans/new", data=_form(csrf, duty_holder_id=str(priya.id)), follow_redirects=False)
    assert made.status_code == 303, _text(made.text)
    plan_id = int(made.headers["location"].rsplit("/", 1)[-1])
    plan = db_session.get(Plan, plan_id)
    assert plan is not None
    assert (plan.kind, plan.support_layer, plan.duty_holder_id) == (
        PlanKind.ISP,
        SupportLayer.TARGETED,
        priya.id,
    )
    shown = _text(client.get(f"/plans/{plan_id}").text)
    assert "by Priya Shah. Plan started" in shown


def test_tom_is_offered_a_sen_support_plan_only(client: TestClient, demo: Lookup, sign_in_as: SignIn) -> None:
    csrf = sign_in_as(demo("Tom Baker"))
    page = client.get("/plans/new").text
    assert 'value="sen_support"' in page
    assert 'value="isp"' not in page
    refused = client.post("/plans/new", data=_form(csrf))
    assert '<a href="#kind">Select the kind of plan</a>' in refused.text


def test_an_isp_started_through_the_api(client: TestClient, db_session: Session, demo: Lookup) -> None:
    def headers(name: str) -> dict[str, str]:
        _token, secret = create_token(db_session, Actor.command(), demo(name), "isp start test")
        return {"Authorization": f"Bearer {secret}"}

    body = {
        "kind": "isp",
        "child_full_name": "Robin Hart",
        "child_date_of_birth": "2018-09-03",
        "child_school_year": "Year 3",
        "layer": "specialist",
        "duty_holder_id": demo("Tom Baker").id,
        "next_review_on": (uk_today() + timedelta(days=30)).isoformat(),
    }
    priya = headers("Priya Shah")
    no_layer = client.post("/api/v1/plans", json=body | {"layer": None}, headers=priya)
    assert no_layer.status_code == 422
    assert (no_layer.json()["detail"][0]["loc"], no_layer.json()["detail"][0]["msg"]) == (
        ["body", "layer"],
        "Select the layer of support",
    )
    teacher = client.post("/api/v1/plans", json=body, headers=headers("Tom Baker"))
    assert teacher.status_code == 403
    assert "SENCo" in teacher.json()["detail"]

    made = client.post("/api/v1/plans", json=body, headers=priya)
    assert made.status_code == 201, made.text
    location = made.headers["Location"]
    history = client.get(f"{location}/layers", headers=priya).json()
    assert [(step["previous_layer"], step["layer"], step["reason"]) for step in history] == [
        (None, "specialist", "Plan started")
    ]
    again = client.post("/api/v1/plans", json=body | {"kind": "sen_support"}, headers=priya)
    assert (again.status_code, again.headers["Location"]) == (409, location)
