"""The audit trail is a hash chain with signed checkpoints: every kind of tampering is caught and named.

Tampering is done the way an intruder with the database would: plain SQL on the audit table (on
PostgreSQL with triggers switched off for the transaction, as only a superuser could).
"""

import base64
import hashlib
import itertools
import json
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Executable, create_engine, insert, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from typer.testing import CliRunner

from app import migrate
from app.actor import Actor
from app.cli import cli
from app.config import Environment, Settings
from app.models import AuditEvent, Channel, Outcome
from app.models.base import id_of
from app.services import audit
from app.services.audit.integrity import (
    Checkpoint,
    CheckpointProblem,
    Verification,
    make_checkpoint,
    read_checkpoints,
    signing_key,
    stream_events,
    verify_chain,
    verify_trail,
    write_checkpoint,
)
from app.services.audit.integrity import (
    public_key_text as public_key_text_of,
)
from app.services.audit.sequencer import chain_pending
from tests.databases import fresh_database, on_postgres

EVENTS = 12


def _record(db: Session, number: int) -> AuditEvent:
    event = audit.record(
        db,
        Actor(person=None, channel=Channel.API, client_address="192.0.2.1", request_id=f"request-{number}"),
        "plan.read" if number % 2 else "item.revised",
        object_type="plan",
        object_id=number,
        reason="Café: «quoted» \u2028 words" if number == 3 else None,
        details={
            "plan_id": number,
            "section": "B",
            "digest": f"{number:064x}",
            "nested": {"z": 1, "a": [1, 2]},
        },
    )
    assert event is not None, "a writing session's event is written at once"
    return event


EVENT_TABLE = AuditEvent.__table__  # type: ignore[attr-defined]


def _sql(db: Session, statement: str | Executable, **params: Any) -> None:
    """Run SQL on the audit table as an intruder would (PostgreSQL's append-only trigger switched off)."""
    if on_postgres():
        db.execute(text("SET LOCAL session_replication_role = replica"))
    db.execute(text(statement) if isinstance(statement, str) else statement, params)
    db.expire_all()


def _rows(db: Session) -> list[dict[str, Any]]:
    return list(stream_events(db))


def _checkpoint_at(db: Session, settings: Settings, folder: Path, sequence: int) -> Checkpoint:
    head_hash = next(row["hash"] for row in _rows(db) if row["sequence"] == sequence)
    checkpoint = Checkpoint(sequence, head_hash, "2026-03-03T14:05:00.000000Z")
    path = write_checkpoint(folder, checkpoint, signing_key(settings))
    return Checkpoint(sequence, head_hash, checkpoint.made_at, str(path))


def _rewrite_from(db: Session, first: int) -> None:
    """Change an event and recompute its hash and every hash after it: the chain alone still verifies."""
    previous: str | None = None
    for row in _rows(db):
        if row["sequence"] < first:
            continue
        if row["sequence"] == first:
            row["client_address"] = "198.51.100.66"
        else:
            row["prev_hash"] = previous
        row["hash"] = audit.hash_of(row)
        previous = row["hash"]
        _sql(
            db,
            "UPDATE audit_event SET client_address = :address, prev_hash = :prev, hash = :hash "
            "WHERE sequence = :sequence",
            address=row["client_address"],
            prev=row["prev_hash"],
            hash=row["hash"],
            sequence=row["sequence"],
        )


def _swap(db: Session, first: int, second: int) -> None:
    _sql(db, "UPDATE audit_event SET sequence = -1 WHERE sequence = :a", a=first)
    _sql(db, "UPDATE audit_event SET sequence = :a WHERE sequence = :b", a=first, b=second)
    _sql(db, "UPDATE audit_event SET sequence = :b WHERE sequence = -1", b=second)


def _insert_forged(db: Session, position: int) -> None:
    """Insert a well-formed event at `position`, moving the events from there one place on."""
    rows = {row["sequence"]: row for row in _rows(db)}
    _sql(db, "UPDATE audit_event SET sequence = -sequence - 1 WHERE sequence >= :p", p=position)
    _sql(db, "UPDATE audit_event SET sequence = -sequence WHERE sequence < 0")
    forged = {**rows[position], "sequence": position, "action": "plan.forged"}
    forged["prev_hash"] = rows[position - 1]["hash"] if position > 1 else audit.GENESIS_HASH
    forged["hash"] = audit.hash_of(forged)
    del forged["id"]
    _sql(db, insert(EVENT_TABLE).values(**forged))


