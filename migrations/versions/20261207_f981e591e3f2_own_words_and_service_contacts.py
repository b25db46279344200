"""each person's own words about an outcome at a review, kept apart and verbatim, with earlier wordings;
an Experts at Hand service's contact address

Revision ID: f981e591e3f2
Revises: 7c1e9a3d5b28
Create Date: 2026-12-07 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f981e591e3f2"
down_revision: str | None = "7c1e9a3d5b28"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

progress = sa.table(
    "review_progress",
    sa.column("id", sa.Integer()),
    sa.column("review_id", sa.Integer()),
    sa.column("item_id", sa.Integer()),
    sa.column("child_words", sa.String()),
    sa.column("child_words_by_id", sa.Integer()),
    sa.column("family_words", sa.String()),
    sa.column("family_words_by_id", sa.Integer()),
)
review = sa.table("plan_review", sa.column("id", sa.Integer()), sa.column("created_at", sa.DateTime()))
words = sa.table(
    "progress_words",
    sa.column("id", sa.Integer()),
    sa.column("review_id", sa.Integer()),
    sa.column("item_id", sa.Integer()),
    sa.column("person_id", sa.Integer()),
    sa.column("by_child", sa.Boolean()),
    sa.column("words", sa.String()),
    sa.column("written_at", sa.DateTime()),
    sa.column("replaced_at", sa.DateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("expert_service") as service:
        service.add_column(sa.Column("contact_email", sa.String(length=320), nullable=True))
    op.create_table(
        "progress_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("by_child", sa.Boolean(), nullable=False),
        sa.Column("words", sa.String(length=2000), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"], ["plan_review.id"], name=op.f("fk_progress_words_review_id_plan_review")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_progress_words_item_id_item")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_progress_words_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_words")),
    )
    with op.batch_alter_table("progress_words") as table:
        table.create_index(table.f("ix_progress_words_review_id"), ["review_id"])
        table.create_index(table.f("ix_progress_words_item_id"), ["item_id"])
    # The words kept so far move over as they stand, each attributed to who wrote it. When they were
    # written was not kept: the review's recording is the nearest time known.
    for text, by, by_child in (
        (progress.c.child_words, progress.c.child_words_by_id, True),
        (progress.c.family_words, progress.c.family_words_by_id, False),
    ):
        op.execute(
            words.insert().from_select(
                ["review_id", "item_id", "person_id", "by_child", "words", "written_at"],
                sa.select(
                    progress.c.review_id,
                    progress.c.item_id,
                    by,
                    sa.literal(by_child, sa.Boolean()),
                    text,
                    review.c.created_at,
                )
                .join(review, review.c.id == progress.c.review_id)
                .where(text.is_not(None), by.is_not(None)),
            )
        )
    with op.batch_alter_table("review_progress") as table:
        table.drop_constraint("fk_review_progress_child_words_by_id_person", type_="foreignkey")
        table.drop_constraint("fk_review_progress_family_words_by_id_person", type_="foreignkey")
        table.drop_column("child_words")
        table.drop_column("child_words_by_id")
        table.drop_column("family_words")
        table.drop_column("family_words_by_id")


def downgrade() -> None:
    with op.batch_alter_table("review_progress") as table:
        table.add_column(sa.Column("child_words", sa.String(length=2000), nullable=True))
        table.add_column(sa.Column("child_words_by_id", sa.Integer(), nullable=True))
        table.add_column(sa.Column("family_words", sa.String(length=2000), nullable=True))
        table.add_column(sa.Column("family_words_by_id", sa.Integer(), nullable=True))
        table.create_foreign_key(
            "fk_review_progress_child_words_by_id_person", "person", ["child_words_by_id"], ["id"]
        )
        table.create_foreign_key(
            "fk_review_progress_family_words_by_id_person", "person", ["family_words_by_id"], ["id"]
        )
    # Words on an outcome not yet rated get the outcome's row back, as they had before.
    pairs = (
        sa.select(words.c.review_id, words.c.item_id)
        .distinct()
        .where(
            ~sa.exists().where(
                progress.c.review_id == words.c.review_id, progress.c.item_id == words.c.item_id
            )
        )
        .subquery()
    )
    rated = sa.table(
        "review_progress",
        sa.column("review_id", sa.Integer()),
        sa.column("item_id", sa.Integer()),
        sa.column("team_words", sa.String()),
    )
    op.execute(
        rated.insert().from_select(
            ["review_id", "item_id", "team_words"],
            sa.select(pairs.c.review_id, pairs.c.item_id, sa.literal("")),
        )
    )
    # One column each can hold only one person's words: the child's, and the family's latest.
    for by_child, text, by in (
        (True, "child_words", "child_words_by_id"),
        (False, "family_words", "family_words_by_id"),
    ):
        latest = (
            "FROM progress_words AS w WHERE w.review_id = review_progress.review_id"
            " AND w.item_id = review_progress.item_id AND w.by_child = :by_child AND w.replaced_at IS NULL"
            " ORDER BY w.written_at DESC, w.id DESC LIMIT 1"
        )
        op.get_bind().execute(
            sa.text(
                f"UPDATE review_progress SET {text} = (SELECT w.words {latest}),"
                f" {by} = (SELECT w.person_id {latest})"
            ).bindparams(sa.bindparam("by_child", by_child, sa.Boolean()))
        )
    op.drop_table("progress_words")
    with op.batch_alter_table("expert_service") as service:
        service.drop_column("contact_email")
