"""The Individual Support Plan as pages: Priya makes Sam's SEN Support plan an ISP, moves his layer,
and the family reads the layer's history and the reasons in the plan's history."""

import html
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.models import AuditEvent, Child, Person, Plan, PlanKind, SupportLayer
from app.services.plans import words
from tests.page_checks import check_page
from tests.test_paper import get_pdf, pdf_text

WEEKLY = "Speech therapist to work with him weekly"
Demo = Callable[[str], Person]
SignIn = Callable[[Person], str]


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(page)))


def date_fields(name: str, day: date) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


@pytest.fixture
def sams_plan(db_session: Session, demo: Demo) -> Plan:
    sam = demo("Sam Taylor")
    return db_session.exec(
        select(Plan).join(Child, col(Child.id) == col(Plan.child_id)).where(Child.person_id == sam.id)
    ).one()


def make_isp(client: TestClient, plan: Plan, csrf: str, priya: Person) -> None:
    form = {
        "csrf_token": csrf,
        "layer": "targeted",
        "reason": "Sam's needs are met in class with small-group speech work",
        "duty_holder_id": str(priya.id),
        **date_fields("next_review_on", uk_today() + timedelta(days=60)),
    }
    response = client.post(f"/plans/{plan.id}/support-plan", data=form, follow_redirects=False)
    assert response.status_code == 303, text_of(response.text)
    assert response.headers["location"] == f"/plans/{plan.id}#support"


def test_priya_makes_sams_plan_an_isp_and_moves_his_layer(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    priya = demo("Priya Shah")
    csrf = sign_in_as(priya)
    plan_page = text_of(client.get(f"/plans/{sams_plan.id}").text)
    assert "Make this plan an Individual Support Plan" in plan_page

    asked = client.get(f"/plans/{sams_plan.id}/support-plan")
    check_page(asked.text)
    missing = client.post(f"/plans/{sams_plan.id}/support-plan", data={"csrf_token": csrf})
    assert missing.status_code == 200
    check_page(missing.text)
    problems = text_of(missing.text)
    assert "Select the layer of support" in problems
    assert "Enter why the child needs this layer" in problems
    assert "Enter the date of the next review" in problems

    make_isp(client, sams_plan, csrf, priya)
    db_session.refresh(sams_plan)
    assert (sams_plan.kind, sams_plan.support_layer) == (PlanKind.ISP, SupportLayer.TARGETED)

    page = client.get(f"/plans/{sams_plan.id}")
    check_page(page.text)
    shown = text_of(page.text)
    assert "Individual Support Plan OP-" in shown
    assert "Layer now Targeted" in shown
    assert "Duty holder Priya Shah" in shown

    same = client.post(
        f"/plans/{sams_plan.id}/layer", data={"csrf_token": csrf, "layer": "targeted", "reason": "No change"}
    )
    assert "Choose a different layer from the one the child is at now" in text_of(same.text)
    moved = client.post(
        f"/plans/{sams_plan.id}/layer",
        data={"csrf_token": csrf, "layer": "targeted_plus", "reason": WEEKLY},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    shown = text_of(client.get(f"/plans/{sams_plan.id}").text)
    assert "Layer now Targeted Plus" in shown
    assert shown.index(WEEKLY) < shown.index("small-group speech work")

    sign_in_as(demo("Alex Taylor"))
    history = text_of(client.get(f"/plans/{sams_plan.id}/audit?show=changes").text)
    assert "turned the plan into an Individual Support Plan, saying: “Sam's needs are met" in history
    assert "changed the layer of support, saying: “Speech therapist to work with him weekly”" in history
    family_page = text_of(client.get(f"/plans/{sams_plan.id}").text)
    assert "Layer now Targeted Plus" in family_page
    assert "Change the layer of support" not in family_page
    assert client.get(f"/plans/{sams_plan.id}/layer").status_code == 403


def test_the_councils_words_name_the_plan_and_its_layers(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    priya = demo("Priya Shah")
    csrf = sign_in_as(priya)
    make_isp(client, sams_plan, csrf, priya)

    csrf = sign_in_as(demo("Admin"))
    address = f"/admin/local-authorities/{sams_plan.local_authority_id}/words"
    check_page(client.get(address).text)
    words = {
        "plan_name": "Support Passport",
        "targeted": "Layer 1",
        "targeted_plus": "Layer 2",
        "specialist": "Layer 3",
    }
    same_names = client.post(address, data={**words, "targeted_plus": "layer 1", "csrf_token": csrf})
    assert "Give each layer of support a different name" in text_of(same_names.text)
    saved = client.post(address, data={**words, "csrf_token": csrf}, follow_redirects=False)
    assert saved.status_code == 303
    [event] = db_session.exec(select(AuditEvent).where(AuditEvent.action == "plan_words.changed")).all()
    assert event.details["after"]["plan_name"] == "Support Passport"

    sign_in_as(priya)
    shown = text_of(client.get(f"/plans/{sams_plan.id}").text)
    assert "Support Passport OP-" in shown
    assert "Layer now Layer 1" in shown
    assert "Individual Support Plan" not in shown
    assert "Support Passport" in text_of(client.get("/plans").text)
    assert "Layer 2" in text_of(client.get(f"/plans/{sams_plan.id}/layer").text)


def test_the_pdf_names_the_plan_and_its_layer_in_the_councils_words(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan, tmp_path: Path
) -> None:
    priya = demo("Priya Shah")
    make_isp(client, sams_plan, sign_in_as(priya), priya)
    admin = demo("Admin")
    new = words.NewWords(
        plan_name="Support Passport", targeted="Green", targeted_plus="Amber", specialist="Red"
    )
    words.change_words(db_session, Actor.command(admin), sams_plan.local_authority_id, new)
    text = " ".join(pdf_text(get_pdf(client, f"/plans/{sams_plan.id}/plan.pdf"), tmp_path, "isp").split())
    assert "Support Passport OP-" in text
    assert "Layer of support Green" in text
