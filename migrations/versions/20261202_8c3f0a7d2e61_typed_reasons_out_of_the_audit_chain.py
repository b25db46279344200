"""typed reasons out of the audit chain: words in audit_reason (erasable), their digest in the event

Revision ID: 8c3f0a7d2e61
Revises: 5d2a8e61c0f3
Create Date: 2026-12-02 16:20:00.000000

Words a person typed as an event's reason (why a plan ended, why agreed provision changed, why a
time limit does not apply) leave `audit_event.reason` for `audit_reason`, keyed by the event, with
a random salt; the event keeps `reason_digest` = SHA-256(salt bytes, then the words in UTF-8).

Events already chained keep their hash, which covered the words (hash form 1, `hash_version` null):
verification puts the words back from `audit_reason` to recompute it, and once they are erased it
reports the event as "words erased", its place still proved by the next event's `prev_hash`. Events
not yet chained become form 2 (`hash_version` 2), whose hash covers the digest instead of the words.

On PostgreSQL the append-only trigger is switched off for this transaction only (an owner's step,
as a migration is), so that these rows can lose their words; it is switched on again before the end.
"""

import hashlib
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "8c3f0a7d2e61"
down_revision: str | None = "5d2a8e61c0f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPED_REASON_ACTIONS = (
    "item.revised",
    "provision.ended",
    "timeline.exception_recorded",
    "plan.send_for_consultation",
    "plan.issue",
    "plan.start_review",
    "plan.cease",
    "plan.move_to_stage",
    "plan.close",
)
"""The events whose reason was typed by a person (every other reason is stated by the code)."""
TRIGGER = "audit_event_no_update_or_delete"


def _digest(salt: str, words: str) -> str:
    """As `app.services.audit.events.reason_digest` (copied: a migration does not change with the app)."""
    return hashlib.sha256(bytes.fromhex(salt) + words.encode()).hexdigest()


def _append_only(on: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE audit_event {'ENABLE' if on else 'DISABLE'} TRIGGER {TRIGGER}")


def upgrade() -> None:
    op.create_table(
        "audit_reason",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("salt", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("words", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["audit_event.id"], name=op.f("fk_audit_reason_event_id_audit_event")
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_audit_reason")),
    )
    # Added without a table rebuild (plain ALTER TABLE ADD on SQLite and PostgreSQL alike).
    op.add_column("audit_event", sa.Column("reason_digest", sqlmodel.sql.sqltypes.AutoString(length=64)))
    op.add_column("audit_event", sa.Column("hash_version", sa.SmallInteger()))
    connection = op.get_bind()
    typed = connection.execute(
        sa.text(
            "SELECT id, reason FROM audit_event WHERE reason IS NOT NULL AND action IN :actions"
        ).bindparams(sa.bindparam("actions", expanding=True)),
        {"actions": list(TYPED_REASON_ACTIONS)},
    ).all()
    moved = []
    for event_id, words in typed:
        salt = secrets.token_hex(16)
        moved.append({"event_id": event_id, "salt": salt, "words": words, "digest": _digest(salt, words)})
    _append_only(False)
    if moved:
        connection.execute(
            sa.text("INSERT INTO audit_reason (event_id, salt, words) VALUES (:event_id, :salt, :words)"),
            moved,
        )
        connection.execute(
            sa.text("UPDATE audit_event SET reason = NULL, reason_digest = :digest WHERE id = :event_id"),
            moved,
        )
    # Not yet chained: the sequencer will hash these in form 2.
    op.execute("UPDATE audit_event SET hash_version = 2 WHERE sequence IS NULL")
    _append_only(True)


def downgrade() -> None:
    connection = op.get_bind()
    newer = connection.execute(
        sa.text("SELECT count(*) FROM audit_event WHERE hash_version IS NOT NULL AND sequence IS NOT NULL")
    ).scalar()
    if newer:
        raise RuntimeError(
            f"{newer} audit events are chained in hash form 2, which the earlier version cannot check."
        )
    erased = connection.execute(
        sa.text(
            "SELECT count(*) FROM audit_event WHERE reason_digest IS NOT NULL AND id NOT IN "
            "(SELECT event_id FROM audit_reason)"
        )
    ).scalar()
    if erased:
        raise RuntimeError(f"{erased} audit events' typed reasons have been erased: they cannot go back.")
    _append_only(False)
    op.execute(
        "UPDATE audit_event SET reason = (SELECT words FROM audit_reason WHERE event_id = audit_event.id) "
        "WHERE reason_digest IS NOT NULL"
    )
    _append_only(True)
    op.execute("ALTER TABLE audit_event DROP COLUMN hash_version")
    op.execute("ALTER TABLE audit_event DROP COLUMN reason_digest")
    op.drop_table("audit_reason")
