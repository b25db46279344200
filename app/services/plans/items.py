"""Items and their revisions: every edit adds a revision, and a stale save never overwrites another."""

import hashlib
import json
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today as today
from app.errors import Refused, plain_problem
from app.models import (
    FAMILY_MEMBER_ROLES,
    ITEM_KIND_LABELS,
    SECTION_KIND,
    Item,
    ItemComment,
    ItemContent,
    ItemKind,
    ItemRevision,
    Organisation,
    Person,
    Plan,
    PlanMember,
    PlanStatus,
    PlanVersion,
    PlanVersionItem,
    ProvisionChange,
    ProvisionChangeKind,
    ProvisionUnit,
    Section,
)
from app.models.base import id_of
from app.models.provision import GroupSize
from app.permissions import PlanAccess, may_add_view, may_comment, may_revise, may_write_in
from app.services import audit, deliverer_roles
from app.services.plans import visibility
from app.services.plans.access import refuse, refuse_change
from app.services.plans.plans import SECTION_TITLES, people_by_id

STRUCTURED = (
    "session_minutes",
    "group_size",
    "group_of",
    "deliverer_role",
    "expertise",
    "location",
    "ends_on",
)
"""The particulars of structured provision beyond how much and how often (app/models/provision.py)."""

PARTICULARS: dict[ItemKind, frozenset[str]] = {
    ItemKind.NEED: frozenset({"area_of_need"}),
    ItemKind.OUTCOME: frozenset({"achieve_by"}),
    ItemKind.PROVISION: frozenset(
        {
            "delivered_by",
            "delivered_by_organisation_id",
            "amount",
            "unit",
            "frequency",
            "starts_on",
            "review_on",
            *STRUCTURED,
        }
    ),
}
"""Which particulars each kind of item has beyond its words; others are dropped, not stored."""

MAX_REASON = 500
NO_CHANGE_REASON = "Enter why you are changing this provision: the family is told and can reply"


class NewItem(ItemContent):
    section: Section
    voice_id: int | None = None
    """For a view recorded on someone's behalf: the child or parent whose words these are."""


