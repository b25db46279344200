"""The portable export: a plan with its history leaves one OnePlan and arrives in another, unchanged."""

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app import migrate
from app.actor import Actor
from app.cli import cli
from app.config import Settings, get_settings
from app.db import build_engine
from app.models import AuditEvent, ChildNamePart, ImportedAuditTrail, Person, PersonRole
from app.services.audit import integrity as audit_integrity
from app.services.audit.sequencer import chain_pending
from app.services.paper import transfer
from app.services.plans.access import plan_access
from tests.databases import fresh_database, on_postgres
from tests.factories import make_person
from tests.test_paper import HIDDEN_VIEW
from tests.test_plan_pages import plan_of
from tests.test_voices import Demo, SignIn

SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "export-schema-v2.json"


def without_the_export_itself(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "export"}


def export_of(client: TestClient, plan_id: int) -> tuple[dict[str, Any], zipfile.ZipFile]:
    answer = client.get(f"/plans/{plan_id}/export.zip")
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"] == f'attachment; filename="OP-{1000 + plan_id}-export.zip"'
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    return json.loads(archive.read("export.json")), archive


def test_sams_plan_goes_to_another_oneplan_and_comes_back_the_same(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, tmp_path: Path
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    # Tom Baker may read Sam's view for Alex and Tom only; a professional's copy keeps the whole trail.
    sign_in_as(demo("Tom Baker"))
    first, archive = export_of(client, plan.id or 0)
    assert first["format"] == "oneplan-plan"
    assert first["format_version"] == 2
    tables = first["tables"]
    assert len(tables["item"]) >= 16
    assert len(tables["item_revision"]) > len(tables["item"])  # every revision, not only the newest
    for name in (
        "plan_review",
        "review_progress",
        "progress_words",
        "plan_version",
        "item_link",
        "view_picture",
        "plan_member",
    ):
        assert tables[name], name
    assert tables["delivery_record"]
    assert any(revision["text"] == HIDDEN_VIEW for revision in tables["item_revision"])
    assert [name for name in archive.namelist() if name.startswith("pictures/")]
    events = first["audit"]["trails"][-1]["events"]
    assert any(event["action"] == "item.added" for event in events)
    assert transfer.verify_trail(events) is None
    exported = db_session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert exported is not None
    assert (exported.action, exported.details["format"]) == ("plan.exported", "zip")

    # Another OnePlan, empty but for the person who imports.
    other = Settings(
        data_dir=tmp_path / "other", secret_key="another-oneplan-secret-key-for-tests-0123456789"
    )
    other.data_dir.mkdir()
    migrate.upgrade(other.resolved_database_url, "head")
    engine = build_engine(other)
    try:
        with Session(engine) as db:
            importer = Person(
                display_name="Casey Officer", role=PersonRole.LA_CASE_OFFICER, email="casey@example.org"
            )
            db.add(importer)
            db.flush()
            actor = Actor.command(importer)
            zipped = io.BytesIO()
            with zipfile.ZipFile(zipped, "w") as copy:
                for name in archive.namelist():
                    copy.writestr(name, archive.read(name))
            imported = transfer.import_plan(db, other, actor, zipped.getvalue())
            db.commit()
            chain_pending(engine)
            assert db.exec(select(ImportedAuditTrail)).all()
            # The imported child is in the council list's search index, as every child written is.
            words = db.exec(
                select(ChildNamePart.prefix).where(ChildNamePart.child_id == imported.child_id)
            ).all()
            assert {"sam", "tay", "taylor"} <= set(words)
            verification = audit_integrity.verify_trail(db, other, [])
            assert verification.problem is None
            assert transfer.verify_imported_trails(db) == []
            own_events = db.exec(select(AuditEvent)).all()
            assert [event.action for event in own_events] == ["plan.imported"]
            assert own_events[0].actor_id == importer.id
            # The importer is not on the plan: export again as one of its (imported) members would see it.
            tom = db.exec(select(Person).where(col(Person.display_name) == "Tom Baker")).one()
            again = transfer.export_plan(db, other, plan_access(db, Actor.command(tom), imported.id or 0))
        second = again.document
        stored = sorted(path.read_bytes() for path in (other.data_dir / "pictures").iterdir())
        assert stored == sorted(again.pictures.values())
        in_first = [name.removeprefix("pictures/") for name in archive.namelist() if "pictures/" in name]
        assert sorted(again.pictures) == sorted(in_first)
    finally:
        engine.dispose()
    trails = second["audit"]["trails"]
    assert [event["action"] for event in trails[-1]["events"]] == ["plan.imported"]
    second = {**second, "audit": {"trails": trails[:-1]}}
    assert without_the_export_itself(second) == without_the_export_itself(first)


def test_a_hidden_view_never_leaves_in_another_members_export(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Priya Shah"))
    document, archive = export_of(client, plan.id or 0)
    text = archive.read("export.json").decode()
    assert HIDDEN_VIEW not in text
    assert "Mr Baker helps me. He tells me" not in text
    assert document["export"]["views_left_out"] == 1
    assert "I like drawing dragons. This is my dragon." in text


def test_an_import_whose_audit_trail_was_changed_is_refused(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Priya Shah"))
    document, _archive = export_of(client, plan.id or 0)
    document["audit"]["trails"][-1]["events"][0]["action"] = "item.removed"
    problem = None
    try:
        transfer.import_plan(
            db_session, Settings(), Actor.command(demo("Morgan Price")), json.dumps(document).encode()
        )
    except transfer.ImportProblem as error:
        problem = str(error)
    assert problem is not None
    assert "does not match its hash" in problem


def test_the_export_is_described_by_its_schema(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    schema = json.loads(SCHEMA.read_text())
    plan = plan_of(db_session, "Ella Morris")
    sign_in_as(demo("Morgan Price"))
    document, _archive = export_of(client, plan.id or 0)
    assert set(schema["required"]) <= set(document)
    for name in schema["properties"]["tables"]["required"]:
        assert name in document["tables"]
    assert set(document["tables"]) <= set(schema["properties"]["tables"]["properties"])


def test_subject_access_gives_a_parent_everything_held_about_them(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    alex = demo("Alex Taylor")
    sign_in_as(alex)
    answer = client.get("/account/my-data.zip")
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    document = json.loads(archive.read("subject-access.json"))
    assert document["format"] == "oneplan-subject-access"
    assert document["person"]["display_name"] == "Alex Taylor"
    assert "password_hash" not in document["person"]
    assert [plan["export"]["reference"] for plan in document["plans"]] == [
        plan_of(db_session, "Sam Taylor").reference
    ]
    assert document["audit"]["events"]
    assert all(event["actor_id"] == alex.id for event in document["audit"]["events"])


def test_the_commands_export_a_plan_and_import_it_elsewhere_and_both_trails_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    archive = tmp_path / "sam.zip"

    def run(*arguments: str) -> str:
        answer = runner.invoke(cli, list(arguments))
        assert answer.exit_code == 0, answer.output
        return answer.output

    with fresh_database(tmp_path / "a") as first_url, fresh_database(tmp_path / "b") as second_url:
        for url, folder in ((first_url, tmp_path / "a"), (second_url, tmp_path / "b")):
            monkeypatch.setenv("ONEPLAN_DATABASE_URL", url)
            monkeypatch.setenv("ONEPLAN_DATA_DIR", str(folder))
            get_settings.cache_clear()
            try:
                run("db", "upgrade")
                if url == first_url:
                    run("demo")
                    tom = "tom.baker@riverside.example"
                    written = run("plan", "export", "OP-1001", str(archive), "--as", tom)
                    assert "Wrote OP-1001" in written
                else:
                    run("demo")  # the other OnePlan has people of its own (a council officer imports)
                    imported = run("plan", "import", str(archive), "--by", "morgan.price@northshire.example")
                    assert "Imported as plan OP-" in imported
                    # The same key signed it: this test's two OnePlans share the development secret.
                    assert "Signed by a key this council trusts" in imported
                    fingerprint = run("audit", "public-key").splitlines()[1].split(": ")[1]
                    assert fingerprint in imported
                run("audit", "chain")  # what the worker does within its bound
                assert "The audit trail is whole" in run("audit", "verify")
                if url == second_url:
                    _rewrite_an_imported_trail_with_its_digest(url)
                    rewritten = runner.invoke(cli, ["audit", "verify"])
                    assert rewritten.exit_code == 1
                    assert "is not the one that the chained plan.imported event records" in rewritten.output
            finally:
                get_settings.cache_clear()


def _rewrite_an_imported_trail_with_its_digest(url: str) -> None:
    """An intruder drops an imported event and recomputes the stored digest to match.

    On PostgreSQL the table is append-only: the intruder must be a superuser who switches the
    trigger off for the transaction (and is then caught by the check against the chain).
    """
    engine = create_engine(url)
    try:
        with Session(engine) as db:
            trail = db.exec(select(ImportedAuditTrail)).first()
            assert trail is not None
            events = trail.events[1:]
            if on_postgres():
                with pytest.raises(DBAPIError, match="imported_audit_trail is append-only"):
                    db.execute(text("DELETE FROM imported_audit_trail"))
                db.rollback()
                db.execute(text("SET LOCAL session_replication_role = replica"))
            db.execute(
                update(ImportedAuditTrail)
                .where(col(ImportedAuditTrail.id) == trail.id)
                .values(events=events, digest=transfer.trail_digest(events))
            )
            db.commit()
    finally:
        engine.dispose()


def test_a_familys_copy_holds_the_trail_as_their_audit_page_shows_it(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    """No client addresses, nobody else's refused tries (issue 22, finding 9); the council keeps both."""
    plan = plan_of(db_session, "Ella Morris")
    sign_in_as(make_person(db_session, PersonRole.HEALTH))
    assert client.get(f"/plans/{plan.id}").status_code == 404  # a stranger's refused try, from "testclient"
    ella = demo("Ella Morris")
    sign_in_as(ella)

    family, _archive = export_of(client, plan.id or 0)
    [trail] = family["audit"]["trails"]
    assert trail["redacted"] is True
    assert trail["digest"] == transfer.trail_digest(trail["events"])
    assert all(event[name] is None for event in trail["events"] for name in transfer.REDACTED_FIELDS)
    refused = [event for event in trail["events"] if event["outcome"] == "refused"]
    assert all(event["actor_id"] == ella.id for event in refused)
    assert "testclient" not in json.dumps(family)

    sign_in_as(demo("Morgan Price"))
    council, _archive = export_of(client, plan.id or 0)
    [whole] = council["audit"]["trails"]
    assert "redacted" not in whole
    assert transfer.verify_trail(whole["events"]) is None
    assert {event["client_address"] for event in whole["events"]} >= {"testclient"}
    assert {event["action"] for event in whole["events"] if event["outcome"] == "refused"} >= {"plan.refused"}


def test_an_earlier_export_with_one_childs_and_one_familys_words_per_outcome_keeps_both(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    """Exports made before each person's words were kept apart held them in review_progress."""
    from app.models import PlanReview, ProgressWords

    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Priya Shah"))
    document, _archive = export_of(client, plan.id or 0)
    tables = document["tables"]
    [sams] = tables.pop("progress_words")
    row = next(row for row in tables["review_progress"] if row["item_id"] == sams["item_id"])
    alex = next(person["ref"] for person in document["people"] if person["display_name"] == "Alex Taylor")
    row |= {
        "child_words": sams["words"],
        "child_words_by_id": sams["person_id"],
        "family_words": "He says lunch is better.",
        "family_words_by_id": alex,
    }
    imported = transfer.import_plan(
        db_session, Settings(), Actor.command(demo("Morgan Price")), json.dumps(document).encode()
    )
    kept = db_session.exec(
        select(ProgressWords, Person)
        .join(PlanReview, col(PlanReview.id) == col(ProgressWords.review_id))
        .join(Person, col(Person.id) == col(ProgressWords.person_id))
        .where(col(PlanReview.plan_id) == imported.id)
        .order_by(col(ProgressWords.id))
    ).all()
    assert [(words.by_child, words.words, person.display_name) for words, person in kept] == [
        (True, sams["words"], "Sam Taylor"),
        (False, "He says lunch is better.", "Alex Taylor"),
    ]
