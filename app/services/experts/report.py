"""The council's view of Experts at Hand: requests and replies by service, and how long replies take.

Two queries whatever the number of requests: the council's services, then every request to them
(four columns each); the figures are worked out from those rows.
"""

from dataclasses import dataclass
from statistics import median

from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today as today
from app.models import SPECIALISM_LABELS, ExpertRequest
from app.services import audit
from app.services.experts.requests import days_to_reply, services_of


@dataclass(frozen=True)
class ServiceFigures:
    service_id: int
    name: str
    specialism: str
    asked: int
    open: int
    answered: int
    overdue: int
    """Open past their due date."""
    median_days: float | None
    """The median of whole days from asking to the reply, over the answered ones."""


def council_report(db: Session, actor: Actor) -> list[ServiceFigures]:
    """Per service of the officer's council: open, answered, overdue and the median days to reply."""
    person = actor.signed_in()
    services = services_of(db, person.organisation_id or 0)
    ids = [choice.service.id for choice in services]
    requests = (
        list(db.exec(select(ExpertRequest).where(col(ExpertRequest.service_id).in_(ids)))) if ids else []
    )
    by_service: dict[int, list[ExpertRequest]] = {}
    for request in requests:
        by_service.setdefault(request.service_id, []).append(request)
    now = today()
    figures = []
    for choice in services:
        mine = by_service.get(choice.service.id or 0, [])
        days = [d for d in (days_to_reply(request) for request in mine) if d is not None]
        still_open = [request for request in mine if request.answered_at is None]
        figures.append(
            ServiceFigures(
                service_id=choice.service.id or 0,
                name=choice.organisation.name,
                specialism=SPECIALISM_LABELS[choice.service.specialism],
                asked=len(mine),
                open=len(still_open),
                answered=len(days),
                overdue=sum(1 for request in still_open if request.due_on < now),
                median_days=median(days) if days else None,
            )
        )
    audit.record(db, actor, "la.experts_read", details={"local_authority_id": person.organisation_id})
    return figures
