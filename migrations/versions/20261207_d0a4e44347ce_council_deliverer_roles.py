"""roles a local authority adds to the list of who delivers provision; a provision's role holds a
built-in role's value or the name of a council's role (old values read as before)

Revision ID: d0a4e44347ce
Revises: b5e1c2d9f3a7
Create Date: 2026-12-07 11:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d0a4e44347ce"
down_revision: str | None = "b5e1c2d9f3a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "council_deliverer_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("local_authority_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["local_authority_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("local_authority_id", "label"),
    )
    op.create_index(
        op.f("ix_council_deliverer_role_local_authority_id"),
        "council_deliverer_role",
        ["local_authority_id"],
        unique=False,
    )
    # The built-in roles' values (at most 32 characters) stay as they are; a council's role is kept by name.
    with op.batch_alter_table("item_revision") as revision_table:
        revision_table.alter_column(
            "deliverer_role", existing_type=sa.String(length=32), type_=sa.String(length=100)
        )


def downgrade() -> None:
    with op.batch_alter_table("item_revision") as revision_table:
        revision_table.alter_column(
            "deliverer_role", existing_type=sa.String(length=100), type_=sa.String(length=32)
        )
    op.drop_index(op.f("ix_council_deliverer_role_local_authority_id"), table_name="council_deliverer_role")
    op.drop_table("council_deliverer_role")