class ContentProblem(ValueError):
    """What was typed cannot be saved as it is; `errors` maps each field to what to do about it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class StaleRevision(Exception):
    """Someone else saved first: the caller shows both texts; nothing was written."""

    def __init__(self, item: Item, current: ItemRevision) -> None:
        super().__init__(f"item {item.id} is at revision {current.number}")
        self.item = item
        self.current = current


@dataclass(frozen=True)
class Revised:
    item: Item
    change: ProvisionChange | None
    """The record of a change of agreed provision (who, when, why); None for anything else."""


@dataclass(frozen=True)
class ItemHistory:
    item: Item
    revisions: list[ItemRevision]
    comments: list[ItemComment]
    people: dict[int, Person]


def checked_content(kind: ItemKind, content: ItemContent) -> ItemContent:
    """The content as it will be stored, or ContentProblem with a message beside each field."""
    errors: dict[str, str] = {}
    kept = PARTICULARS.get(kind, frozenset())
    values = {name: getattr(content, name) if name in kept else None for name in ItemContent.model_fields}
    values["text"] = content.text.strip()
    if not values["text"]:
        errors["text"] = f"Enter the words of the {ITEM_KIND_LABELS[kind].lower()}"
    if kind is ItemKind.NEED and values["area_of_need"] is None:
        errors["area_of_need"] = "Select the area of need"
    if kind is ItemKind.PROVISION:
        quantity = (values["amount"], values["unit"], values["frequency"])
        if any(part is not None for part in quantity) and None in quantity:
            field = ("amount", "unit", "frequency")[quantity.index(None)]
            errors[field] = "Enter how much and how often together: a number, its unit and how often"
        amount, unit = values["amount"], values["unit"]
        if unit == ProvisionUnit.SESSIONS and isinstance(amount, float | int) and amount != int(amount):
            errors["amount"] = "Enter the number of sessions as a whole number, like 3"
        if values["starts_on"] and values["review_on"] and values["review_on"] < values["starts_on"]:
            errors["review_on"] = "The review date must be on or after the start date"
        if values["starts_on"] and values["ends_on"] and values["ends_on"] < values["starts_on"]:
            errors["ends_on"] = "The end date must be on or after the start date"
        if values["group_of"] is not None and values["group_size"] != GroupSize.SMALL_GROUP:
            errors["group_of"] = "Give how many children only for a small group"
        for name in ("delivered_by", "expertise", "location"):
            typed = values[name]
            if isinstance(typed, str):
                values[name] = typed.strip() or None
    if errors:
        raise ContentProblem(errors)
    try:
        return ItemContent.model_validate(values)
    except ValidationError as invalid:
        raise ContentProblem(
            {str(error["loc"][0]): plain_problem(error) for error in invalid.errors() if error["loc"]}
        ) from None


def content_digest(revision: ItemContent) -> str:
    """A digest of the words for the audit trail, which holds no content itself."""
    canonical = json.dumps(
        revision.model_dump(mode="json", include=set(ItemContent.model_fields)), sort_keys=True
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_may_add(access: PlanAccess, section: Section, *, named: str, to_issued: bool = False) -> None:
    """Whether this person may add an item to the section now (asked before the form is even shown).

    `named` is how the refusal names the section to this door's reader ("section F", or its title).
    `to_issued`: a view may still be added to an issued plan (app.services.voices.views); it is not part
    of the issued version, and is kept for the next review.
    """
    views_after_issue = to_issued and section is Section.A and access.plan.status is PlanStatus.ISSUED
    _check_writable(access, section, action="item.refused", frozen=not views_after_issue)
    if not (may_add_view(access) if views_after_issue else may_write_in(access, section)):
        refuse(access, f"Your part in this plan does not include writing in {named}.", action="item.refused")


def _check_writable(access: PlanAccess, section: Section, *, action: str, frozen: bool = True) -> None:
    if section not in SECTION_TITLES[access.plan.kind]:
        raise ContentProblem(
            {"section": f"A {access.plan.kind.value.replace('_', ' ')} plan has no section {section}"}
        )
    if frozen and access.plan.is_frozen:
        refuse_change(
            access, "This plan has been issued or closed: changes are made through a review.", action=action
        )


def _check_organisation(db: Session, content: ItemContent) -> None:
    """The organisation delivering provision must exist (an unknown id is a typing problem, not a crash)."""
    organisation_id = content.delivered_by_organisation_id
    if organisation_id is not None and (
        not 1 <= organisation_id <= 2_147_483_647 or db.get(Organisation, organisation_id) is None
    ):
        raise ContentProblem({"delivered_by_organisation_id": "Select the organisation that delivers it"})


def _check_role(db: Session, access: PlanAccess, content: ItemContent, *, keeping: str | None = None) -> None:
    _check_role_of(db, access.plan, content, keeping=keeping)


def _check_role_of(db: Session, plan: Plan, content: ItemContent, *, keeping: str | None = None) -> None:
    """The role delivering provision is a built-in one or on the plan's council's own list, or the one
    it had (a plan moved from another council keeps its role)."""
    role = content.deliverer_role
    if role != keeping and not deliverer_roles.is_on_list(db, plan.local_authority_id, role):
        raise ContentProblem({"deliverer_role": "Select a role from the list"})


def _voice_for(db: Session, access: PlanAccess, voice_id: int | None) -> int:
    """A family member writes their own view; a professional records one for a family member of the plan."""
    if access.member_role in FAMILY_MEMBER_ROLES:
        return id_of(access.person)
    family = db.exec(
        select(PlanMember).where(
            col(PlanMember.plan_id) == access.plan.id,
            col(PlanMember.person_id) == voice_id,
            col(PlanMember.removed_at).is_(None),
            col(PlanMember.role).in_([role.value for role in FAMILY_MEMBER_ROLES]),
        )
    ).first()
    if voice_id is None or family is None:
        raise ContentProblem({"voice_id": "Select whose view this is: the child or a parent on this plan"})
    return voice_id


def add_item(db: Session, actor: Actor, access: PlanAccess, new: NewItem) -> Item:
    item = write_item(db, access, new)
    audit.record(
        db, actor, "item.added", object_type="item", object_id=item.id, details=added_details(item, new)
    )
    return item


def added_details(item: Item, content: ItemContent) -> dict[str, object]:
    """What an event says of a new item: where, what kind, and the digest of its words (never the words)."""
    return {
        "plan_id": item.plan_id,
        "section": item.section.value,
        "kind": item.kind.value,
        "revision": 1,
        "digest": content_digest(checked_content(item.kind, content)),
    }


def write_item(db: Session, access: PlanAccess, new: NewItem, *, to_issued: bool = False) -> Item:
    """Write a new item and its first revision. Not audited: the caller's action records its one event."""
    kind = SECTION_KIND[new.section]
    check_may_add(access, new.section, named=f"section {new.section}", to_issued=to_issued)
    voice_id = _voice_for(db, access, new.voice_id) if kind is ItemKind.VIEW else None
    return new_item(db, access.plan, access.person, new.section, new, voice_id=voice_id)


