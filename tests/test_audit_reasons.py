"""Typed reasons stay out of the audit chain: the event holds a digest, the words live beside it, erasable.

The chain still verifies once the words are erased (the end of their retention), and changed words
are caught. Events chained before (hash form 1, whose hash covered the words) keep verifying after
the migration that moved their words out, and are reported as "words erased" once those go.
"""

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app import migrate
from app.actor import Actor
from app.cli import cli
from app.config import Settings, get_settings
from app.models import AuditEvent, AuditReason, Channel, Child, Person, Plan
from app.models.base import id_of, utc_now
from app.services import audit
from app.services.audit.events import FORM_1_FIELDS
from app.services.audit.integrity import verify_chain
from app.services.audit.reasons import erase_reasons
from app.services.audit.sequencer import chain_pending
from app.services.paper import transfer
from app.services.plans import lifecycle
from app.services.plans.access import plan_access
from tests.databases import fresh_database, on_postgres

Demo = Callable[[str], Person]
SignIn = Callable[[Person], str]
WORDS = "Ella has moved to Cornwall with her mother."
BEFORE_THE_MOVE = "5d2a8e61c0f3"
"""The revision before typed reasons left the chain."""


def _raw_event(db: Session, event_id: int) -> dict[str, Any]:
    """The event's row as the database holds it, every column."""
    return dict(
        db.execute(text("SELECT * FROM audit_event WHERE id = :id"), {"id": event_id}).mappings().one()
    )


def _tamper(db: Session, statement: str, **params: Any) -> None:
    """As an intruder with the database would (PostgreSQL's append-only trigger switched off)."""
    if on_postgres():
        db.execute(text("SET LOCAL session_replication_role = replica"))
    db.execute(text(statement), params)
    db.expire_all()


@pytest.fixture
def ceased(db_session: Session, demo: Demo, sequencer: Callable[[], int]) -> AuditEvent:
    """Ella's plan ceased by its coordinator, with a reason typed in."""
    child = demo("Ella Morris")
    plan = db_session.exec(
        select(Plan).join(Child, col(Child.id) == col(Plan.child_id)).where(Child.person_id == child.id)
    ).one()
    actor = Actor(person=demo("Morgan Price"), channel=Channel.PAGE, client_address="192.0.2.7")
    access = plan_access(db_session, actor, id_of(plan))
    lifecycle.take_step(
        db_session, actor, access, lifecycle.StepRequest(step=lifecycle.Step.CEASE, reason=WORDS)
    )
    sequencer()
    event = db_session.exec(
        select(AuditEvent).where(AuditEvent.action == "plan.cease").order_by(col(AuditEvent.id).desc())
    ).first()
    assert event is not None
    return event


def test_the_event_holds_a_digest_and_the_words_live_beside_it(
    ceased: AuditEvent, db_session: Session
) -> None:
    row = _raw_event(db_session, id_of(ceased))
    kept = db_session.get(AuditReason, ceased.id)

    assert WORDS not in json.dumps(row, default=str)
    assert "Cornwall" not in json.dumps(row, default=str)
    assert row["reason"] is None
    assert row["hash_version"] == audit.HASH_VERSION == 2
    assert kept is not None
    assert kept.words == WORDS
    assert row["reason_digest"] == audit.reason_digest(kept.salt, WORDS)
    assert verify_chain(db_session).whole


def test_the_reason_still_shows_in_the_api_and_the_csv_export(
    ceased: AuditEvent, client: TestClient, sign_in_as: SignIn, demo: Demo, db_session: Session
) -> None:
    plan = db_session.get(Plan, ceased.plan_id)
    assert plan is not None
    sign_in_as(demo("Rita Okafor"))

    api = client.get(f"/api/v1/plans/{plan.id}/audit", params={"action": "plan.cease"}).json()
    exported_csv = client.get("/audit/export.csv", params={"plan": plan.reference})
    rows = list(csv.DictReader(io.StringIO(exported_csv.text.removeprefix("\ufeff"))))

    (event,) = api["events"]
    assert event["reason"] == WORDS
    assert event["reason_digest"] == ceased.reason_digest
    assert next(row for row in rows if row["action"] == "plan.cease")["reason"] == WORDS


def test_a_plan_export_carries_the_words_beside_the_event_and_checks_them(
    ceased: AuditEvent, db_session: Session, demo: Demo, settings: Settings
) -> None:
    morgan = demo("Morgan Price")
    access = plan_access(db_session, Actor.command(morgan), ceased.plan_id or 0)

    events = transfer.export_plan(db_session, settings, access).document["audit"]["trails"][-1]["events"]
    event = next(event for event in events if event["action"] == "plan.cease")
    changed = [
        {**e, "typed_reason": {**e["typed_reason"], "words": "Nothing."}} if e is event else e for e in events
    ]

    assert event["typed_reason"]["words"] == WORDS
    assert event["reason"] is None
    assert transfer.verify_trail(events) is None
    assert transfer.verify_trail(changed) is not None


def test_changed_words_are_caught(ceased: AuditEvent, db_session: Session) -> None:
    _tamper(db_session, "UPDATE audit_reason SET words = 'She left.' WHERE event_id = :id", id=ceased.id)

    verification = verify_chain(db_session)

    assert verification.problem is not None
    assert verification.problem.sequence == ceased.sequence
    assert "its words were changed" in verification.problem.message


def test_a_changed_digest_is_caught(ceased: AuditEvent, db_session: Session) -> None:
    _tamper(db_session, "DELETE FROM audit_reason WHERE event_id = :id", id=ceased.id)
    _tamper(db_session, "UPDATE audit_event SET reason_digest = :d WHERE id = :id", d="0" * 64, id=ceased.id)

    verification = verify_chain(db_session)

    assert verification.problem is not None
    assert "altered after it was written" in verification.problem.message


