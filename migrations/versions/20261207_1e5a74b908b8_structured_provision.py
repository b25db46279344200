"""structured provision: minutes a session, group size, the deliverer's role, expertise, where, end date

Revision ID: 1e5a74b908b8
Revises: c3f9a1e7b2d4
Create Date: 2026-12-07 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "1e5a74b908b8"
down_revision: str | None = "c3f9a1e7b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every new particular is optional: existing revisions keep their words and stay valid as they are.
    with op.batch_alter_table("item_revision") as revision_table:
        revision_table.add_column(sa.Column("session_minutes", sa.Integer(), nullable=True))
        revision_table.add_column(sa.Column("group_size", sa.String(length=32), nullable=True))
        revision_table.add_column(sa.Column("group_of", sa.Integer(), nullable=True))
        revision_table.add_column(sa.Column("deliverer_role", sa.String(length=32), nullable=True))
        revision_table.add_column(
            sa.Column("expertise", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        revision_table.add_column(
            sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        revision_table.add_column(sa.Column("ends_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("item_revision") as revision_table:
        for column in ("ends_on", "location", "expertise", "deliverer_role", "group_of", "group_size"):
            revision_table.drop_column(column)
        revision_table.drop_column("session_minutes")
