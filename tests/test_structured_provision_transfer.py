"""Structured provision in the portable export: version 2 carries each particular, and an import
reads version 2 and version 1 (provision without them) alike."""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actor import Actor
from app.config import Settings
from app.models import DelivererRole, GroupSize, Item, ItemRevision, Plan
from app.services.paper import transfer
from app.services.plans.items import STRUCTURED
from tests.test_plan_pages import plan_of
from tests.test_signed_exports import Files, document_of, files_of, unsigned, with_document, zip_of
from tests.test_structured_provision_pages import WORDS, structured
from tests.test_voices import Demo, SignIn

SCHEMA_V2 = Path(__file__).resolve().parents[1] / "docs" / "export-schema-v2.json"


@pytest.fixture
def exported(client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn) -> Files:
    """Sam's plan, with structured provision Priya added, as Tom Baker exports it."""
    sam = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Priya Shah"))
    assert client.post(f"/plans/{sam.id}/sections/F/items", data=structured(csrf)).status_code == 200
    client.cookies.clear()
    sign_in_as(demo("Tom Baker"))
    answer = client.get(f"/plans/{sam.id}/export.zip")
    assert answer.status_code == 200
    client.cookies.clear()
    return files_of(answer.content)


def structured_row(document: dict[str, Any]) -> dict[str, Any]:
    [row] = [row for row in document["tables"]["item_revision"] if row["text"] == WORDS]
    return row


def imported_revision(db: Session, plan: Plan) -> ItemRevision:
    return db.exec(
        select(ItemRevision)
        .join(Item, col(Item.current_revision_id) == col(ItemRevision.id))
        .where(col(Item.plan_id) == plan.id, col(ItemRevision.text) == WORDS)
    ).one()


def import_as_morgan(db: Session, settings: Settings, demo: Demo, files: Files) -> Plan:
    return transfer.import_plan(db, settings, Actor.command(demo("Morgan Price")), zip_of(files))


def test_version_2_carries_every_particular_and_comes_back_the_same(
    exported: Files, db_session: Session, settings: Settings, demo: Demo
) -> None:
    document = document_of(exported)
    assert document["format_version"] == 2
    row = structured_row(document)
    assert {name: row[name] for name in STRUCTURED} == {
        "session_minutes": 30,
        "group_size": "small_group",
        "group_of": 4,
        "deliverer_role": "speech_and_language_therapist",
        "expertise": "trained in Colourful Semantics",
        "location": "the therapy room",
        "ends_on": "2027-07-16",
    }
    plan = import_as_morgan(db_session, settings, demo, exported)
    revision = imported_revision(db_session, plan)
    assert (revision.group_size, revision.group_of, revision.deliverer_role) == (
        GroupSize.SMALL_GROUP,
        4,
        DelivererRole.SPEECH_AND_LANGUAGE_THERAPIST,
    )
    assert revision.sentence == (
        "30 minutes, 3 times a week, in a small group of 4, by a speech and language therapist trained in"
        " Colourful Semantics; in the therapy room; from 4 January 2027 to 16 July 2027."
    )


def test_a_version_1_export_imports_as_provision_without_its_structured_particulars(
    exported: Files, db_session: Session, settings: Settings, demo: Demo
) -> None:
    document = document_of(exported)
    document["format_version"] = 1
    for row in document["tables"]["item_revision"]:
        for name in STRUCTURED:
            del row[name]
    older = unsigned(with_document(exported, document))  # as a OnePlan of version 1 wrote it, unsigned here
    plan = import_as_morgan(db_session, settings, demo, older)
    revision = imported_revision(db_session, plan)
    assert [getattr(revision, name) for name in STRUCTURED] == [None] * len(STRUCTURED)
    assert (revision.quantity, revision.starts_on.isoformat() if revision.starts_on else None) == (
        "3 sessions a week",
        "2027-01-04",
    )


@pytest.mark.parametrize("version", [3, 0, True, "2"])
def test_an_export_of_a_version_this_oneplan_does_not_read_is_refused(
    exported: Files, db_session: Session, settings: Settings, demo: Demo, version: object
) -> None:
    document = document_of(exported)
    document["format_version"] = version
    with pytest.raises(transfer.ImportProblem, match="This is not a oneplan-plan export of version 1 or 2"):
        import_as_morgan(db_session, settings, demo, unsigned(with_document(exported, document)))


def test_the_version_2_schema_names_every_column_of_a_revision(exported: Files) -> None:
    schema = json.loads(SCHEMA_V2.read_text())
    assert schema["properties"]["format_version"] == {"const": 2}
    revision = schema["properties"]["tables"]["properties"]["item_revision"]["items"]
    row = structured_row(document_of(exported))
    assert set(revision["required"]) == set(row)
    assert set(STRUCTURED) <= set(revision["properties"])