@dataclass(frozen=True)
class Chain:
    """Events added by a test, after whatever the database already holds (other tests may commit)."""

    events: list[AuditEvent]
    first: int
    head: int
    ids: list[int]
    head_hash: str

    def at(self, number: int) -> int:
        """The sequence of the test's `number`th event (1-based)."""
        return self.first + number - 1


@pytest.fixture
def chain(db_session: Session, sequencer: Callable[[], int]) -> Chain:
    events = [_record(db_session, number) for number in range(1, EVENTS + 1)]
    sequencer()
    for event in events:
        db_session.refresh(event)
    ids = [id_of(event) for event in events]
    first, head = events[0].sequence, events[-1].sequence
    assert first is not None
    assert head is not None
    assert events[-1].hash is not None
    return Chain(events, first, head, ids, events[-1].hash)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "checkpoints"


def _problem(verification: Verification) -> tuple[int, str]:
    assert verification.problem is not None, "the tampering was not caught"
    return verification.problem.sequence, verification.problem.message


def test_events_form_one_chain_numbered_without_gaps(chain: Chain, db_session: Session) -> None:
    events = chain.events
    assert [event.sequence for event in events] == [chain.at(n) for n in range(1, EVENTS + 1)]
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    assert [event.plan_id for event in events] == list(range(1, EVENTS + 1))

    verification = verify_chain(db_session)

    assert verification.whole
    assert (verification.events, verification.head_sequence) == (chain.head, chain.head)
    assert verification.head_hash == events[-1].hash


def test_the_first_event_follows_the_genesis_hash(command_database: str) -> None:
    _commit_events(command_database, 2)
    engine = create_engine(command_database)
    with Session(engine) as db:
        first, second = _rows(db)
    engine.dispose()

    assert (first["sequence"], first["prev_hash"]) == (1, audit.GENESIS_HASH)
    assert (second["sequence"], second["prev_hash"]) == (2, first["hash"])


def test_the_hash_covers_the_canonical_json_form_of_the_event() -> None:
    fields = dict.fromkeys(audit.CHAINED_FIELDS) | {
        "sequence": 7,
        "prev_hash": "ab" * 32,
        "occurred_at": datetime(2026, 3, 3, 14, 5, tzinfo=UTC),
        "action": "plan.read",
        "channel": Channel.PAGE,
        "outcome": Outcome.DONE,
        "details": {"b": 1, "a": "é\n"},
    }

    form = audit.canonical_form(fields)

    assert form == (
        b'{"action":"plan.read","actor_id":null,"actor_organisation_id":null,"actor_role":null,'
        b'"channel":"page","client_address":null,"details":{"a":"\xc3\xa9\\n","b":1},"object_id":null,'
        b'"object_type":null,"occurred_at":"2026-03-03T14:05:00.000000Z","outcome":"done","plan_id":null,'
        b'"prev_hash":"' + b"ab" * 32 + b'","reason":null,"request_id":null,"sequence":7,"v":1}'
    )
    assert audit.hash_of(fields) == hashlib.sha256(form).hexdigest()


