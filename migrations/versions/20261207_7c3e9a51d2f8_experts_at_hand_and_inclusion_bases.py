"""Experts at Hand (services and the requests made to them) and inclusion bases with their places

Revision ID: 7c3e9a51d2f8
Revises: 7c3e9a51d2f4
Create Date: 2026-12-07 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c3e9a51d2f8"
down_revision: str | None = "7c3e9a51d2f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "expert_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("specialism", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_expert_service_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_service")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_expert_service_organisation_id")),
    )
    op.create_table(
        "expert_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("question", sa.String(length=2000), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("reply_kind", sa.String(length=32), nullable=True),
        sa.Column("reply_item_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["person.id"], name=op.f("fk_expert_request_answered_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_id"], ["person.id"], name=op.f("fk_expert_request_asked_by_id_person")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_expert_request_plan_id_plan")),
        sa.ForeignKeyConstraint(
            ["reply_item_id"], ["item.id"], name=op.f("fk_expert_request_reply_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["expert_service.id"], name=op.f("fk_expert_request_service_id_expert_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_request")),
    )
    with op.batch_alter_table("expert_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_request_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_expert_request_service_id"), ["service_id"], unique=False)
    op.create_table(
        "inclusion_base",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("setting_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["person.id"], name=op.f("fk_inclusion_base_created_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["setting_id"], ["organisation.id"], name=op.f("fk_inclusion_base_setting_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inclusion_base")),
        sa.UniqueConstraint("setting_id", "name", name=op.f("uq_inclusion_base_setting_id")),
    )
    with op.batch_alter_table("inclusion_base", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inclusion_base_setting_id"), ["setting_id"], unique=False)
    op.create_table(
        "inclusion_place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["person.id"], name=op.f("fk_inclusion_place_added_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["base_id"], ["inclusion_base.id"], name=op.f("fk_inclusion_place_base_id_inclusion_base")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_inclusion_place_item_id_item")),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_inclusion_place_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inclusion_place")),
        sa.UniqueConstraint("item_id", name=op.f("uq_inclusion_place_item_id")),
    )
    with op.batch_alter_table("inclusion_place", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inclusion_place_base_id"), ["base_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inclusion_place_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inclusion_place", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inclusion_place_plan_id"))
        batch_op.drop_index(batch_op.f("ix_inclusion_place_base_id"))
    op.drop_table("inclusion_place")
    with op.batch_alter_table("inclusion_base", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inclusion_base_setting_id"))
    op.drop_table("inclusion_base")
    with op.batch_alter_table("expert_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_request_service_id"))
        batch_op.drop_index(batch_op.f("ix_expert_request_plan_id"))
    op.drop_table("expert_request")
    op.drop_table("expert_service")