def new_item(
    db: Session,
    plan: Plan,
    author: Person,
    section: Section,
    typed: ItemContent,
    *,
    voice_id: int | None = None,
) -> Item:
    """A new item with its first revision, its content checked (the caller has checked who may write
    it: a member through `write_item`, a service replying to a request for its advice). Not audited."""
    kind = SECTION_KIND[section]
    content = checked_content(kind, typed)
    _check_organisation(db, content)
    _check_role_of(db, plan, content)
    item = Item(plan_id=id_of(plan), section=section, kind=kind, author_id=id_of(author), voice_id=voice_id)
    db.add(item)
    db.flush()
    revision = _add_revision(db, item, content, author, number=1)
    item.revision_number = 1
    item.current_revision_id = revision.id
    db.flush()
    return item


def plan_item(db: Session, access: PlanAccess, item_id: int) -> Item:
    """An item of this plan that this person may read; any other item is absent (404).

    A view hidden from this person by its young person's choice is absent too (app.permissions.may_see_view).
    """
    item = db.get(Item, item_id)
    if item is None or item.plan_id != access.plan.id:
        raise Refused(
            404,
            "Not Found",
            action="item.refused",
            person=access.person,
            object_type="item",
            object_id=item_id,
        )
    visibility.check_may_read(db, access, item)
    return item


def current_revision(db: Session, item: Item) -> ItemRevision:
    revision = db.get(ItemRevision, item.current_revision_id)
    if revision is None:
        raise LookupError(f"item {item.id} has no revision")
    return revision


def check_revisable(access: PlanAccess, item: Item) -> None:
    """Refuse (409 frozen, 403 not theirs to change) before anything else about a revision is looked at."""
    _check_writable(access, item.section, action="item.refused")
    if not may_revise(access, item):
        detail = (
            "Only the person who wrote these words can change them. You can add a comment."
            if item.kind in {ItemKind.VIEW, ItemKind.ADVICE}
            else f"Your part in this plan does not include section {item.section}. You can add a comment."
        )
        refuse(access, detail, action="item.refused", object_type="item", object_id=item.id)


def is_agreed(db: Session, item: Item) -> bool:
    """Agreed provision: a provision in the plan's latest frozen version (issued, or kept at a review)."""
    if item.kind is not ItemKind.PROVISION:
        return False
    latest = db.exec(
        select(PlanVersion.id)
        .where(col(PlanVersion.plan_id) == item.plan_id)
        .order_by(col(PlanVersion.number).desc(), col(PlanVersion.id).desc())
        .limit(1)
    ).first()
    if latest is None:
        return False
    held = db.exec(
        select(PlanVersionItem.id).where(
            col(PlanVersionItem.version_id) == latest, col(PlanVersionItem.item_id) == item.id
        )
    ).first()
    return held is not None


def checked_reason(agreed: bool, reason: str | None) -> str | None:
    """Why agreed provision changes (required, plain words); None for an item that needs no reason."""
    if not agreed:
        return None
    why = (reason or "").strip()
    if not why:
        raise ContentProblem({"reason": NO_CHANGE_REASON})
    if len(why) > MAX_REASON:
        raise ContentProblem({"reason": f"The reason must be {MAX_REASON} characters or fewer"})
    if "\x00" in why:
        raise ContentProblem({"reason": "Enter the reason in plain words"})
    return why


def revise_item(
    db: Session, actor: Actor, access: PlanAccess, item: Item, content: ItemContent, *, based_on: int
) -> Item:
    """Add a revision of an item that needs no reason (agreed provision does: see `revise`)."""
    return revise(db, actor, access, item, content, based_on=based_on, reason=None).item


