"""Keep secrets that travel in URLs (children's sign-in card links, e-mailed links) out of the logs."""

import logging
import re

# Paths whose last segment is a bearer secret: whoever reads the log could use it.
SECRET_PATH = re.compile(r"^(/card|/invitations|/password-reset)/(?!changed\b)[^/?#\s]+")


def redact_path(path: str) -> str:
    return SECRET_PATH.sub(r"\1/[redacted]", path)


class RedactSecretLinks(logging.Filter):
    """For uvicorn's access log, whose record arguments are (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            path = record.args[2]
            if isinstance(path, str):
                record.args = (*record.args[:2], redact_path(path), *record.args[3:])
        return True


def install() -> None:
    access_log = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, RedactSecretLinks) for existing in access_log.filters):
        access_log.addFilter(RedactSecretLinks())
