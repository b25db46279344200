"""The migrations build exactly the tables the models describe, and undo cleanly."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

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
