"""review progress: each outcome's rating and words at a review; when a review was finished

Revision ID: b5e1c2d9f3a7
Revises: 7c3e9a51d2f8
Create Date: 2026-12-07 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b5e1c2d9f3a7"
down_revision: str | None = "7c3e9a51d2f8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan_review") as plan_review:
        plan_review.add_column(sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
    # Reviews recorded before progress was kept were finished when they were recorded.
    op.execute("UPDATE plan_review SET finished_at = created_at")
    op.create_table(
        "review_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=32), nullable=True),
        sa.Column("team_words", sa.String(length=2000), nullable=False),
        sa.Column("rated_by_id", sa.Integer(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("child_words", sa.String(length=2000), nullable=True),
        sa.Column("child_words_by_id", sa.Integer(), nullable=True),
        sa.Column("family_words", sa.String(length=2000), nullable=True),
        sa.Column("family_words_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"], ["plan_review.id"], name=op.f("fk_review_progress_review_id_plan_review")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_review_progress_item_id_item")),
        sa.ForeignKeyConstraint(
            ["rated_by_id"], ["person.id"], name=op.f("fk_review_progress_rated_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["child_words_by_id"], ["person.id"], name=op.f("fk_review_progress_child_words_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["family_words_by_id"], ["person.id"], name=op.f("fk_review_progress_family_words_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_progress")),
        sa.UniqueConstraint("review_id", "item_id", name=op.f("uq_review_progress_review_id")),
    )
    with op.batch_alter_table("review_progress") as review_progress:
        review_progress.create_index(review_progress.f("ix_review_progress_review_id"), ["review_id"])
        review_progress.create_index(review_progress.f("ix_review_progress_item_id"), ["item_id"])


def downgrade() -> None:
    with op.batch_alter_table("review_progress") as review_progress:
        review_progress.drop_index(review_progress.f("ix_review_progress_item_id"))
        review_progress.drop_index(review_progress.f("ix_review_progress_review_id"))
    op.drop_table("review_progress")
    with op.batch_alter_table("plan_review") as plan_review:
        plan_review.drop_column("finished_at")
