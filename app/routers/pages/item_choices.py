"""What the item forms offer: whose view it is, the lists of particulars, and what the item may answer
(grouped by section), and the next step after adding a need or an outcome."""

from typing import Any

from sqlmodel import Session

from app.forms.items import UNIT_LABELS, ItemForm
from app.models import (
    AREA_OF_NEED_LABELS,
    FAMILY_MEMBER_ROLES,
    FREQUENCY_LABELS,
    GROUP_SIZE_LABELS,
    MEMBER_ROLE_LABELS,
    SECTION_KIND,
    Item,
    ItemKind,
    Section,
    deliverer_label,
)
from app.permissions import PlanAccess, may_write_in
from app.services import deliverer_roles
from app.services.plans import items, links, plans
from app.services.plans.content import PlanItem
from app.services.plans.members import members


def voices_of(db: Session, access: PlanAccess) -> list[tuple[str, str]] | None:
    """Whose view a professional records: the plan's child and parents. None: a family member's own."""
    if access.member_role in FAMILY_MEMBER_ROLES:
        return None
    return [
        (
            str(membership.person.id),
            f"{membership.person.display_name} ({MEMBER_ROLE_LABELS[membership.member.role].lower()})",
        )
        for membership in members(db, access)
        if membership.member.role in FAMILY_MEMBER_ROLES
    ]


def form_choices(
    db: Session,
    access: PlanAccess,
    kind: ItemKind,
    *,
    voices: bool,
    text_label: str | None = None,
    options: list[tuple[Section, list[PlanItem]]] | None = None,
    keeping_role: str | None = None,
) -> dict[str, Any]:
    """`keeping_role`: the role the provision has, offered even when its council's list lacks it (a
    plan moved from another council keeps its role)."""
    roles = deliverer_roles.role_choices(db, access.plan.local_authority_id)
    if keeping_role and keeping_role not in dict(roles):
        roles.append((keeping_role, deliverer_label(keeping_role)))
    options = options or []
    choices: dict[str, Any] = {
        "answers": [
            (plans.SECTION_TITLES[access.plan.kind][section], entries) for section, entries in options
        ],
        "answer_voices": plans.people_by_id(
            db, {entry.item.voice_id for _section, entries in options for entry in entries}
        ),
        "areas": [(area.value, label) for area, label in AREA_OF_NEED_LABELS.items()],
        "units": [(unit.value, label) for unit, label in UNIT_LABELS.items()],
        "frequencies": [
            (frequency.value, label.capitalize()) for frequency, label in FREQUENCY_LABELS.items()
        ],
        "group_sizes": [(size.value, label) for size, label in GROUP_SIZE_LABELS.items()],
        "roles": roles,
        "organisations": [],
        "voices": voices_of(db, access) if voices and kind is ItemKind.VIEW else None,
        "text_label": text_label,
    }
    if kind is ItemKind.PROVISION:
        local = plans.local_organisations(db, access.plan.local_authority_id)
        choices["organisations"] = [(str(organisation.id), organisation.name) for organisation in local]
    return choices


def answers_problem(options: list[tuple[Section, list[PlanItem]]], chosen: set[int] | None) -> dict[str, str]:
    """A box ticked for something the form did not offer (gone since, or never of this plan)."""
    try:
        links.check_chosen(options, chosen or set())
    except items.ContentProblem as problem:
        return ItemForm.problem_errors(problem)
    return {}


NEXT_STEPS = {
    ItemKind.NEED: (ItemKind.OUTCOME, "Add an outcome for this need"),
    ItemKind.OUTCOME: (ItemKind.PROVISION, "Add provision for this outcome"),
}
"""After a need its outcome, after an outcome the provision that serves it (the golden thread)."""


def next_step(access: PlanAccess, item: Item) -> dict[str, str] | None:
    """The add form that carries the thread on from an item just added, where this person writes."""
    if item.kind not in NEXT_STEPS or access.plan.is_frozen:
        return None
    kind, label = NEXT_STEPS[item.kind]
    section = next(
        (
            section
            for section in plans.SECTION_TITLES[access.plan.kind]
            if SECTION_KIND[section] is kind and may_write_in(access, section)
        ),
        None,
    )
    return {"section": section.value, "label": label} if section else None
