"""a school's phase of education; moves of setting with a reason, dated ahead, applied or cancelled

Revision ID: 9d3e6b1f7a42
Revises: 4b8d2f6a9c13
Create Date: 2026-12-07 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d3e6b1f7a42"
down_revision: str | None = "4b8d2f6a9c13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as organisation:
        organisation.add_column(sa.Column("phase", sa.String(length=32), nullable=True))
    with op.batch_alter_table("setting_move") as setting_move:
        setting_move.add_column(sa.Column("reason", sa.String(length=500), nullable=True))
        setting_move.add_column(
            sa.Column("phase_fits", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        setting_move.add_column(sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True))
        setting_move.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        setting_move.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        setting_move.create_foreign_key(
            op.f("fk_setting_move_cancelled_by_id_person"), "person", ["cancelled_by_id"], ["id"]
        )
    # Every move recorded before this was applied as it was recorded.
    op.execute("UPDATE setting_move SET applied_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("setting_move") as setting_move:
        setting_move.drop_constraint(op.f("fk_setting_move_cancelled_by_id_person"), type_="foreignkey")
        setting_move.drop_column("cancelled_by_id")
        setting_move.drop_column("cancelled_at")
        setting_move.drop_column("applied_at")
        setting_move.drop_column("phase_fits")
        setting_move.drop_column("reason")
    with op.batch_alter_table("organisation") as organisation:
        organisation.drop_column("phase")
