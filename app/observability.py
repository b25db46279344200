"""Each request's access line and metrics, and /metrics for the scraper that has the token.

Plain ASGI inside RequestContextMiddleware (whose request id it logs). /metrics is answered here,
before any route, so it is not one of the service's routes: without the token it falls through to
the same 404 as any unknown address.
"""

import logging
import time

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics
from app.config import Settings
from app.logging_filters import redact_path
from app.logging_setup import request_id_var

access_logger = logging.getLogger("oneplan.access")


def route_template(scope: Scope) -> str:
    """The matched route's template (`/plans/{plan_id}`), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else metrics.UNMATCHED_ROUTE


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Not reset afterwards: the error handler outside this middleware logs with it too. Each
        # request is its own task with its own copy of the context, so nothing leaks to the next.
        request_id_var.set(scope.get("state", {}).get("request_id"))
        if scope["path"] == metrics.METRICS_PATH and scope["method"] == "GET" and self._scraper(scope):
            await self._metrics(scope, send)
            return
        started = time.perf_counter()
        status = 500  # unless a response starts: an unhandled error is answered outside this middleware

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            seconds = time.perf_counter() - started
            metrics.observe_request(scope["method"], route_template(scope), status, seconds)
            path = redact_path(scope["path"])
            access_logger.info(
                "%s %s %d",
                scope["method"],
                path,
                status,
                extra={
                    "method": scope["method"],
                    "path": path,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )

    def _scraper(self, scope: Scope) -> bool:
        authorization = dict(scope["headers"]).get(b"authorization")
        return metrics.authorised(
            self.settings.metrics_token, authorization.decode("latin-1") if authorization else None
        )

    async def _metrics(self, scope: Scope, send: Send) -> None:
        body = await anyio.to_thread.run_sync(metrics.exposition, scope["app"].state.engine)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", metrics.CONTENT_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
