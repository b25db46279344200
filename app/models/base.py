"""What every table shares: stable constraint names and timezone-aware UTC times."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints
from sqlalchemy import DateTime, Dialect, String, TypeDecorator
from sqlmodel import Field, SQLModel

# Stable constraint and index names, so that migrations come out the same on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


PLAIN_TEXT = r"^[^\x00]*$"
"""What typed text may hold: anything but the NUL character, which PostgreSQL cannot store."""
PlainText = Annotated[str, StringConstraints(pattern=PLAIN_TEXT)]
SPACES = (
    "\t\n\v\f\r \u0085\u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
"""Every character that counts as a space (Unicode's White_Space and ECMAScript's together), named:
`\\s` means one set in pydantic's checks (with U+0085) and another in the OpenAPI schema (with U+FEFF),
so text of only U+0085 passed the schema and was refused as blank. Both the pattern below and the
trimming of typed words use this one set."""
_SPACE_CLASS = "".join(f"\\u{ord(space):04x}" for space in SPACES)
WORDS = rf"^[^\x00]*[^\x00{_SPACE_CLASS}][^\x00]*$"
"""Text that must say something: at least one character that is not a space, and no NUL."""


def _trimmed(value: str) -> str:
    return value.strip(SPACES)


Words = Annotated[str, StringConstraints(pattern=WORDS), AfterValidator(_trimmed)]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time OnePlan stores is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def created_at_field() -> Any:
    """A column holding when the row was created, in UTC."""
    return Field(default_factory=utc_now, sa_type=DateTime(timezone=True))


def moment_field(*, index: bool = False) -> Any:
    """An optional point in time (UTC), such as when something was used or revoked."""
    return Field(default=None, sa_type=DateTime(timezone=True), index=index)


def id_of(row: Any) -> int:
    """The primary key of a flushed row (SQLModel types it as optional until then)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it first")
    return int(row.id)


class EnumText(TypeDecorator[Any]):
    """A StrEnum stored as plain text (no database enum type to migrate), read back as the enum."""

    impl = String(32)
    cache_ok = True

    def __init__(self, enum_class: type[StrEnum]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum_class(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum_class(value)

    def __repr__(self) -> str:
        return "sa.String(length=32)"
