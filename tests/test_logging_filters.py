"""Links that sign someone in never reach the access log in full."""

import logging

import pytest

from app.logging_filters import RedactSecretLinks, redact_path


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/card/xHPCq2LOskaNpY79uQYdwq", "/card/[redacted]"),
        ("/invitations/abc123?x=1", "/invitations/[redacted]?x=1"),
        ("/password-reset/abc123", "/password-reset/[redacted]"),
        ("/password-reset/changed", "/password-reset/changed"),
        ("/password-reset", "/password-reset"),
        ("/account/children/3/sign-in-card", "/account/children/3/sign-in-card"),
    ],
)
def test_secret_segments_are_redacted(path: str, logged: str) -> None:
    assert redact_path(path) == logged


def test_the_filter_rewrites_uvicorn_access_records() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/card/secret-token", "1.1", 200),
        None,
    )
    assert RedactSecretLinks().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /card/[redacted] HTTP/1.1" 200'
