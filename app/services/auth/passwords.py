"""Passwords, hashed with argon2id (the library's defaults follow RFC 9106's recommendations)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MINIMUM_LENGTH = 10
_hasher = PasswordHasher()
# Spent on unknown e-mail addresses too, so that timing does not tell which accounts exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
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
