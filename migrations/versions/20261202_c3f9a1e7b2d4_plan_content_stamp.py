"""plans carry a content stamp, renewed whenever a change to the plan commits

Revision ID: c3f9a1e7b2d4
Revises: 8c3f0a7d2e61
Create Date: 2026-12-02 16:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3f9a1e7b2d4"
down_revision: str | None = "8c3f0a7d2e61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing plans start with an empty stamp: the first change gives each a random one.
    with op.batch_alter_table("plan") as plan:
        plan.add_column(sa.Column("content_stamp", sa.String(length=32), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("plan") as plan:
        plan.drop_column("content_stamp")
