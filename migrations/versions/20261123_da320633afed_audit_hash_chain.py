"""audit hash chain: sequence, prev_hash, hash and plan_id; append-only on PostgreSQL

Revision ID: da320633afed
Revises: 73cf59076866
Create Date: 2026-11-23 14:23:32.955237
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from app.services.audit import GENESIS_HASH, hash_of, plan_id_of
from app.services.audit.events import FORM_1_FIELDS

revision: str = "da320633afed"
down_revision: str | None = "73cf59076866"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_event_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""

_events = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("sequence", sa.BigInteger()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
    sa.column("actor_id", sa.Integer()),
    sa.column("actor_role", sa.String()),
    sa.column("actor_organisation_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("object_type", sa.String()),
    sa.column("object_id", sa.String()),
    sa.column("plan_id", sa.Integer()),
    sa.column("channel", sa.String()),
    sa.column("client_address", sa.String()),
    sa.column("request_id", sa.String()),
    sa.column("outcome", sa.String()),
    sa.column("reason", sa.String()),
    sa.column("details", sa.JSON()),
)


def _chain_existing_events() -> None:
    """Events written before the chain existed join it in the order they were written."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(_events).order_by(_events.c.id)).mappings().all()
    prev_hash = GENESIS_HASH
    for sequence, row in enumerate(rows, start=1):
        fields = dict(row)
        fields["details"] = fields["details"] or {}
        fields["plan_id"] = plan_id_of(fields["object_type"], fields["object_id"], fields["details"])
        fields["sequence"] = sequence
        fields["prev_hash"] = prev_hash
        # Hash form 1 (the form of its day: no `hash_version`), as every event chained then.
        prev_hash = hash_of({name: fields[name] for name in FORM_1_FIELDS})
        connection.execute(
            _events.update()
            .where(_events.c.id == row["id"])
            .values(
                sequence=sequence, prev_hash=fields["prev_hash"], hash=prev_hash, plan_id=fields["plan_id"]
            )
        )


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))

    _chain_existing_events()

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("sequence", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column(
            "prev_hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        )
        batch_op.alter_column(
            "hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        )
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_id"))
        batch_op.create_index("ix_audit_event_action_sequence", ["action", "sequence"], unique=False)
        batch_op.create_index("ix_audit_event_actor_id_sequence", ["actor_id", "sequence"], unique=False)
        batch_op.create_index(
            "ix_audit_event_actor_organisation_id_sequence",
            ["actor_organisation_id", "sequence"],
            unique=False,
        )
        batch_op.create_index("ix_audit_event_occurred_at", ["occurred_at"], unique=False)
        batch_op.create_index("ix_audit_event_plan_id_sequence", ["plan_id", "sequence"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_event_sequence"), ["sequence"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER audit_event_no_update_or_delete ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_event_sequence"), type_="unique")
        batch_op.drop_index("ix_audit_event_plan_id_sequence")
        batch_op.drop_index("ix_audit_event_occurred_at")
        batch_op.drop_index("ix_audit_event_actor_organisation_id_sequence")
        batch_op.drop_index("ix_audit_event_actor_id_sequence")
        batch_op.drop_index("ix_audit_event_action_sequence")
        batch_op.create_index(batch_op.f("ix_audit_event_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.drop_column("plan_id")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("sequence")
