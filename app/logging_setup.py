"""The service's logs: one line per record, as JSON (production) or text, each naming its request.

Every line carries the request id the middleware gives each request (the one an error page quotes
and the audit events keep), so an operator can follow one request from the access line to its errors.
Uvicorn's own loggers go through the same handler; its access log is replaced by OnePlan's
(app.observability), which adds the request id and the time taken and redacts secret links.
"""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

from app.config import Settings

request_id_var: ContextVar[str | None] = ContextVar("oneplan_request_id", default=None)
"""The request being served (threads of the pool inherit it from the request's task)."""

ACCESS_FIELDS = ("method", "path", "status", "duration_ms")
"""Extra fields of an access line (passed as `extra=` by app.observability)."""

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's coloured copy of the message
}


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


def _time(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {name: value for name, value in vars(record).items() if name not in _STANDARD}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        line.update(_extras(record))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """For people reading a terminal: time, level, logger, [request id], message, then extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        extras = " ".join(
            f"{name}={value}" for name, value in _extras(record).items() if name != "request_id"
        )
        text = " ".join(
            part
            for part in (
                _time(record),
                record.levelname,
                record.name,
                f"[{request_id}]" if request_id else "",
                record.getMessage(),
                extras,
            )
            if part
        )
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is at the time (test runners swap it), never a stale one."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


_MARK = "_oneplan_handler"


def configure(settings: Settings) -> None:
    """Send every log record through one handler in the chosen format (idempotent: one handler, ever)."""
    handler = StderrHandler()
    setattr(handler, _MARK, True)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if settings.resolved_log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for existing in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # Uvicorn's loggers reach the root handler; its access log gives way to OnePlan's own access line
    # (with no handler anywhere above it, uvicorn does not even format it).
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
