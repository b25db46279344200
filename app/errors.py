"""Errors a person can act on: a page for the browser, JSON with a `detail` for the API, never a trace."""

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from app.headers import REQUEST_ID_HEADER, SECURITY_HEADERS
from app.models import Person
from app.models.base import WORDS
from app.templating import get_templates
from app.urls import Page, see_other

logger = logging.getLogger("oneplan.errors")

API_PREFIXES = ("/api/", "/healthz", "/openapi.json", "/docs")

ERROR_PAGES: dict[int, tuple[str, str]] = {
    400: ("There is a problem with the request", "Go back, check what you entered and try again."),
    403: (
        "You cannot do this",
        "Your role on this plan does not allow it. Ask the plan's coordinator if you think you should.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. If you followed a link to a plan, "
        "you may not be a member of it: ask the plan's coordinator to invite you.",
    ),
    405: ("This page cannot be used that way", "Go back and try again from the page you were on."),
    409: ("This cannot be done", "Go back and check the page: it may have changed."),
    422: (
        "We could not use what was sent",
        "Go back, check what you entered and try again. Nothing has been changed.",
    ),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you saved before this has been lost.",
    ),
}


class SignInRequired(Exception):
    """Nobody (or nobody fully) is signed in: pages go to sign-in, the API answers 401."""


class Refused(Exception):
    """A request refused for who is asking: answered 403 or 404, and recorded in the audit trail."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        *,
        action: str,
        person: Person | None = None,
        reason: str | None = None,
        object_type: str | None = None,
        object_id: int | str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.action = action
        self.person = person
        self.reason = reason or detail
        self.object_type = object_type
        self.object_id = object_id


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIXES)


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", ""))


def _for_child(request: Request) -> bool:
    """A signed-in child's error page keeps the children's bar (no menu; a way home and a way out).

    Noted when the person was identified: after a rollback the person is expired, and an error page must
    not go back to the database.
    """
    return bool(getattr(request.state, "for_child", False))


def error_response(
    request: Request, status_code: int, detail: object, headers: Mapping[str, str] | None = None
) -> Response:
    """Render one error for whichever door the request came through."""
    if wants_json(request):
        return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=status_code, headers=headers)
    title, advice = ERROR_PAGES.get(status_code, (HTTPStatus(status_code).phrase, ERROR_PAGES[400][1]))
    written_for_people = status_code in {400, 403, 409}  # refusals and problems that say what to do
    if isinstance(detail, str) and detail != HTTPStatus(status_code).phrase and written_for_people:
        advice = detail
    return get_templates().TemplateResponse(
        request,
        "pages/error.html",
        {
            "status_code": status_code,
            "title": title,
            "advice": advice,
            "request_id": request_id(request),
            "for_child": _for_child(request),
        },
        status_code=status_code,
        headers=headers,
    )


async def sign_in_required(request: Request, exc: SignInRequired) -> Response:
    if wants_json(request):
        return JSONResponse(
            {"detail": "Sign in first: send an API token as 'Authorization: Bearer <token>'."},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return see_other(request, Page.SIGN_IN, query={"next": target})


async def refused(request: Request, exc: Refused) -> Response:
    """The refusal was recorded by the request's transaction (app.dependencies); now answer it."""
    return error_response(request, exc.status_code, exc.detail)


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    return error_response(request, exc.status_code, exc.detail, exc.headers)


def plain_problem(error: Mapping[str, Any]) -> str:
    """What a person can do about a value that was refused (lengths, numbers, stray characters)."""
    limits = error.get("ctx") or {}
    plainly = {
        "string_too_long": f"Use {limits.get('max_length', 0):,} characters or fewer",
        "string_pattern_mismatch": "Remove the invisible control character (NUL) from this text"
        if "\x00" in str(error.get("input", "")) or limits.get("pattern") != WORDS
        else "Enter some words: this cannot be blank",
        "greater_than": f"Enter a number greater than {limits.get('gt', 0):,}",
        "less_than_equal": f"Enter a number no bigger than {limits.get('le', 0):,}",
    }
    return plainly.get(str(error["type"]), str(error["msg"]))


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    problems = [
        {"loc": list(error["loc"]), "msg": plain_problem(error), "type": error["type"]}
        for error in exc.errors()
    ]
    return error_response(request, 422, problems)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    logger.exception("Unhandled error in request %s", request_id(request), exc_info=exc)
    detail = f"Sorry, there is a problem with the service. Quote reference {request_id(request)}."
    # This response leaves from outside the middleware stack, so it carries its own headers.
    headers = {**SECURITY_HEADERS, REQUEST_ID_HEADER: request_id(request), "Cache-Control": "no-store"}
    return error_response(request, 500, detail, headers)


def install_error_handlers(app: FastAPI) -> None:
    app.exception_handler(SignInRequired)(sign_in_required)
    app.exception_handler(Refused)(refused)
    app.exception_handler(StarletteHTTPException)(http_error)
    app.exception_handler(RequestValidationError)(validation_error)
    app.exception_handler(Exception)(unexpected_error)
