"""Passwords are hashed with argon2id; the test suite may ask for its lightest cost, production never."""

import pytest

from app.config import get_settings
from app.services.auth.passwords import hash_password, verify_password

PASSWORD = "a password of twelve"


def test_the_suite_hashes_lightly_but_production_always_the_standard_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ONEPLAN_FAST_PASSWORD_HASHING", "true")
    get_settings.cache_clear()
    try:
        light = hash_password(PASSWORD)
        assert light.startswith("$argon2id$")
        assert "m=8,t=1,p=1" in light
        monkeypatch.setenv("ONEPLAN_ENVIRONMENT", "production")
        monkeypatch.setenv("ONEPLAN_SECRET_KEY", "a secret of this council's own, long enough")
        get_settings.cache_clear()
        standard = hash_password(PASSWORD)
        assert standard.startswith("$argon2id$")
        assert "m=65536,t=3,p=4" in standard
        assert verify_password(standard, PASSWORD)
        assert verify_password(light, PASSWORD)  # each hash carries its own cost
        assert not verify_password(standard, "another password")
    finally:
        get_settings.cache_clear()
