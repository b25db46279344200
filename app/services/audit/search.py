"""Finding audit events: the LA audit officer's search across the council's plans, and one plan's history.

Pages are keyset-paginated on the chain's sequence (newest first), and every filter has an index that
ends in the sequence, so a page costs the same at the millionth event as at the first. Exports stream
in batches. Reading the trail is itself recorded: "audit.listed" and "audit.exported" for the
officer's searches, "plan.audit_read" (on the plan) for a plan's history. They list the chained
events: one committed a moment ago appears once the sequencer has linked it (within its bound).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import UK_TIME
from app.forms.fields import read_date_input
from app.models import (
    AuditEvent,
    Child,
    Organisation,
    Outcome,
    Person,
    Plan,
)
from app.permissions import PlanAccess
from app.services.audit import events as audit
from app.services.audit import reasons
from app.services.audit.actions import ACTIONS
from app.services.plans.plans import organisations_by_id, people_by_id

PAGE_SIZE = 50
EXPORT_BATCH = 1000
_MAX_ROW_ID = 2_147_483_647

READ_ACTIONS = frozenset(
    {
        "plan.read",
        "plan.layers_read",
        "item.read",
        "plan.changes_read",
        "plan.audit_read",
        "plan.items_read",
        "plan.members_read",
        "plan.reviews_read",
        "plan.versions_read",
        "plan.quality_read",
        "plan.differences_read",
        "views.read",
        "links.read",
        "picture.read",
        "timeline.read",
        "delivery.read",
        "delivery.listed",
        "timetable.read",
        "timetables.listed",
        "needs_map.read",
        "provision_change.read",
        "provision_changes.listed",
        "plan.progress_read",
    }
)
"""Reads of plan content (and of the plan's own trail)."""

ACTION_LABELS: dict[str, str] = {
    code: ACTIONS[code].label
    for code in (
        "plan.read",
        "item.read",
        "plan.changes_read",
        "plan.audit_read",
        "plan.created",
        "item.added",
        "item.revised",
        "comment.added",
        "link.added",
        "views.sent",
        "link.removed",
        "member.added",
        "member.removed",
        "coordinator.handed_on",
        "review.recorded",
        "review.finished",
        "plan.send_for_consultation",
        "plan.issue",
        "plan.start_review",
        "plan.cease",
        "plan.move_to_stage",
        "plan.close",
        "plan.refused",
        "item.refused",
        "member.refused",
        "permission.refused",
        "csrf.refused",
        "audit.checkpoint_published",
    )
}
"""The actions the officer may filter by, with their labels (every action has one: `audit.actions`)."""

KINDS: dict[str, str] = {
    "reads": "Reads of plan content",
    "changes": "Changes",
    "refusals": "Refusals",
}
"""Kinds of action the officer can filter by, beside each single action."""


class FilterProblem(Exception):
    """Filters that cannot be used, with a message for each field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class AuditFilter:
    """What to look for; every part optional. `person_ids` None is anyone, () is no one."""

    plan_id: int | None = None
    person_ids: tuple[int, ...] | None = None
    organisation_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.plan_id is not None:
            found.append(col(AuditEvent.plan_id) == self.plan_id)
        if self.person_ids is not None:
            found.append(col(AuditEvent.actor_id).in_(self.person_ids))
        if self.organisation_id is not None:
            found.append(col(AuditEvent.actor_organisation_id) == self.organisation_id)
        if self.action:
            found.append(_action_condition(self.action))
        if self.since is not None:
            found.append(col(AuditEvent.occurred_at) >= start_of_day(self.since))
        if self.until is not None:
            found.append(
                col(AuditEvent.occurred_at) < start_of_day(min(self.until, _LATEST) + timedelta(days=1))
            )
        return found

    def described(self) -> dict[str, Any]:
        """The filter as recorded in the audit event of the search itself."""
        values = {
            "plan_id": self.plan_id,
            "person_ids": list(self.person_ids) if self.person_ids is not None else None,
            "organisation_id": self.organisation_id,
            "action": self.action,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {name: value for name, value in values.items() if value is not None}


_EARLIEST, _LATEST = date(1900, 1, 1), date(9999, 1, 1)


def start_of_day(day: date) -> datetime:
    """Midnight in the UK, in UTC: a day in a filter is a day as people in England live it."""
    day = min(max(day, _EARLIEST), _LATEST)
    return datetime.combine(day, time(0), tzinfo=UK_TIME).astimezone(UTC)


def _action_condition(action: str) -> ColumnElement[bool]:
    done = col(AuditEvent.outcome) == Outcome.DONE.value
    if action == "reads":
        return and_(done, col(AuditEvent.action).in_(READ_ACTIONS))
    if action == "changes":
        return and_(done, col(AuditEvent.action).not_in(READ_ACTIONS))
    if action == "refusals":
        return col(AuditEvent.outcome) == Outcome.REFUSED.value
    return col(AuditEvent.action) == action


def action_choices() -> list[tuple[str, str]]:
    return [*KINDS.items(), *sorted(ACTION_LABELS.items(), key=lambda choice: choice[1])]


def plan_id_from_reference(text: str) -> int | None:
    """ "OP-1042" (or "op 1042", or "1042") is plan 42; anything else is None."""
    match = re.fullmatch(r"\s*(?:op[\s-]*)?(\d{4,10})\s*", text, flags=re.IGNORECASE)
    if match is None:
        return None
    plan_id = int(match.group(1)) - 1000
    return plan_id if 1 <= plan_id <= _MAX_ROW_ID else None


def people_matching(db: Session, text: str) -> tuple[int, ...]:
    """People by e-mail address (exactly) or by name (any part of it), at most 100."""
    wanted = text.strip().lower()
    pattern = "%" + wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    ids = db.exec(
        select(Person.id)
        .where(
            or_(
                func.lower(col(Person.email)) == wanted,
                func.lower(col(Person.display_name)).like(pattern, escape="\\"),
            )
        )
        .order_by(col(Person.id))
        .limit(100)
    ).all()
    return tuple(person_id for person_id in ids if person_id is not None)


def organisations(db: Session) -> list[Organisation]:
    return list(db.exec(select(Organisation).order_by(col(Organisation.name))))


FORM_FIELDS = (
    "plan",
    "person",
    "organisation",
    "action",
    "from-day",
    "from-month",
    "from-year",
    "to-day",
    "to-month",
    "to-year",
)
"""The officer's filter form, as query parameters (pagination and export links carry them on)."""


def filter_from_form(db: Session, values: Mapping[str, str]) -> AuditFilter:
    """The filter the officer's form describes; FilterProblem names each field that cannot be used."""
    errors: dict[str, str] = {}
    plan_id: int | None = None
    if values.get("plan", "").strip():
        plan_id = plan_id_from_reference(values["plan"])
        if plan_id is None:
            errors["plan"] = "Enter a plan reference like OP-1042"
    person_ids: tuple[int, ...] | None = None
    if values.get("person", "").strip():
        person_ids = people_matching(db, values["person"])
        if not person_ids:
            errors["person"] = "No one has that name or e-mail address: check the spelling"
    organisation = values.get("organisation", "")
    organisation_id = (
        int(organisation) if organisation.isdigit() and int(organisation) <= _MAX_ROW_ID else None
    )
    if organisation and organisation_id is None:
        errors["organisation"] = "Select an organisation from the list"
    action = values.get("action", "") or None
    if action is not None and action not in KINDS and action not in ACTION_LABELS:
        errors["action"] = "Select a kind of action from the list"
    since, problems = read_date_input(values, "from", label="The start date", marks_missing_box=False)
    errors |= problems
    until, problems = read_date_input(values, "to", label="The end date", marks_missing_box=False)
    errors |= problems
    if since and until and until < since:
        errors["to-day"] = "The end date must be the same as or after the start date"
    if errors:
        raise FilterProblem(errors)
    return AuditFilter(plan_id, person_ids, organisation_id, action, since, until)


# Pages -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanName:
    reference: str
    child_name: str


@dataclass
class EventPage:
    events: list[AuditEvent]
    newer: int | None = None
    """`after=` this sequence for the page of newer events (None on the newest page)."""
    older: int | None = None
    """`before=` this sequence for the page of older events (None on the oldest page)."""
    people: dict[int, Person] = field(default_factory=dict)
    organisations: dict[int, Organisation] = field(default_factory=dict)
    plans: dict[int, PlanName] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)
    """The typed reasons of the events that have one, by event id (kept beside the chain, not in it)."""

    def reason(self, event: AuditEvent) -> str | None:
        """The event's reason: the one it states, or the words typed (None once erased)."""
        return event.reason if event.reason is not None else self.reasons.get(event.id or 0)


