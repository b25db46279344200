"""The one function that writes audit events, in the caller's transaction.

Events name objects by kind and id and never copy their content. The hash chain, checkpoints and
the LA officer's pages are added by the audit trail issue, here and nowhere else.
"""

from typing import Any

from sqlmodel import Session

from app.actor import Actor
from app.models import AuditEvent, Outcome, Person


def record(
    db: Session,
    actor: Actor,
    action: str,
    *,
    subject: Person | None = None,
    object_type: str | None = None,
    object_id: int | str | None = None,
    outcome: Outcome = Outcome.DONE,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event; it commits or rolls back with the change it records.

    `subject` names who acted when no one is signed in yet (a sign-in, a reset by link).
    """
    person = actor.person or subject
    event = AuditEvent(
        actor_id=person.id if person is not None else None,
        actor_role=person.role if person is not None else None,
        actor_organisation_id=person.organisation_id if person is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        channel=actor.channel,
        client_address=actor.client_address,
        request_id=actor.request_id,
        outcome=outcome,
        reason=reason,
        details=details or {},
    )
    db.add(event)
    db.flush()
    return event
