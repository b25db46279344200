"""Passwords, hashed with argon2id (the library's defaults follow RFC 9106's recommendations)."""

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.config import Environment, get_settings

MINIMUM_LENGTH = 10
_STANDARD = PasswordHasher()
_FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
"""For the test suite only (ONEPLAN_FAST_PASSWORD_HASHING, never in production): a hash costs a
tenth of a second the standard way, and the suite makes thousands."""


def _hasher() -> PasswordHasher:
    settings = get_settings()
    fast = settings.fast_password_hashing and settings.environment is not Environment.PRODUCTION
    return _FAST if fast else _STANDARD


@lru_cache(maxsize=2)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Spent on unknown e-mail addresses too, so that timing does not tell which accounts exist."""
    return hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, in words a person can act on; None when it will do."""
    if len(password) < MINIMUM_LENGTH:
        return f"Password must be {MINIMUM_LENGTH} characters or more"
    if len(password) > 256:
        return "Password must be 256 characters or fewer"
    if password.lower() in {"password123", "qwertyuiop", "1234567890", "oneplan123"}:
        return "Choose a password that is harder to guess"
    return None