def test_form_2_covers_the_digest_of_a_typed_reason_not_its_words() -> None:
    fields = dict.fromkeys(audit.CHAINED_FIELDS) | {
        "hash_version": 2,
        "sequence": 7,
        "prev_hash": "ab" * 32,
        "occurred_at": datetime(2026, 3, 3, 14, 5, tzinfo=UTC),
        "action": "plan.cease",
        "channel": Channel.PAGE,
        "outcome": Outcome.DONE,
        "reason_digest": audit.reason_digest("00" * 16, "Moved away."),
        "details": {},
    }

    form = audit.canonical_form(fields)

    assert form == (
        b'{"action":"plan.cease","actor_id":null,"actor_organisation_id":null,"actor_role":null,'
        b'"channel":"page","client_address":null,"details":{},"object_id":null,"object_type":null,'
        b'"occurred_at":"2026-03-03T14:05:00.000000Z","outcome":"done","plan_id":null,'
        b'"prev_hash":"'
        + b"ab" * 32
        + b'","reason":null,"reason_digest":"'
        + hashlib.sha256(bytes(16) + b"Moved away.").hexdigest().encode()
        + b'","request_id":null,"sequence":7,"v":2}'
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(value=json_values)
def test_the_fast_canonical_form_is_rfc_8785_exactly(value: Any) -> None:
    try:
        expected: bytes | type[Exception] = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        expected = rfc8785.CanonicalizationError
    try:
        actual: bytes | type[Exception] = audit.canonical_json(value)
    except rfc8785.CanonicalizationError:
        actual = rfc8785.CanonicalizationError
    assert actual == expected


def test_a_changed_event_is_named(chain: Chain, db_session: Session) -> None:
    _sql(
        db_session, "UPDATE audit_event SET client_address = '203.0.113.9' WHERE sequence = :s", s=chain.at(5)
    )

    sequence, message = _problem(verify_chain(db_session))

    assert sequence == chain.at(5)
    assert f"event {chain.at(5)} (id {chain.ids[4]}, plan.read" in message
    assert "altered" in message


def test_changed_details_are_named(chain: Chain, db_session: Session) -> None:
    _sql(
        db_session,
        """UPDATE audit_event SET details = '{"plan_id": 99}' WHERE sequence = :s""",
        s=chain.at(8),
    )

    assert _problem(verify_chain(db_session))[0] == chain.at(8)


def test_a_deleted_event_is_named(chain: Chain, db_session: Session) -> None:
    _sql(db_session, "DELETE FROM audit_event WHERE sequence = :s", s=chain.at(5))

    sequence, message = _problem(verify_chain(db_session))

    assert sequence == chain.at(5)
    assert message.startswith(
        f"The event numbered {chain.at(5)} is missing: the chain goes on at event {chain.at(6)}"
    )


def test_two_swapped_events_are_named(chain: Chain, db_session: Session) -> None:
    _swap(db_session, chain.at(4), chain.at(9))

    sequence, message = _problem(verify_chain(db_session))

    assert sequence == chain.at(4)
    assert f"id {chain.ids[8]}" in message


def test_an_inserted_event_is_named(chain: Chain, db_session: Session) -> None:
    _insert_forged(db_session, chain.at(6))

    sequence, message = _problem(verify_chain(db_session))

    # The forged event is well formed; the real event after it no longer follows it.
    assert sequence == chain.at(7)
    assert f"id {chain.ids[5]}" in message
    assert "does not follow" in message


def test_an_event_added_at_the_end_without_its_chain_is_named(chain: Chain, db_session: Session) -> None:
    values = {**audit.fields_of(chain.events[-1]), "sequence": chain.head + 1, "hash": "1" * 64}
    _sql(db_session, insert(EVENT_TABLE).values(**values))

    assert _problem(verify_chain(db_session))[0] == chain.head + 1


def test_a_truncated_tail_is_caught_by_a_checkpoint(
    chain: Chain, db_session: Session, settings: Settings, folder: Path
) -> None:
    checkpoint = _checkpoint_at(db_session, settings, folder, chain.head)
    _sql(db_session, "DELETE FROM audit_event WHERE sequence > :keep", keep=chain.head - 3)

    assert verify_chain(db_session).whole  # the chain alone cannot tell
    sequence, message = _problem(verify_chain(db_session, [checkpoint]))

    assert sequence == chain.head - 2
    assert f"stops before event {chain.head}" in message
    assert "removed from the end" in message


def test_a_tail_rewritten_with_every_hash_recomputed_is_caught_by_a_checkpoint(
    chain: Chain, db_session: Session, settings: Settings, folder: Path
) -> None:
    checkpoints = [
        _checkpoint_at(db_session, settings, folder, sequence) for sequence in (chain.at(6), chain.head)
    ]
    _rewrite_from(db_session, chain.at(4))

    assert verify_chain(db_session).whole  # the chain alone cannot tell
    sequence, message = _problem(verify_chain(db_session, checkpoints))

    assert sequence == chain.at(6)
    assert f"rewritten at or before event {chain.at(6)}" in message


def test_checkpoints_are_signed_and_a_forged_one_fails_the_check(
    chain: Chain, db_session: Session, settings: Settings, folder: Path
) -> None:
    _checkpoint_at(db_session, settings, folder, chain.head)
    key = signing_key(settings).public_key()
    assert [checkpoint.sequence for checkpoint in read_checkpoints([folder], key)] == [chain.head]

    other = Settings(environment=Environment.TEST, secret_key="another-secret", data_dir=folder)
    with pytest.raises(CheckpointProblem, match="not signed with this OnePlan's audit key"):
        read_checkpoints([folder], signing_key(other).public_key())

    path = next(folder.glob("*.json"))
    document = json.loads(path.read_text())
    path.write_text(json.dumps({**document, "head_hash": "f" * 64}))
    verification = verify_trail(db_session, settings, [folder])
    assert not verification.whole
    assert verification.problem is not None
    assert "is not signed with this OnePlan's audit key" in verification.problem.message


def test_a_checkpoint_is_made_only_of_a_whole_chain(
    chain: Chain, db_session: Session, settings: Settings, tmp_path: Path, sequencer: Callable[[], int]
) -> None:
    own = settings.model_copy(update={"audit_checkpoint_dir": tmp_path / "own"})

    first = make_checkpoint(db_session, own)
    again = make_checkpoint(db_session, own)
    _record(db_session, 99)
    sequencer()
    _sql(db_session, "UPDATE audit_event SET action = 'plan.hidden' WHERE sequence = :s", s=chain.head + 1)
    refused = make_checkpoint(db_session, own)

    assert first.new
    assert first.checkpoint is not None
    assert (first.checkpoint.sequence, first.checkpoint.head_hash) == (chain.head, chain.head_hash)
    assert not again.new
    assert again.verification.events == 1  # only from the latest checkpoint on
    assert refused.checkpoint is None
    assert refused.verification.problem is not None
    assert refused.verification.problem.sequence == chain.head + 1
    assert [path.name for path in (tmp_path / "own").iterdir()] == [f"checkpoint-{chain.head:012d}.json"]


# Many random tamperings: each is caught; an untouched chain never raises a false alarm. ---------

Tampering = tuple[str, int, int]

tamperings = st.one_of(
    st.tuples(st.just("none"), st.just(0), st.just(0)),
    st.tuples(st.just("change"), st.integers(1, EVENTS), st.integers(0, 7)),
    st.tuples(st.just("delete"), st.integers(1, EVENTS), st.just(0)),
    st.tuples(st.just("swap"), st.integers(1, EVENTS - 1), st.integers(1, EVENTS - 1)),
    st.tuples(st.just("insert"), st.integers(2, EVENTS), st.just(0)),
    st.tuples(st.just("truncate"), st.integers(1, EVENTS), st.just(0)),
    st.tuples(st.just("rewrite"), st.integers(1, EVENTS), st.just(0)),
)

CHANGES: list[dict[str, Any]] = [
    {"action": "plan.hidden"},
    {"client_address": "203.0.113.9"},
    {"reason": "not what was said"},
    {"details": {"plan_id": 1}},
    {"occurred_at": datetime(2020, 1, 1, tzinfo=UTC)},
    {"actor_role": "administrator"},
    {"reason_digest": "0" * 64},
    {"hash_version": None},
]


def _tamper(db: Session, chain: Chain, tampering: Tampering) -> None:
    kind, number, other = tampering
    position = chain.at(number)
    if kind == "change":
        _sql(db, update(EVENT_TABLE).where(EVENT_TABLE.c.sequence == position).values(**CHANGES[other]))
    elif kind == "delete":
        _sql(db, "DELETE FROM audit_event WHERE sequence = :s", s=position)
    elif kind == "swap":
        _swap(db, position, chain.at(number + 1 + other % (EVENTS - number)))
    elif kind == "insert":
        _insert_forged(db, position)
    elif kind == "truncate":
        _sql(db, "DELETE FROM audit_event WHERE sequence >= :s", s=position)
    elif kind == "rewrite":
        _rewrite_from(db, position)


@pytest.fixture
def checkpointed(chain: Chain, db_session: Session, settings: Settings, folder: Path) -> list[Checkpoint]:
    return [_checkpoint_at(db_session, settings, folder, chain.head)]


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tampering=tamperings)
def test_every_random_tampering_is_caught_and_an_untouched_chain_passes(
    tampering: Tampering, chain: Chain, checkpointed: list[Checkpoint], db_session: Session
) -> None:
    savepoint = db_session.begin_nested()
    try:
        _tamper(db_session, chain, tampering)
        verification = verify_chain(db_session, checkpointed)
    finally:
        savepoint.rollback()
        db_session.expire_all()
    if tampering[0] == "none":
        assert verification.whole, verification.problem
        assert verification.head_sequence == chain.head
    else:
        assert verification.problem is not None, f"{tampering} was not caught"
        assert chain.at(1) <= verification.problem.sequence <= chain.head + 1


