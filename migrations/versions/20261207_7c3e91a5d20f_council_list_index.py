"""the council's list of children and plans walks an index by council and name

Revision ID: 7c3e91a5d20f
Revises: d0a4e44347ce
Create Date: 2026-12-07 11:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c3e91a5d20f"
down_revision: str | None = "d0a4e44347ce"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_child_council_name", "child", ["local_authority_id", "full_name", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_child_council_name", table_name="child")
