"""assessment to draft: items carried from the SEN Support plan, the plan an assessment was asked from,
files returned with advice

Revision ID: 7c3e9a51d2f4
Revises: 7c2e9d4a1f58
Create Date: 2026-12-07 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c3e9a51d2f4"
down_revision: str | None = "7c2e9d4a1f58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item") as item:
        item.add_column(sa.Column("carried_from_id", sa.Integer(), nullable=True))
        item.add_column(sa.Column("carried_from_on", sa.Date(), nullable=True))
        item.create_foreign_key(op.f("fk_item_carried_from_id_item"), "item", ["carried_from_id"], ["id"])
    with op.batch_alter_table("assessment_request") as request:
        request.add_column(sa.Column("from_plan_id", sa.Integer(), nullable=True))
        request.create_foreign_key(
            op.f("fk_assessment_request_from_plan_id_plan"), "plan", ["from_plan_id"], ["id"]
        )
    op.create_table(
        "advice_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("advice_request_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=80), nullable=False),
        sa.Column("shown_name", sa.String(length=120), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["advice_request_id"],
            ["advice_request.id"],
            name=op.f("fk_advice_attachment_advice_request_id_advice_request"),
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_advice_attachment_item_id_item")),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_advice_attachment_plan_id_plan")),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["person.id"], name=op.f("fk_advice_attachment_uploaded_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advice_attachment")),
    )
    with op.batch_alter_table("advice_attachment") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_advice_attachment_advice_request_id"), ["advice_request_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_advice_attachment_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_advice_attachment_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("advice_attachment") as batch_op:
        batch_op.drop_index(batch_op.f("ix_advice_attachment_plan_id"))
        batch_op.drop_index(batch_op.f("ix_advice_attachment_item_id"))
        batch_op.drop_index(batch_op.f("ix_advice_attachment_advice_request_id"))
    op.drop_table("advice_attachment")
    with op.batch_alter_table("assessment_request") as request:
        request.drop_constraint(op.f("fk_assessment_request_from_plan_id_plan"), type_="foreignkey")
        request.drop_column("from_plan_id")
    with op.batch_alter_table("item") as item:
        item.drop_constraint(op.f("fk_item_carried_from_id_item"), type_="foreignkey")
        item.drop_column("carried_from_on")
        item.drop_column("carried_from_id")
