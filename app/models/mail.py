"""The mail outbox: every message OnePlan sends, kept whether it went by SMTP or stays in demo mode."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, moment_field


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=200)
    body: str
    created_at: datetime = created_at_field()
    sent_at: datetime | None = moment_field()
    error: str | None = Field(default=None, max_length=500)
