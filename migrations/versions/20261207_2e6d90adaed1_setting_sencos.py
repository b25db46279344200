"""setting sencos: who is designated as each setting's SENCo (one or more per setting)

Revision ID: 2e6d90adaed1
Revises: f981e591e3f2
Create Date: 2026-12-07 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2e6d90adaed1"
down_revision: str | None = "f981e591e3f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "setting_senco",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("setting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("designated_by_id", sa.Integer(), nullable=True),
        sa.Column("designated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["designated_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["setting_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("setting_id", "person_id"),
    )
    op.create_index(op.f("ix_setting_senco_setting_id"), "setting_senco", ["setting_id"], unique=False)
    op.create_index(op.f("ix_setting_senco_person_id"), "setting_senco", ["person_id"], unique=False)
    # Whoever the service took for a setting's SENCo until now (its own education staff coordinating a
    # live plan there) keeps their list: they are designated, by no one, on the day of the upgrade.
    op.execute(
        """
        INSERT INTO setting_senco (setting_id, person_id, designated_at)
        SELECT DISTINCT plan.setting_id, person.id, CURRENT_TIMESTAMP
        FROM plan_member
        JOIN plan ON plan.id = plan_member.plan_id
        JOIN person ON person.id = plan_member.person_id
        WHERE plan_member.is_coordinator AND plan_member.removed_at IS NULL
          AND plan.status NOT IN ('ceased', 'closed') AND plan.setting_id IS NOT NULL
          AND person.role = 'education' AND person.organisation_id = plan.setting_id
          AND person.deactivated_at IS NULL
        """
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_setting_senco_person_id"), table_name="setting_senco")
    op.drop_index(op.f("ix_setting_senco_setting_id"), table_name="setting_senco")
    op.drop_table("setting_senco")
