"""individual support plans: a layer of support and its history, a duty holder, review dates; a
council's words for the ISP and its layers

Revision ID: 7c1e9a3d5b28
Revises: 7c3e91a5d20f
Create Date: 2026-12-07 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e9a3d5b28"
down_revision: str | None = "7c3e91a5d20f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The plan's kind is text: "isp" needs no change to it. Every new column is optional.
    with op.batch_alter_table("plan") as plan_table:
        plan_table.add_column(sa.Column("support_layer", sa.String(length=32), nullable=True))
        plan_table.add_column(sa.Column("duty_holder_id", sa.Integer(), nullable=True))
        plan_table.add_column(sa.Column("next_review_on", sa.Date(), nullable=True))
        plan_table.create_foreign_key("fk_plan_duty_holder_id_person", "person", ["duty_holder_id"], ["id"])
    op.create_table(
        "support_layer_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("layer", sa.String(length=32), nullable=False),
        sa.Column("previous_layer", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["changed_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_support_layer_change_plan_id"), "support_layer_change", ["plan_id"], unique=False
    )
    op.create_table(
        "plan_wording",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("local_authority_id", sa.Integer(), nullable=False),
        sa.Column("plan_name", sa.String(length=80), nullable=False),
        sa.Column("targeted", sa.String(length=60), nullable=False),
        sa.Column("targeted_plus", sa.String(length=60), nullable=False),
        sa.Column("specialist", sa.String(length=60), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["changed_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["local_authority_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("local_authority_id"),
    )


def downgrade() -> None:
    op.drop_table("plan_wording")
    op.drop_index(op.f("ix_support_layer_change_plan_id"), table_name="support_layer_change")
    op.drop_table("support_layer_change")
    with op.batch_alter_table("plan") as plan_table:
        plan_table.drop_constraint("fk_plan_duty_holder_id_person", type_="foreignkey")
        plan_table.drop_column("next_review_on")
        plan_table.drop_column("duty_holder_id")
        plan_table.drop_column("support_layer")
