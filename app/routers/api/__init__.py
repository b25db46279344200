"""The JSON API under /api/v1, and the health check."""

from app.routers.api import assessment, audit, delivery, health, me, paper, plans, quality, timelines, voices

PARTS = (health, me, plans, voices, audit, timelines, assessment, delivery, quality, paper)
"""In the order their routes are matched (the health check first)."""
