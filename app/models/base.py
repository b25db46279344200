"""What every table shares: stable constraint names and timezone-aware UTC times."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

# Stable constraint and index names, so that migrations come out the same on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


def created_at_field() -> datetime:
    """A column holding when the row was created, in UTC."""
    return Field(default_factory=utc_now, sa_type=DateTime(timezone=True))  # type: ignore[no-any-return]