def test_erased_words_leave_the_chain_whole_and_are_reported(ceased: AuditEvent, db_session: Session) -> None:
    erased = erase_reasons(db_session, Actor.command(), before=utc_now() + timedelta(seconds=1))
    db_session.expire_all()

    verification = verify_chain(db_session)

    assert erased >= 1
    assert db_session.get(AuditReason, ceased.id) is None
    assert verification.whole, verification.problem
    assert verification.words_erased >= 1


# Events chained before the move (hash form 1) -----------------------------------------------------

FORM_1_EVENTS = [
    # (action, reason, chained before the migration)
    ("plan.cease", WORDS, True),
    ("sign_in.failed", "throttled", True),
    ("item.revised", "Six sessions a term, not three: the speech therapist's advice.", True),
    ("plan.read", None, True),
    ("provision.ended", "Sam no longer needs the lunchtime club.", False),
]


def _write_form_1_events(url: str) -> None:
    """Events as the revision before wrote them: form-1 hashes covering the words in `reason`."""
    engine = create_engine(url)
    previous = audit.GENESIS_HASH
    with engine.begin() as connection:
        for number, (action, reason, chained) in enumerate(FORM_1_EVENTS, start=1):
            fields: dict[str, Any] = dict.fromkeys(FORM_1_FIELDS) | {
                "occurred_at": datetime(2026, 3, number, 9, tzinfo=UTC),
                "action": action,
                "object_type": "plan",
                "object_id": str(number),
                "plan_id": number,
                "channel": "page",
                "outcome": "refused" if action == "sign_in.failed" else "done",
                "reason": reason,
                "details": {"plan_id": number},
            }
            if chained:
                fields |= {"sequence": number, "prev_hash": previous}
                fields["hash"] = previous = audit.hash_of(fields)
            else:
                fields["hash"] = None
            connection.execute(
                text(
                    "INSERT INTO audit_event (sequence, prev_hash, hash, occurred_at, action, object_type, "
                    "object_id, plan_id, channel, outcome, reason, details) VALUES (:sequence, :prev_hash, "
                    ":hash, :occurred_at, :action, :object_type, :object_id, :plan_id, :channel, :outcome, "
                    ":reason, :details)"
                ),
                {**fields, "details": json.dumps(fields["details"])},
            )
    engine.dispose()


def test_the_migration_moves_the_words_out_and_the_chain_still_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fresh_database(tmp_path) as url:
        migrate.upgrade(url, BEFORE_THE_MOVE)
        _write_form_1_events(url)

        migrate.upgrade(url)

        engine = create_engine(url)
        try:
            chain_pending(engine)
            with Session(engine) as db:
                rows = [
                    dict(row) for row in db.execute(text("SELECT * FROM audit_event ORDER BY id")).mappings()
                ]
                kept = {words.event_id: words.words for words in db.exec(select(AuditReason))}
                after_migration = verify_chain(db)
            typed = [
                reason for _action, reason, _chained in FORM_1_EVENTS if reason and reason != "throttled"
            ]
            written = json.dumps(rows, default=str)
            # The code's own reason stays in the chain; the typed ones left it.
            assert [row["reason"] for row in rows] == [None, "throttled", None, None, None]
            assert all(words not in written for words in typed)
            assert sorted(kept.values()) == sorted(typed)
            assert [row["hash_version"] for row in rows] == [None, None, None, None, 2]
            assert after_migration.whole, after_migration.problem
            assert (after_migration.events, after_migration.words_erased) == (5, 0)

            # Changed words of a form-1 event are caught: its hash is recomputed with them.
            with Session(engine) as db:
                _tamper(db, "UPDATE audit_reason SET words = 'Moved.' WHERE event_id = 1")
                _tamper(
                    db,
                    "UPDATE audit_event SET reason_digest = :d WHERE id = 1",
                    d=_digest_of(db, 1, "Moved."),
                )
                changed = verify_chain(db)
                db.rollback()
            assert changed.problem is not None
            assert changed.problem.sequence == 1
            assert "altered after it was written" in changed.problem.message

            # Erased at the end of their retention: the chain is still whole, the events reported.
            monkeypatch.setenv("ONEPLAN_DATABASE_URL", url)
            monkeypatch.setenv("ONEPLAN_DATA_DIR", str(tmp_path))
            get_settings.cache_clear()
            runner = CliRunner()
            erased = runner.invoke(cli, ["audit", "erase-reasons", "--before", "2027-01-01"])
            chain_pending(engine)
            verified = runner.invoke(cli, ["audit", "verify", "--checkpoints", str(tmp_path / "none")])
            get_settings.cache_clear()
            assert erased.exit_code == 0, erased.output
            assert "Erased the typed reasons of 3 events" in erased.output
            assert verified.exit_code == 0, verified.output
            assert "Words erased: 3 events had a typed reason" in verified.output
            assert "The audit trail is whole: its head is event 6." in verified.output

            # Going back is refused: the earlier version could check neither form 2 nor erased words.
            with pytest.raises(RuntimeError, match="hash form 2"):
                migrate.downgrade(url, BEFORE_THE_MOVE)

            if on_postgres():  # the append-only trigger is back on after the migration
                with Session(engine) as db, pytest.raises(DBAPIError, match="append-only"):
                    db.execute(text("UPDATE audit_event SET reason = 'x' WHERE id = 2"))
        finally:
            engine.dispose()


def _digest_of(db: Session, event_id: int, words: str) -> str:
    salt = db.execute(
        text("SELECT salt FROM audit_reason WHERE event_id = :id"), {"id": event_id}
    ).scalar_one()
    return audit.reason_digest(str(salt), words)