# The command ----------------------------------------------------------------------------------


def _commit_events(url: str, count: int, offset: int = 0) -> None:
    """Commit events one by one, each writer also running the sequencer (as many workers would)."""
    engine = create_engine(url)
    try:
        for number in range(offset, offset + count):
            with Session(engine) as db:
                _record(db, number + 1)
                db.commit()
            chain_pending(engine)
    finally:
        engine.dispose()


def _tamper_committed(url: str, statement: str) -> None:
    engine = create_engine(url)
    with Session(engine) as db:
        _sql(db, statement)
        db.commit()
    engine.dispose()


def test_the_command_verifies_checkpoints_and_names_the_first_bad_event(
    command_database: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    _commit_events(command_database, 5)

    whole = runner.invoke(cli, ["audit", "verify"])
    made = runner.invoke(cli, ["audit", "checkpoint"])
    _tamper_committed(command_database, "DELETE FROM audit_event WHERE sequence = 5")
    cut = runner.invoke(cli, ["audit", "verify"])
    _tamper_committed(command_database, "UPDATE audit_event SET reason = 'x' WHERE sequence = 2")
    changed = runner.invoke(cli, ["audit", "verify", "--checkpoints", str(tmp_path / "elsewhere")])
    public_key = runner.invoke(cli, ["audit", "public-key"])

    assert whole.exit_code == 0, whole.output
    assert "Checked 5 events in " in whole.output
    assert "events a second" in whole.output
    assert "The audit trail is whole: its head is event 5." in whole.output
    assert made.exit_code == 0, made.output
    assert (tmp_path / "audit-checkpoints" / f"checkpoint-{5:012d}.json").is_file()
    assert cut.exit_code == 1
    assert "Checked 4 events against 1 checkpoint in " in cut.output
    assert "The chain stops before event 5" in cut.output
    assert changed.exit_code == 1
    assert "The chain is broken at event 2 (id 2, item.revised at" in changed.output
    assert public_key.output.startswith("ed25519 ")


@pytest.mark.skipif(not on_postgres(), reason="the append-only trigger is PostgreSQL's")
def test_postgres_refuses_update_delete_and_truncate_of_events(chain: Chain, db_session: Session) -> None:
    for statement in (
        f"UPDATE audit_event SET reason = 'covered up' WHERE sequence = {chain.at(2)}",
        f"DELETE FROM audit_event WHERE sequence = {chain.at(2)}",
        # CASCADE: the typed reasons beside the events (audit_reason) name them, so a plain TRUNCATE is
        # refused before the trigger is asked; with them, the trigger refuses it.
        "TRUNCATE audit_event CASCADE",
    ):
        savepoint = db_session.begin_nested()
        with pytest.raises(DBAPIError, match="audit_event is append-only"):
            db_session.execute(text(statement))
        savepoint.rollback()
    assert verify_chain(db_session).whole


@pytest.mark.skipif(
    not on_postgres(),
    reason="SQLite has one writer at a time and the app runs one process on it; the test is for PostgreSQL",
)
def test_several_processes_writing_at_once_leave_one_chain(
    command_database: str, db_session: Session
) -> None:
    processes, each = 4, 40
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        pool.starmap(_commit_events, [(command_database, each, number * each) for number in range(processes)])

    engine = create_engine(command_database)
    with Session(engine) as db:
        verification = verify_chain(db)
    engine.dispose()

    assert verification.whole, verification.problem
    assert verification.events == processes * each


def test_events_written_before_the_chain_existed_join_it_in_order(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        migrate.upgrade(url, "73cf59076866")
        engine = create_engine(url)
        with engine.begin() as connection:
            for number, (object_type, details) in enumerate(
                [("plan", "{}"), ("item", '{"plan_id": 7}'), (None, "{}")], start=1
            ):
                connection.execute(
                    text(
                        "INSERT INTO audit_event (occurred_at, action, object_type, object_id, channel, "
                        "outcome, details) VALUES (:at, 'plan.read', :type, :id, 'page', 'done', :details)"
                    ),
                    {
                        "at": datetime(2026, 3, number, tzinfo=UTC),
                        "type": object_type,
                        "id": str(number),
                        "details": details,
                    },
                )
        migrate.upgrade(url)
        with Session(engine) as db:
            verification = verify_chain(db)
            rows = _rows(db)
        engine.dispose()

    assert verification.whole, verification.problem
    assert [(row["sequence"], row["plan_id"]) for row in rows] == [(1, 1), (2, 7), (3, None)]


def test_an_auditor_checks_a_checkpoint_with_the_public_key_alone(
    chain: Chain, db_session: Session, settings: Settings, folder: Path
) -> None:
    """What the README promises: the signature covers the canonical JSON of the four signed fields."""
    _checkpoint_at(db_session, settings, folder, chain.head)
    document = json.loads(next(folder.glob("*.json")).read_text())
    public_key_text = public_key_text_of(signing_key(settings).public_key())

    signed = {name: document[name] for name in ("format", "sequence", "head_hash", "made_at")}
    message = json.dumps(signed, sort_keys=True, separators=(",", ":")).encode()
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_text))

    key.verify(base64.b64decode(document["signature"]), message)  # raises if it does not check out
    assert (document["sequence"], document["head_hash"]) == (chain.head, chain.head_hash)