def la_scope(council_id: int | None) -> ColumnElement[bool]:
    """Events about the plans of the officer's own local authority."""
    council_plans = select(Plan.id).where(col(Plan.local_authority_id) == council_id)
    return col(AuditEvent.plan_id).in_(council_plans)


def plan_scope(plan_id: int) -> ColumnElement[bool]:
    return col(AuditEvent.plan_id) == plan_id


def _page(
    db: Session,
    scope: ColumnElement[bool],
    filters: AuditFilter,
    *,
    before: int | None,
    after: int | None,
    size: int,
) -> EventPage:
    query = select(AuditEvent).where(scope, col(AuditEvent.sequence).is_not(None), *filters.conditions())
    if after is not None:
        rows = list(
            db.exec(
                query.where(col(AuditEvent.sequence) > after)
                .order_by(col(AuditEvent.sequence))
                .limit(size + 1)
            )
        )
        newest_first = list(reversed(rows[:size]))
        return EventPage(
            newest_first,
            newer=newest_first[0].sequence if len(rows) > size else None,
            older=newest_first[-1].sequence if newest_first else after + 1,
        )
    if before is not None:
        query = query.where(col(AuditEvent.sequence) < before)
    rows = list(db.exec(query.order_by(col(AuditEvent.sequence).desc()).limit(size + 1)))
    events = rows[:size]
    newer: int | None = None
    if before is not None:
        newer = events[0].sequence if events else before - 1
    return EventPage(events, newer=newer, older=events[-1].sequence if len(rows) > size else None)


