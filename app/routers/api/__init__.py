"""The JSON API under /api/v1, and the health check."""

from app.routers.api import audit, delivery, health, me, paper, plans, quality, support, timelines, voices

PARTS = (health, me, plans, support, voices, audit, timelines, delivery, quality, paper)
"""In the order their routes are matched (the health check first)."""
