"""The migrations build exactly the tables the models describe, and undo cleanly."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from app import migrate
from app.db import metadata
from tests.databases import fresh_database


def _differences(url: str) -> list[object]:
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences: list[object] = compare_metadata(context, metadata)
    engine.dispose()
    return differences


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    return tables


def test_upgrade_matches_the_models_and_downgrade_undoes_it(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        migrate.upgrade(url)
        assert _differences(url) == []
        assert set(metadata.tables) <= _tables(url)

        migrate.downgrade(url, "base")
        assert _tables(url) == {"alembic_version"}

        migrate.upgrade(url)
        assert _differences(url) == []


def test_each_persons_own_words_are_carried_over_and_back(tmp_path: Path) -> None:
    """The child's and the family's words kept in the progress row before become one row per person,
    attributed; going back, each column gets its writer's words again."""
    moment = "2026-12-01 10:00:00"
    rows = [
        "INSERT INTO organisation (id, kind, name, created_at) VALUES (1, 'local_authority', 'Council', :at)",
        "INSERT INTO person (id, display_name, role, created_at) VALUES (1, 'Sam', 'child', :at)",
        "INSERT INTO person (id, display_name, role, created_at) VALUES (2, 'Alex', 'parent_carer', :at)",
        "INSERT INTO child (id, full_name, date_of_birth, school_year, local_authority_id, created_at)"
        " VALUES (1, 'Sam Taylor', '2017-05-01', 'Year 4', 1, :at)",
        "INSERT INTO plan (id, kind, child_id, local_authority_id, status, version, cycle_number, created_at)"
        " VALUES (1, 'sen_support', 1, 1, 'live', 1, 1, :at)",
        "INSERT INTO item (id, plan_id, section, kind, author_id, revision_number, created_at)"
        " VALUES (1, 1, 'E', 'outcome', 2, 1, :at)",
        "INSERT INTO plan_review (id, plan_id, cycle_number, held_on, participants, what_worked,"
        " what_changes, recorded_by_id, created_at) VALUES (1, 1, 1, '2026-12-01', 'All', 'A', 'B', 2, :at)",
        "INSERT INTO review_progress (id, review_id, item_id, team_words, child_words, child_words_by_id,"
        " family_words, family_words_by_id) VALUES (1, 1, 1, '', 'I like it.', 1, 'He is calmer.', 2)",
    ]
    with fresh_database(tmp_path) as url:
        migrate.upgrade(url, "7c1e9a3d5b28")
        engine = create_engine(url)
        with engine.begin() as connection:
            for row in rows:
                connection.execute(text(row), {"at": moment})
        migrate.upgrade(url, "f981e591e3f2")
        with engine.connect() as connection:
            carried = connection.execute(
                text("SELECT person_id, by_child, words, replaced_at FROM progress_words ORDER BY person_id")
            ).all()
        assert [tuple(row) for row in carried] == [
            (1, True, "I like it.", None),
            (2, False, "He is calmer.", None),
        ]
        migrate.downgrade(url, "7c1e9a3d5b28")
        with engine.connect() as connection:
            back = connection.execute(
                text(
                    "SELECT child_words, child_words_by_id, family_words, family_words_by_id"
                    " FROM review_progress"
                )
            ).one()
        engine.dispose()
        assert tuple(back) == ("I like it.", 1, "He is calmer.", 2)
