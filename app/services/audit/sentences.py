"""The trail in sentences for the family's page ("Tom Baker, your teacher, read the plan")."""

from dataclasses import dataclass
from datetime import datetime

from app.models import (
    ITEM_KIND_LABELS,
    ROLE_LABELS,
    AuditEvent,
    ItemKind,
    Outcome,
    Person,
    PersonRole,
)
from app.models.base import as_utc
from app.services.audit import actions
from app.services.audit.search import EventPage


def _with_article(label: str) -> str:
    word = label.lower()
    if word in {"advice", "provision"}:
        return word
    return ("an " if word[:1] in "aeiou" else "a ") + word


@dataclass(frozen=True)
class Sentence:
    who: str
    what: str
    when: datetime
    refused: bool


def who(event: AuditEvent, names: EventPage, viewer: Person | None = None) -> str:
    """The person, and their organisation for staff: "Priya Shah (Riverside Primary School)"."""
    if event.actor_id is None:
        return "OnePlan itself (a command run by its operators)"
    person = names.people.get(event.actor_id)
    if person is None:
        return "Someone whose account no longer exists"
    name = person.display_name
    if viewer is not None and viewer.id == person.id:
        name = f"You ({name})"
    organisation = (
        names.organisations.get(event.actor_organisation_id) if event.actor_organisation_id else None
    )
    if organisation is not None:
        return f"{name} ({organisation.name})"
    if event.actor_role and event.actor_role not in {PersonRole.PARENT_CARER, PersonRole.CHILD}:
        return f"{name} ({ROLE_LABELS.get(PersonRole(event.actor_role), event.actor_role)})"
    return name


def what(event: AuditEvent, names: EventPage, a_plan_name: str = "an Individual Support Plan") -> str:
    """What they did, in plain words; a refusal says so. `a_plan_name`: the ISP in the council's words."""
    details = event.details

    def someone(key: str) -> str:
        value = details.get(key)
        person = names.people.get(value) if isinstance(value, int) else None
        return person.display_name if person else "someone"

    if event.outcome is Outcome.REFUSED:
        if event.action == "plan.refused":
            return "tried to open the plan and was turned away (they are not on it)"
        return f"tried to do something the plan did not allow and was stopped ({event.reason or 'refused'})"
    section = f" in section {details['section']}" if details.get("section") else ""
    if event.action == "item.added":
        kind = details.get("kind")
        label = ITEM_KIND_LABELS.get(ItemKind(kind), "item") if kind in set(ItemKind) else "item"
        return f"added {_with_article(label)}{section}"
    if event.action == "item.revised":
        return f"changed an item{section} (revision {details.get('revision', '?')})"
    if event.action == "member.added":
        invited = " (inviting them to OnePlan)" if details.get("invited") else ""
        return f"added {someone('person_id')} to the plan{invited}"
    reason = names.reasons.get(event.id or 0)
    because = f", saying: “{reason}”" if reason else ""
    if event.action == "member.removed":
        return f"removed {someone('person_id')} from the plan{because}"
    if event.action == "plan.kind_changed":
        return f"turned the plan into {a_plan_name}{because}"
    if event.action == "plan.layer_changed":
        return f"{actions.phrase(event.action)}{because}"
    if event.action == "coordinator.handed_on":
        return f"handed the coordination of the plan on to {someone('to_person_id')}"
    if event.action in {"review.recorded", "review.finished"} and details.get("version"):
        done = "recorded" if event.action == "review.recorded" else "finished"
        return f"{done} a review and kept version {details['version']} of the plan"
    return actions.phrase(event.action)


def sentences(
    page: EventPage, viewer: Person, a_plan_name: str = "an Individual Support Plan"
) -> list[Sentence]:
    return [
        Sentence(
            who(event, page, viewer),
            what(event, page, a_plan_name),
            as_utc(event.occurred_at),
            event.outcome is Outcome.REFUSED,
        )
        for event in page.events
    ]
