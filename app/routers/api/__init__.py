"""The JSON API under /api/v1, and the health check."""

from app.routers.api import audit, delivery, health, lists, me, paper, plans, quality, timelines, voices

PARTS = (health, me, plans, voices, audit, timelines, delivery, quality, lists, paper)
"""In the order their routes are matched (the health check first)."""
