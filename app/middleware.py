"""Request ids, security headers and the request body's size limit, as plain ASGI so that no request
pays a thread hop."""

import re
import uuid
from collections.abc import Mapping

from fastapi import HTTPException
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import error_response
from app.headers import REQUEST_ID_HEADER, SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Give each request an id (kept from the caller when well-formed) and every response safe headers.

    Pages hold personal data about children, so nothing but the static assets may be cached.
    """

    def __init__(self, app: ASGIApp, *, strict_transport: bool = False) -> None:
        self.app = app
        self.headers = dict(SECURITY_HEADERS)
        if strict_transport:
            self.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = offered if _SAFE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        is_static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                if not is_static:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    """Raised to whoever reads the body past the limit; answered 413 by the app's error pages."""

    def __init__(self, limit: int) -> None:
        megabytes = limit / (1024 * 1024)
        super().__init__(
            413, f"The request is larger than {megabytes:g} MB, the most OnePlan accepts. Send less at once."
        )


class BodySizeLimitMiddleware:
    """Refuse a request body larger than the limit, counting bytes as they arrive.

    A declared Content-Length over the limit is answered 413 before anything is read; a body sent
    in chunks (or one that outgrows its declared length) stops the moment it passes the limit, so
    no more than the limit is ever held. Pictures (5 MB) and forms fit well within the default.
    `larger` names the few posts that may send more (a path pattern and its own limit, never below
    the default): advice returned with its files. Every other request keeps the default.
    """

    def __init__(
        self, app: ASGIApp, *, limit: int, larger: Mapping[re.Pattern[str], int] | None = None
    ) -> None:
        self.app = app
        self.default = limit
        self.larger = {pattern: max(limit, own) for pattern, own in (larger or {}).items()}

    def limit_for(self, scope: Scope) -> int:
        if scope.get("method") == "POST":
            for pattern, limit in self.larger.items():
                if pattern.fullmatch(scope["path"]):
                    return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def noting_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, noting_send)
        except BodyTooLarge:
            # Read by something that does not answer HTTP errors itself: answer here if still possible.
            if started:
                raise
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        too_large = BodyTooLarge(limit)
        response = error_response(Request(scope, receive), 413, too_large.detail, {"Connection": "close"})
        await response(scope, receive, send)
