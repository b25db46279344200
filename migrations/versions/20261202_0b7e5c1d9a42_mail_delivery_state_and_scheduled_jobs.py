"""mail delivery state and scheduled jobs

Revision ID: 0b7e5c1d9a42
Revises: b7e4c1d95a20
Create Date: 2026-12-02 11:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0b7e5c1d9a42"
down_revision: str | None = "b7e4c1d95a20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_job",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduled_job")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column(
            "error",
            new_column_name="last_error",
            existing_type=sa.String(length=500),
            existing_nullable=True,
        )
    # What the earlier outbox recorded: sent, or refused once (it never tried again), or neither, which
    # means no SMTP host was set when it was written (delivery followed the commit at once): kept, so
    # that configuring a host now does not send month-old links.
    op.execute(
        "UPDATE outbox_message SET state = CASE"
        " WHEN sent_at IS NOT NULL THEN 'sent'"
        " WHEN last_error IS NOT NULL THEN 'failed'"
        " ELSE 'kept' END,"
        " attempts = CASE WHEN sent_at IS NOT NULL OR last_error IS NOT NULL THEN 1 ELSE 0 END,"
        " next_attempt_at = created_at"
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("state", existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column("attempts", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("next_attempt_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index(
            "ix_outbox_message_state_next_attempt_at", ["state", "next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_state_next_attempt_at")
        batch_op.alter_column(
            "last_error",
            new_column_name="error",
            existing_type=sa.String(length=500),
            existing_nullable=True,
        )
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("state")
    op.drop_table("scheduled_job")
