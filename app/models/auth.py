"""Sign-in state: sessions, API tokens, one-time links, children's sign-in cards, throttling.

Every secret is stored as a hash: a copy of the database lets nobody sign in.
"""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import EnumText, created_at_field, moment_field


class SignInMethod(StrEnum):
    PASSWORD = "password"
    SINGLE_SIGN_ON = "single_sign_on"
    CHILD_CARD = "child_card"
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class UserSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; this row holds its hash."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    method: SignInMethod = Field(sa_type=EnumText(SignInMethod))
    second_factor_done: bool = False
    created_at: datetime = created_at_field()
    last_seen_at: datetime = created_at_field()
    ended_at: datetime | None = moment_field()
    client_address: str | None = Field(default=None, max_length=64)


class ApiToken(SQLModel, table=True):
    """A bearer token for the API; it acts with its owner's rights, and only while they are active."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = created_at_field()
    last_used_at: datetime | None = moment_field()
    revoked_at: datetime | None = moment_field()


class LinkPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class OneTimeLink(SQLModel, table=True):
    """An e-mailed link that works once, before it expires (invitations, password resets)."""

    __tablename__ = "one_time_link"

    id: int | None = Field(default=None, primary_key=True)
    purpose: LinkPurpose = Field(sa_type=EnumText(LinkPurpose))
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = created_at_field()
    expires_at: datetime = created_at_field()
    used_at: datetime | None = moment_field()


class ChildSignInCard(SQLModel, table=True):
    """A child's way in: an unguessable link (printed as a QR code) plus the pictures they chose.

    Set up by a parent or coordinator, revoked with one click, locked after too many wrong tries.
    """

    __tablename__ = "child_sign_in_card"

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="person.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    pictures_hash: str = Field(max_length=255)
    created_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()
    failed_attempts: int = 0
    locked_at: datetime | None = moment_field()
    revoked_at: datetime | None = moment_field()


class RecoveryCode(SQLModel, table=True):
    """A single-use code that stands in for the second factor when the phone is lost."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    used_at: datetime | None = moment_field()


class SignInAttempt(SQLModel, table=True):
    """One try at signing in, kept to throttle guessing per account and per client address."""

    __tablename__ = "sign_in_attempt"

    id: int | None = Field(default=None, primary_key=True)
    throttle_key: str = Field(max_length=300, index=True)
    attempted_at: datetime = created_at_field()
    succeeded: bool = False
