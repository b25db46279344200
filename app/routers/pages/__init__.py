"""Server-rendered pages (Jinja2 + HTMX); not part of the OpenAPI schema."""

from fastapi import APIRouter

from app.routers.pages import (
    account,
    admin,
    audit,
    child_sign_in,
    delivery,
    invitations,
    la_delivery,
    outbox,
    paper,
    password_reset,
    plan_items,
    plan_members,
    plan_stages,
    plans,
    quality,
    second_factor,
    sign_in,
    single_sign_on,
    start,
    timelines,
    voices,
)

router = APIRouter(include_in_schema=False)
for part in (
    start,
    sign_in,
    second_factor,
    single_sign_on,
    password_reset,
    invitations,
    child_sign_in,
    account,
    admin,
    outbox,
    plans,
    plan_items,
    plan_members,
    plan_stages,
    audit,
    timelines,
    delivery,
    la_delivery,
    quality,
    voices,
    paper,
):
    router.include_router(part.router)
