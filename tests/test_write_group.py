"""Reads that end together share one transaction for the writes that waited (app.db.WriteGroup)."""

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.config import Settings
from app.db import InsertRow, build_engine, reading_session, write_after_reading, write_what_waited
from tests.databases import fresh_database

NOTES = Table("note", MetaData(), Column("id", Integer, primary_key=True), Column("words", String(40)))
READERS = 12
NOTE_ROW = insert(NOTES)
"""Built once, as the audit event of a read is: rows of it from readers ending at once go in together."""
TAKEN_ID = 1000
NEW_IDS = itertools.count(TAKEN_ID + 1)


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


def read_then_note(engine: Engine, words: str, *, fails: bool = False, as_row: bool = False) -> None:
    """A reading request: it reads, its write waits, and it ends with write_what_waited.

    `as_row` writes the note as a row of the one statement (`InsertRow`); a failing row takes an id
    already taken, so that the database refuses it.
    """
    with reading_session(engine) as db:
        db.execute(select(NOTES.c.id)).all()

        def note(writer: Session) -> None:
            if fails:
                raise ValueError(f"{words} cannot be written")
            writer.execute(insert(NOTES).values(words=words))

        if as_row:
            row = {"id": TAKEN_ID if fails else next(NEW_IDS), "words": words}
            write_after_reading(db, InsertRow(NOTE_ROW, row))
        else:
            write_after_reading(db, note)
        write_what_waited(db)


def many_at_once(
    engine: Engine, failing: set[int], *, as_rows: bool = False
) -> dict[int, BaseException | None]:
    outcome: dict[int, BaseException | None] = {}
    start = threading.Barrier(READERS)

    def reader(number: int) -> None:
        start.wait()
        try:
            read_then_note(engine, f"reader {number}", fails=number in failing, as_row=as_rows)
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


def test_rows_of_one_statement_from_readers_at_once_all_commit_before_each_answers(engine: Engine) -> None:
    for _ in range(5):
        outcome = many_at_once(engine, failing=set(), as_rows=True)
        assert outcome == dict.fromkeys(range(READERS))
    assert noted(engine) == {f"reader {number}" for number in range(READERS)}


def test_a_row_the_database_refuses_fails_only_its_own_request(engine: Engine) -> None:
    with Session(engine) as db:
        db.execute(insert(NOTES).values(id=TAKEN_ID, words="there first"))
        db.commit()
    for _ in range(5):
        outcome = many_at_once(engine, failing={3}, as_rows=True)
        assert isinstance(outcome[3], IntegrityError)
        assert all(outcome[number] is None for number in range(READERS) if number != 3), outcome
    assert noted(engine) == {"there first"} | {f"reader {number}" for number in range(READERS) if number != 3}
