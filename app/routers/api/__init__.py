"""The JSON API under /api/v1, and the health check."""

from fastapi import APIRouter

from app.routers.api import audit, delivery, health, me, paper, plans, quality, timelines, voices

router = APIRouter()
router.include_router(health.router)
router.include_router(me.router)
router.include_router(plans.router)
router.include_router(voices.router)
router.include_router(audit.router)
router.include_router(timelines.router)
router.include_router(delivery.router)
router.include_router(quality.router)
router.include_router(paper.router)
