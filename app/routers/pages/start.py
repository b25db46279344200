"""The start page: what OnePlan is, for whoever arrives."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dependencies import requires
from app.permissions import Permission
from app.rendering import render

router = APIRouter()


@router.get("/", dependencies=[requires(Permission.PUBLIC)])
def start_page(request: Request) -> Response:
    return render(request, "pages/start.html")
