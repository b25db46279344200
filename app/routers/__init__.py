"""The two doors onto the services: JSON API (api/) and server-rendered pages (pages/)."""

from types import ModuleType

from app.routers import api, pages

HOT = (api.health, pages.plans, pages.plan_items)
"""Asked for most: the load balancer's health check, and a plan's outline, sections and items."""

ROUTE_ORDER: tuple[ModuleType, ...] = HOT + tuple(
    part for part in (*api.PARTS, *pages.PARTS) if part not in HOT
)
"""The order in which the app tries routes. FastAPI tries them one by one (some 180, about 2 µs each,
twice per request), so a plan's outline at the end of the list lost a millisecond to the search.
No address of a hot part matches another part's routes, so the order changes no answer."""
