"""view drafts: a parent's answers saved to finish later (theirs only); what a child calls a parent

Revision ID: 4b8d2f6a9c13
Revises: 4b8d2f6a9c31
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4b8d2f6a9c13"
down_revision: str | None = "4b8d2f6a9c31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "view_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_view_draft_person_id_person")),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_view_draft_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_view_draft")),
        sa.UniqueConstraint("plan_id", "person_id", name=op.f("uq_view_draft_plan_id")),
    )
    with op.batch_alter_table("view_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_view_draft_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_view_draft_plan_id"), ["plan_id"], unique=False)
    with op.batch_alter_table("family_link") as family_link:
        family_link.add_column(sa.Column("child_calls", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("family_link") as family_link:
        family_link.drop_column("child_calls")
    with op.batch_alter_table("view_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_view_draft_plan_id"))
        batch_op.drop_index(batch_op.f("ix_view_draft_person_id"))
    op.drop_table("view_draft")
