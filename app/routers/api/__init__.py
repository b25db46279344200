"""The JSON API under /api/v1, and the health check."""

from app.routers.api import (
    assessment,
    audit,
    concerns,
    delivery,
    experts,
    health,
    lists,
    me,
    paper,
    plan_history,
    plans,
    quality,
    reviews,
    sencos,
    support,
    timelines,
    voices,
)

PARTS = (
    health,
    me,
    plans,
    plan_history,
    support,
    reviews,
    voices,
    audit,
    timelines,
    assessment,
    delivery,
    experts,
    quality,
    lists,
    sencos,
    paper,
    concerns,
)
"""In the order their routes are matched (the health check first)."""
