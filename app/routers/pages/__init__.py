"""Server-rendered pages (Jinja2 + HTMX); not part of the OpenAPI schema."""

from fastapi import APIRouter

from app.routers.pages import sign_in, start

router = APIRouter(include_in_schema=False)
router.include_router(start.router)
router.include_router(sign_in.router)