def names_for(db: Session, events: Sequence[AuditEvent], page: EventPage | None = None) -> EventPage:
    """The people, organisations, plans and typed reasons of the events, in four queries however many."""
    page = page or EventPage(list(events))
    page.reasons = reasons.typed_reasons(db, events)
    person_ids: set[int | None] = {event.actor_id for event in events}
    for event in events:
        for key in ("person_id", "from_person_id", "to_person_id"):
            value = event.details.get(key)
            if isinstance(value, int):
                person_ids.add(value)
        if event.object_type == "person" and event.object_id and event.object_id.isdigit():
            person_ids.add(int(event.object_id))
    page.people = people_by_id(db, person_ids)
    page.organisations = organisations_by_id(
        db,
        {event.actor_organisation_id for event in events}
        | {person.organisation_id for person in page.people.values()},
    )
    plan_ids = {event.plan_id for event in events if event.plan_id is not None}
    if plan_ids:
        rows = db.exec(
            select(Plan, Child)
            .join(Child, col(Child.id) == col(Plan.child_id))
            .where(col(Plan.id).in_(plan_ids))
        )
        page.plans = {plan.id: PlanName(plan.reference, child.full_name) for plan, child in rows if plan.id}
    return page


def organisation_name(db: Session, organisation_id: int | None) -> str | None:
    return db.exec(select(Organisation.name).where(col(Organisation.id) == organisation_id)).first()


def child_name(db: Session, plan: Plan) -> str:
    return db.exec(select(Child.full_name).where(col(Child.id) == plan.child_id)).one()


def la_events(
    db: Session,
    actor: Actor,
    filters: AuditFilter,
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> EventPage:
    """A page of the events of the officer's council's plans (route permission: LA audit officers)."""
    person = actor.signed_in()
    page = _page(db, la_scope(person.organisation_id), filters, before=before, after=after, size=size)
    audit.record(db, actor, "audit.listed", details={"filters": filters.described(), "before": before})
    return names_for(db, page.events, page)


def plan_events(
    db: Session,
    actor: Actor,
    access: PlanAccess,
    filters: AuditFilter,
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> EventPage:
    """A page of one plan's events, for its members and the council's audit officers."""
    page = _page(db, plan_scope(access.plan.id or 0), filters, before=before, after=after, size=size)
    audit.record(
        db,
        actor,
        "plan.audit_read",
        object_type="plan",
        object_id=access.plan.id,
        details={"filters": filters.described(), "before": before},
    )
    return names_for(db, page.events, page)
