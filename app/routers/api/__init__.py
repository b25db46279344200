"""The JSON API under /api/v1, and the health check."""

from fastapi import APIRouter

from app.routers.api import health

router = APIRouter()
router.include_router(health.router)
