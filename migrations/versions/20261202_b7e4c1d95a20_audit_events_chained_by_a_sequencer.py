"""audit events chained by a sequencer: sequence, prev_hash and hash empty until linked

Revision ID: b7e4c1d95a20
Revises: 6124879923f2
Create Date: 2026-12-02 12:00:00.000000

A request now commits its event unchained; the sequencer links committed events into the chain
(one UPDATE per event that fills in the three chain columns). On PostgreSQL the append-only
trigger lets exactly that update through and still refuses every other UPDATE, and every DELETE.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "b7e4c1d95a20"
down_revision: str | None = "6124879923f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SEQUENCER_MAY_LINK = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.sequence IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
        AND NEW.sequence IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
        AND (to_jsonb(NEW) - 'sequence' - 'prev_hash' - 'hash')
            = (to_jsonb(OLD) - 'sequence' - 'prev_hash' - 'hash')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _alter_chain_columns(nullable: bool) -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("sequence", existing_type=sa.BigInteger(), nullable=nullable)
        for name in ("prev_hash", "hash"):
            batch_op.alter_column(
                name, existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=nullable
            )


def upgrade() -> None:
    _alter_chain_columns(nullable=True)
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_event_unchained",
            ["id"],
            unique=False,
            postgresql_where=sa.text("sequence IS NULL"),
            sqlite_where=sa.text("sequence IS NULL"),
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SEQUENCER_MAY_LINK)


def downgrade() -> None:
    waiting = op.get_bind().execute(sa.text("SELECT count(*) FROM audit_event WHERE sequence IS NULL"))
    if count := waiting.scalar():
        raise RuntimeError(f"{count} audit events are not chained yet: run `oneplan audit chain` first.")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_unchained")
    _alter_chain_columns(nullable=False)
