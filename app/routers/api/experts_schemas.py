"""The Experts at Hand API's shapes (the routes are in `experts`)."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from app.models import ProvisionFrequency, ProvisionUnit, ReplyKind, RequestKind
from app.models.base import PLAIN_TEXT, WORDS
from app.services.experts import bases, report, requests


class ExpertRequestIn(BaseModel):
    service_id: int = Field(ge=1, le=2_147_483_647)
    kind: RequestKind
    question: str = Field(min_length=1, max_length=2000, pattern=WORDS)
    due_on: date


class ExpertReplyIn(BaseModel):
    reply_kind: ReplyKind
    text: str = Field(min_length=1, max_length=10000, pattern=WORDS)
    amount: float | None = Field(default=None, gt=0, le=10000)
    unit: ProvisionUnit | None = None
    frequency: ProvisionFrequency | None = None
    session_minutes: int | None = Field(default=None, gt=0, le=600)
    location: str | None = Field(default=None, max_length=200, pattern=PLAIN_TEXT)


class ExpertRequestOut(BaseModel):
    id: int
    plan_id: int
    plan_reference: str
    child_name: str
    service_id: int
    service_name: str
    kind: RequestKind
    question: str
    due_on: date
    asked_at: datetime
    answered_at: datetime | None
    reply_kind: ReplyKind | None
    reply_item_id: int | None


class ExpertReplyOut(BaseModel):
    request_id: int
    item_id: int
    section: str


class ServiceFiguresOut(BaseModel):
    service_id: int
    name: str
    specialism: str
    asked: int
    open: int
    answered: int
    overdue: int
    median_days: float | None


def request_out(row: requests.RequestRow) -> ExpertRequestOut:
    request = row.request
    return ExpertRequestOut(
        id=request.id or 0,
        plan_id=row.plan.id or 0,
        plan_reference=row.plan.reference,
        child_name=row.child.full_name,
        service_id=request.service_id,
        service_name=row.service_name,
        kind=request.kind,
        question=request.question,
        due_on=request.due_on,
        asked_at=request.asked_at,
        answered_at=request.answered_at,
        reply_kind=request.reply_kind,
        reply_item_id=request.reply_item_id,
    )


def figures_out(figures: report.ServiceFigures) -> ServiceFiguresOut:
    return ServiceFiguresOut(**figures.__dict__)


class PlaceOut(BaseModel):
    place_id: int
    plan_id: int
    plan_reference: str
    child_name: str
    item_id: int
    minutes_a_week: float | None
    delivered_minutes: float
    """Over the last four weeks (the newest record of each day counts)."""


def place_out(row: bases.PlaceRow) -> PlaceOut:
    return PlaceOut(
        place_id=row.place.id or 0,
        plan_id=row.plan.id or 0,
        plan_reference=row.plan.reference,
        child_name=row.child.full_name,
        item_id=row.place.item_id,
        minutes_a_week=row.revision.amount,
        delivered_minutes=row.delivered_minutes,
    )
