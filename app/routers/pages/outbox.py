"""The mail outbox, for the operator of a demo: every message, with links that can be followed.

Outside demo mode the page does not exist: real messages belong to their recipients.
"""

import re
from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from app.dependencies import SessionDep, SettingsDep, requires
from app.models import OutboxMessage
from app.permissions import Permission
from app.rendering import render
from app.services.mail import recent_messages

router = APIRouter()
_LINK = re.compile(r"(https?://\S+)")


@dataclass(frozen=True)
class Shown:
    """A message as the page shows it: the body as paragraphs of lines of (text, is_link) parts."""

    message: OutboxMessage
    paragraphs: list[list[list[tuple[str, bool]]]]


def _parts(line: str) -> list[tuple[str, bool]]:
    return [(part, bool(_LINK.fullmatch(part))) for part in _LINK.split(line) if part]


def _shown(message: OutboxMessage) -> Shown:
    paragraphs = [block.strip("\n") for block in re.split(r"\n\s*\n", message.body) if block.strip()]
    return Shown(message, [[_parts(line) for line in block.split("\n")] for block in paragraphs])


@router.get("/outbox", dependencies=[requires(Permission.READ_OUTBOX)])
def outbox_page(request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    if not settings.demo_mode:
        raise HTTPException(404, "Not Found")
    messages = [_shown(message) for message in recent_messages(db)]
    return render(
        request, "pages/outbox/outbox.html", {"messages": messages, "smtp_on": bool(settings.smtp_host)}
    )
