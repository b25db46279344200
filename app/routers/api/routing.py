"""The API's route class: a wrong method on a path that several routes share answers 405 naming them all."""

from fastapi import HTTPException, status
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send

from app.routes import app_routes


class SharedPathRoute(APIRoute):
    """GET and POST often share a path (/plans, /views): Allow lists every method the app has there.

    Starlette would answer 405 naming only the first route's methods; this looks at all the app's routes.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            allowed = {
                method
                for route in app_routes(scope["app"])
                if route.path == self.path
                for method in route.methods
            }
            raise HTTPException(
                status.HTTP_405_METHOD_NOT_ALLOWED, headers={"Allow": ", ".join(sorted(allowed))}
            )
        await super().handle(scope, receive, send)
