"""concerns raised with the setting, complaints to the council, the council's time to answer

Revision ID: 7c2e9d4a1f58
Revises: 9d3e6b1f7a42
Create Date: 2026-12-07 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7c2e9d4a1f58"
down_revision: str | None = "9d3e6b1f7a42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_concern",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("about", sa.String(length=32), nullable=False),
        sa.Column("section", sa.String(length=32), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("words", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("answer_days", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("escalated_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["person.id"], name=op.f("fk_plan_concern_answered_by_id_person")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_plan_concern_item_id_item")),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_plan_concern_plan_id_plan")),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["person.id"], name=op.f("fk_plan_concern_raised_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_concern")),
    )
    with op.batch_alter_table("plan_concern", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_concern_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("local_authority_id", sa.Integer(), nullable=False),
        sa.Column("made_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("taken_on", sa.Date(), nullable=True),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["person.id"], name=op.f("fk_complaint_answered_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["concern_id"], ["plan_concern.id"], name=op.f("fk_complaint_concern_id_plan_concern")
        ),
        sa.ForeignKeyConstraint(["handler_id"], ["person.id"], name=op.f("fk_complaint_handler_id_person")),
        sa.ForeignKeyConstraint(
            ["local_authority_id"],
            ["organisation.id"],
            name=op.f("fk_complaint_local_authority_id_organisation"),
        ),
        sa.ForeignKeyConstraint(["made_by_id"], ["person.id"], name=op.f("fk_complaint_made_by_id_person")),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_complaint_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
        sa.UniqueConstraint("concern_id", name=op.f("uq_complaint_concern_id")),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_local_authority_id"), ["local_authority_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_complaint_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "concern_time",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("local_authority_id", sa.Integer(), nullable=False),
        sa.Column("answer_days", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["person.id"], name=op.f("fk_concern_time_changed_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["local_authority_id"],
            ["organisation.id"],
            name=op.f("fk_concern_time_local_authority_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_time")),
        sa.UniqueConstraint("local_authority_id", name=op.f("uq_concern_time_local_authority_id")),
    )


def downgrade() -> None:
    op.drop_table("concern_time")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_plan_id"))
        batch_op.drop_index(batch_op.f("ix_complaint_local_authority_id"))
    op.drop_table("complaint")
    with op.batch_alter_table("plan_concern", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_concern_plan_id"))
    op.drop_table("plan_concern")
