"""The index of children's names that the council's list searches (app/services/lists/council.py).

One row per start of each word of a child's name ("sam", "sa", "s", "taylor", "taylo", ...), with the
child's council and whole name beside it, so that a search for the start of a word is a walk of one
index already in the list's order (council, word start, name, child): its first page costs the same at
100 plans as at 100,000, however many or few names match.

The rows are kept in step with `Child.full_name` and `Child.local_authority_id` by the mapper events
below, in the same flush (so the same transaction) as the child's own row, whichever service writes
it: a new plan's child, the demo, an imported plan, an edit. A bulk insert or update that bypasses the
ORM must write them itself with `name_part_rows` (bench/council_list.py does).
"""

import re
import unicodedata
from typing import Any

from sqlalchemy import Index, delete, event, insert, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper
from sqlmodel import Field, SQLModel

from app.models.plan import Child

PREFIX_MAX = 24
"""Word starts are kept up to this many characters; a longer search word is matched on its first 24."""
_QUOTES = re.compile("['`\u2018\u2019]")
_WORD = re.compile(r"[^\W_]+")


class ChildNamePart(SQLModel, table=True):
    """The start of a word of a child's name, lower-cased, without accents or apostrophes."""

    __tablename__ = "child_name_part"
    __table_args__ = (
        Index("ix_child_name_part_walk", "local_authority_id", "prefix", "full_name", "child_id"),
    )

    child_id: int = Field(foreign_key="child.id", primary_key=True)
    prefix: str = Field(max_length=PREFIX_MAX, primary_key=True)
    local_authority_id: int = Field(foreign_key="organisation.id")
    full_name: str = Field(max_length=120)


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in folded if not unicodedata.combining(character))


def words_of(text: str) -> list[str]:
    """The words of a name or a search as the index keeps them: "Zoë O'Brien-Lee" is zoe, obrien, lee."""
    return _WORD.findall(_QUOTES.sub("", _plain(text)))


def name_parts(full_name: str) -> set[str]:
    """Every start of every word of the name, each once; a word with an apostrophe is also each of its
    pieces ("O'Brien" is found by "obr", "o'br" and "brien")."""
    words = set(words_of(full_name)) | set(_WORD.findall(_QUOTES.sub(" ", _plain(full_name))))
    return {word[:end] for word in words for end in range(1, min(len(word), PREFIX_MAX) + 1)}


def name_part_rows(child_id: int, local_authority_id: int, full_name: str) -> list[dict[str, Any]]:
    """The index's rows for one child, for an insert."""
    return [
        {
            "child_id": child_id,
            "prefix": prefix,
            "local_authority_id": local_authority_id,
            "full_name": full_name,
        }
        for prefix in sorted(name_parts(full_name))
    ]


def _write_parts(connection: Connection, child: Child) -> None:
    rows = name_part_rows(int(child.id or 0), child.local_authority_id, child.full_name)
    if rows:
        connection.execute(insert(ChildNamePart), rows)


def _forget_parts(connection: Connection, child: Child) -> None:
    connection.execute(delete(ChildNamePart).where(ChildNamePart.child_id == child.id))  # type: ignore[arg-type]


@event.listens_for(Child, "after_insert")
def _index_new_child(_mapper: Mapper[Child], connection: Connection, child: Child) -> None:
    _write_parts(connection, child)


@event.listens_for(Child, "after_update")
def _index_renamed_child(_mapper: Mapper[Child], connection: Connection, child: Child) -> None:
    state = inspect(child)
    if state.attrs.full_name.history.has_changes() or state.attrs.local_authority_id.history.has_changes():
        _forget_parts(connection, child)
        _write_parts(connection, child)


@event.listens_for(Child, "before_delete")
def _unindex_child(_mapper: Mapper[Child], connection: Connection, child: Child) -> None:
    _forget_parts(connection, child)
