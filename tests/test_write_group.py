"""Reads that end together share one transaction for the writes that waited (app.db.WriteGroup)."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert, select
from sqlmodel import Session

from app.config import Settings
from app.db import build_engine, reading_session, write_after_reading, write_what_waited
from tests.databases import fresh_database

NOTES = Table("note", MetaData(), Column("id", Integer, primary_key=True), Column("words", String(40)))
READERS = 12


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(tmp_path) as url:
        built = build_engine(Settings(database_url=url, data_dir=tmp_path))
        NOTES.create(built)
        try:
            yield built
        finally:
            built.dispose()


def noted(engine: Engine) -> set[str]:
    with Session(engine) as db:
        return {row.words for row in db.execute(select(NOTES.c.words))}


def read_then_note(engine: Engine, words: str, *, fails: bool = False) -> None:
    """A reading request: it reads, its write waits, and it ends with write_what_waited."""
    with reading_session(engine) as db:
        db.execute(select(NOTES.c.id)).all()

        def note(writer: Session) -> None:
            if fails:
                raise ValueError(f"{words} cannot be written")
            writer.execute(insert(NOTES).values(words=words))

        write_after_reading(db, note)
        write_what_waited(db)


def many_at_once(engine: Engine, failing: set[int]) -> dict[int, BaseException | None]:
    outcome: dict[int, BaseException | None] = {}
    start = threading.Barrier(READERS)

    def reader(number: int) -> None:
        start.wait()
        try:
            read_then_note(engine, f"reader {number}", fails=number in failing)
            # Its write committed before it returned: a new transaction already sees it.
            assert f"reader {number}" in noted(engine)
            outcome[number] = None
        except BaseException as problem:
            outcome[number] = problem

    threads = [threading.Thread(target=reader, args=(number,)) for number in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


def test_every_reader_s_write_commits_before_it_answers(engine: Engine) -> None:
    for _ in range(5):
        outcome = many_at_once(engine, failing=set())
        assert outcome == dict.fromkeys(range(READERS))
    assert noted(engine) == {f"reader {number}" for number in range(READERS)}


def test_a_write_that_fails_fails_only_its_own_request(engine: Engine) -> None:
    for _ in range(5):
        outcome = many_at_once(engine, failing={3})
        assert isinstance(outcome[3], ValueError)
        assert all(outcome[number] is None for number in range(READERS) if number != 3), outcome
        assert "reader 3" not in noted(engine)
    assert noted(engine) == {f"reader {number}" for number in range(READERS) if number != 3}
