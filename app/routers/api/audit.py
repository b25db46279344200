"""GET /api/v1/audit (LA audit officers, across the council) and GET /api/v1/plans/{plan_id}/audit."""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from app.dependencies import ActorDep, CurrentPlan, SessionDep, requires
from app.models import AuditEvent
from app.permissions import Permission
from app.services.audit import search as audit_search
from app.services.audit.search import AuditFilter, EventPage

router = APIRouter(prefix="/api/v1", tags=["audit"])

RowIdQuery = Annotated[int | None, Query(ge=1, le=2_147_483_647)]
Cursor = Annotated[
    int | None, Query(ge=1, le=2**62, description="Events before this sequence number (the next page).")
]
Limit = Annotated[int, Query(ge=1, le=500)]
ActionQuery = Annotated[
    str | None,
    Query(
        max_length=64,
        pattern=r"^[a-z_.]*$",
        description="An action (such as plan.read), or a kind: reads, changes or refusals.",
    ),
]


class ActorOut(BaseModel):
    id: int
    display_name: str | None
    role: str | None
    organisation_id: int | None
    organisation_name: str | None


class AuditEventOut(BaseModel):
    sequence: int
    occurred_at: datetime
    actor: ActorOut | None
    action: str
    outcome: str
    reason: str | None
    """What the code stated, or the words a person typed (kept beside the chain; null once erased)."""
    reason_digest: str | None
    """The salted digest of typed words, which the hash covers (form 2)."""
    hash_version: int | None
    """The hash form: 2, or null for an event chained in form 1 (before typed reasons left the chain)."""
    object_type: str | None
    object_id: str | None
    plan_id: int | None
    channel: str
    client_address: str | None
    """Only for the council's audit officers."""
    request_id: str | None
    """Only for the council's audit officers."""
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    events: list[AuditEventOut]
    next_before: int | None
    """Pass as `before` for the next (older) page; null on the last page."""


def _event_out(event: AuditEvent, page: EventPage, *, full: bool) -> AuditEventOut:
    actor: ActorOut | None = None
    if event.actor_id is not None:
        person = page.people.get(event.actor_id)
        organisation = (
            page.organisations.get(event.actor_organisation_id) if event.actor_organisation_id else None
        )
        actor = ActorOut(
            id=event.actor_id,
            display_name=person.display_name if person else None,
            role=event.actor_role,
            organisation_id=event.actor_organisation_id,
            organisation_name=organisation.name if organisation else None,
        )
    return AuditEventOut(
        sequence=event.sequence,
        occurred_at=event.occurred_at,
        actor=actor,
        action=event.action,
        outcome=event.outcome.value,
        reason=page.reason(event),
        reason_digest=event.reason_digest,
        hash_version=event.hash_version,
        object_type=event.object_type,
        object_id=event.object_id,
        plan_id=event.plan_id,
        channel=event.channel.value,
        client_address=event.client_address if full else None,
        request_id=event.request_id if full else None,
        details=event.details,
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


def _checked_dates(since: date | None, until: date | None) -> None:
    if since and until and until < since:
        raise HTTPException(422, "`until` must be the same day as `since` or after it.")


@router.get(
    "/audit",
    dependencies=[requires(Permission.READ_AUDIT_TRAIL)],
    responses={
        401: {"description": "No valid token or session"},
        403: {"description": "Not an LA audit officer"},
    },
)
def council_audit(
    db: SessionDep,
    actor: ActorDep,
    plan_id: RowIdQuery = None,
    person_id: RowIdQuery = None,
    organisation_id: RowIdQuery = None,
    action: ActionQuery = None,
    since: Annotated[date | None, Query(description="From this day (UK time).")] = None,
    until: Annotated[date | None, Query(description="To this day (UK time), included.")] = None,
    before: Cursor = None,
    limit: Limit = audit_search.PAGE_SIZE,
) -> AuditPage:
    """The events of every plan of the officer's local authority, newest first."""
    _checked_dates(since, until)
    person_ids = (person_id,) if person_id is not None else None
    filters = AuditFilter(plan_id, person_ids, organisation_id, action, since, until)
    page = audit_search.la_events(db, actor, filters, before=before, size=limit)
    return AuditPage(events=[_event_out(e, page, full=True) for e in page.events], next_before=page.older)


@router.get(
    "/plans/{plan_id}/audit",
    dependencies=[requires(Permission.READ_PLANS)],
    responses={
        401: {"description": "No valid token or session"},
        404: {"description": "Not a plan you may see"},
    },
)
def plan_audit(
    db: SessionDep,
    actor: ActorDep,
    access: CurrentPlan,
    person_id: RowIdQuery = None,
    organisation_id: RowIdQuery = None,
    action: ActionQuery = None,
    since: Annotated[date | None, Query(description="From this day (UK time).")] = None,
    until: Annotated[date | None, Query(description="To this day (UK time), included.")] = None,
    before: Cursor = None,
    limit: Limit = audit_search.PAGE_SIZE,
) -> AuditPage:
    """Who has read or changed the plan, newest first: for its members and the council's audit officers."""
    _checked_dates(since, until)
    person_ids = (person_id,) if person_id is not None else None
    filters = AuditFilter(None, person_ids, organisation_id, action, since, until)
    page = audit_search.plan_events(db, actor, access, filters, before=before, size=limit)
    events = [_event_out(event, page, full=access.audits) for event in page.events]
    return AuditPage(events=events, next_before=page.older)
