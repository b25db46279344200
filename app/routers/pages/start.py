"""The start page: what OnePlan is, for whoever arrives."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.permissions import Permission, requires
from app.templating import get_templates

router = APIRouter()


@router.get("/", dependencies=[requires(Permission.PUBLIC)])
def start_page(request: Request) -> Response:
    return get_templates().TemplateResponse(request, "pages/start.html")
