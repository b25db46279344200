"""how far each person has read each plan (what is new since they last looked)

Revision ID: 4b8d2f6a9c31
Revises: 1e5a74b908b8
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4b8d2f6a9c31"
down_revision: str | None = "1e5a74b908b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_seen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "plan_id"),
    )
    op.create_index(op.f("ix_plan_seen_person_id"), "plan_seen", ["person_id"], unique=False)
    op.create_index(op.f("ix_plan_seen_plan_id"), "plan_seen", ["plan_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_seen_plan_id"), table_name="plan_seen")
    op.drop_index(op.f("ix_plan_seen_person_id"), table_name="plan_seen")
    op.drop_table("plan_seen")