def revise(
    db: Session,
    actor: Actor,
    access: PlanAccess,
    item: Item,
    content: ItemContent,
    *,
    based_on: int,
    reason: str | None,
) -> Revised:
    """Add a revision if nobody saved since `based_on`; otherwise StaleRevision, and nothing is written.

    Changing agreed provision needs a reason, and is kept as a change of provision (who, when, why)
    that the family can answer; telling them is the caller's (`delivery.changes.change_provision`).
    """
    check_revisable(access, item)
    checked = checked_content(item.kind, content)
    _check_organisation(db, checked)
    _check_role(db, access, checked, keeping=current_revision(db, item).deliverer_role)
    why = checked_reason(is_agreed(db, item), reason)
    claimed = db.execute(
        update(Item)
        .where(col(Item.id) == item.id, col(Item.revision_number) == based_on)
        .values(revision_number=based_on + 1)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.refresh(item)
        raise StaleRevision(item, current_revision(db, item))
    revision = _add_revision(db, item, checked, access.person, number=based_on + 1)
    db.execute(update(Item).where(col(Item.id) == item.id).values(current_revision_id=revision.id))
    db.refresh(item)
    change: ProvisionChange | None = None
    if why is not None:
        change = ProvisionChange(
            plan_id=id_of(access.plan),
            item_id=id_of(item),
            kind=ProvisionChangeKind.CHANGED,
            reason=why,
            effective_on=today(),
            revision_before=based_on,
            revision_after=based_on + 1,
            made_by_id=id_of(access.person),
        )
        db.add(change)
        db.flush()
    details: dict[str, object] = {
        "plan_id": item.plan_id,
        "section": item.section.value,
        "revision_before": based_on,
        "revision": based_on + 1,
        "digest": content_digest(checked),
    }
    if change is not None:
        details["change_id"] = change.id
    audit.record(
        db, actor, "item.revised", object_type="item", object_id=item.id, typed_reason=why, details=details
    )
    return Revised(item, change)


def _add_revision(
    db: Session, item: Item, content: ItemContent, author: Person, *, number: int
) -> ItemRevision:
    revision = ItemRevision(
        **content.model_dump(), item_id=id_of(item), number=number, author_id=id_of(author)
    )
    db.add(revision)
    db.flush()
    return revision


def item_history(db: Session, actor: Actor, access: PlanAccess, item: Item) -> ItemHistory:
    """Every revision and comment of an item, oldest first (a read of plan content, so audited)."""
    revisions = list(
        db.exec(
            select(ItemRevision)
            .where(col(ItemRevision.item_id) == item.id)
            .order_by(col(ItemRevision.number))
        )
    )
    comments = list(
        db.exec(select(ItemComment).where(col(ItemComment.item_id) == item.id).order_by(col(ItemComment.id)))
    )
    people = people_by_id(
        db,
        {item.author_id, item.voice_id} | {r.author_id for r in revisions} | {c.author_id for c in comments},
    )
    audit.record(
        db, actor, "item.read", object_type="item", object_id=item.id, details={"plan_id": item.plan_id}
    )
    return ItemHistory(item, revisions, comments, people)


def add_comment(db: Session, actor: Actor, access: PlanAccess, item: Item, text: str) -> ItemComment:
    if not may_comment(access):
        refuse(
            access,
            "Only members of this plan can comment.",
            action="comment.refused",
            object_type="item",
            object_id=item.id,
        )
    words = text.strip()
    if not words:
        raise ContentProblem({"comment": "Enter your comment"})
    if len(words) > 5000:
        raise ContentProblem({"comment": "Your comment must be 5,000 characters or fewer"})
    comment = ItemComment(
        plan_id=item.plan_id,
        item_id=id_of(item),
        revision_number=item.revision_number,
        author_id=id_of(access.person),
        text=words,
    )
    db.add(comment)
    db.flush()
    audit.record(
        db,
        actor,
        "comment.added",
        object_type="item_comment",
        object_id=comment.id,
        details={"plan_id": item.plan_id, "item_id": item.id, "revision": item.revision_number},
    )
    return comment
