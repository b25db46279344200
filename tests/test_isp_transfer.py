"""An ISP in the portable export: the plan's kind, its layer and the history of its layers travel with
it; an export made before ISPs (no layer history) still comes in."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.actor import Actor
from app.config import Settings
from app.models import Plan, PlanKind, SupportLayer
from app.models.base import id_of
from app.services.paper import transfer
from app.services.plans import support
from app.services.plans.access import plan_access
from tests.test_isp_pages import WEEKLY, make_isp
from tests.test_plan_pages import plan_of
from tests.test_signed_exports import Files, document_of, files_of, unsigned, with_document, zip_of
from tests.test_voices import Demo, SignIn


@pytest.fixture
def exported(client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn) -> Files:
    """Sam's plan made an ISP at Targeted and moved to Targeted Plus by Priya, as Tom Baker exports it."""
    sam = plan_of(db_session, "Sam Taylor")
    priya = demo("Priya Shah")
    make_isp(client, sam, sign_in_as(priya), priya)
    actor = Actor.command(priya)
    move = support.LayerMove(layer=SupportLayer.TARGETED_PLUS, reason=WEEKLY)
    support.change_layer(db_session, actor, plan_access(db_session, actor, id_of(sam)), move)
    client.cookies.clear()
    sign_in_as(demo("Tom Baker"))
    answer = client.get(f"/plans/{sam.id}/export.zip")
    assert answer.status_code == 200
    client.cookies.clear()
    return files_of(answer.content)


def import_as_morgan(db: Session, settings: Settings, demo: Demo, files: Files) -> Plan:
    return transfer.import_plan(db, settings, Actor.command(demo("Morgan Price")), zip_of(files))


def test_the_kind_and_the_layers_history_travel_with_the_plan(
    exported: Files, db_session: Session, settings: Settings, demo: Demo
) -> None:
    document = document_of(exported)
    assert document["format_version"] == 2
    [plan_row] = document["tables"]["plan"]
    assert (plan_row["kind"], plan_row["support_layer"]) == ("isp", "targeted_plus")
    assert [row["layer"] for row in document["tables"]["support_layer_change"]] == [
        "targeted",
        "targeted_plus",
    ]

    plan = import_as_morgan(db_session, settings, demo, exported)
    assert (plan.kind, plan.support_layer) == (PlanKind.ISP, SupportLayer.TARGETED_PLUS)
    history = support.layer_history(db_session, id_of(plan))
    assert [(step.previous_layer, step.layer, step.reason) for step in history][1:] == [
        (SupportLayer.TARGETED, SupportLayer.TARGETED_PLUS, WEEKLY)
    ]
    assert all(step.plan_id == plan.id for step in history)


def test_an_export_without_a_layer_history_still_comes_in(
    exported: Files, db_session: Session, demo: Demo
) -> None:
    document = document_of(exported)
    del document["tables"]["support_layer_change"]
    for name in ("support_layer", "duty_holder_id", "next_review_on"):
        del document["tables"]["plan"][0][name]
    document["tables"]["plan"][0]["kind"] = "sen_support"
    settings = Settings(import_signatures="optional")
    plan = import_as_morgan(db_session, settings, demo, unsigned(with_document(exported, document)))
    assert (plan.kind, plan.support_layer) == (PlanKind.SEN_SUPPORT, None)
    assert support.layer_history(db_session, id_of(plan)) == []
