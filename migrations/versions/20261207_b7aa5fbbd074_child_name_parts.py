"""child name parts: the start of each word of each child's name, the council list's search index

Revision ID: b7aa5fbbd074
Revises: 2e6d90adaed1
Create Date: 2026-12-07 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.child_names import name_part_rows

revision: str = "b7aa5fbbd074"
down_revision: str | None = "2e6d90adaed1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1_000
"""Children read and indexed at a time."""


def upgrade() -> None:
    part = op.create_table(
        "child_name_part",
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=24), nullable=False),
        sa.Column("local_authority_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["local_authority_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("child_id", "prefix"),
    )
    assert part is not None
    # Every child there is, indexed as the app indexes a new one (app/models/child_names.py).
    connection = op.get_bind()
    child = sa.table(
        "child",
        sa.column("id", sa.Integer),
        sa.column("full_name"),
        sa.column("local_authority_id", sa.Integer),
    )
    last = 0
    while True:
        found = connection.execute(
            sa.select(child.c.id, child.c.full_name, child.c.local_authority_id)
            .where(child.c.id > last)
            .order_by(child.c.id)
            .limit(BATCH)
        ).all()
        if not found:
            break
        rows = [row for child_id, name, council in found for row in name_part_rows(child_id, council, name)]
        if rows:
            connection.execute(part.insert(), rows)
        last = found[-1][0]
    op.create_index(
        "ix_child_name_part_walk",
        "child_name_part",
        ["local_authority_id", "prefix", "full_name", "child_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_child_name_part_walk", table_name="child_name_part")
    op.drop_table("child_name_part")
