"""No silent removal: ending or changing agreed provision (an adjustment too) needs a reason.

The item keeps its words; the ending is a record of its own (who, when, why). A change of agreed
provision is a new revision and such a record (`items.revise` decides which provision is agreed).
The family is mailed (without the reason or any personal detail) and answers on the change's page;
the plan shows every change since its last review.
"""

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today as today
from app.config import Settings
from app.models import (
    FAMILY_MEMBER_ROLES,
    ChangeResponse,
    Item,
    ItemContent,
    ItemRevision,
    Person,
    PlanReview,
    ProvisionChange,
    ProvisionChangeKind,
)
from app.models.base import PLAIN_TEXT, id_of
from app.permissions import PlanAccess, may_revise
from app.services import audit
from app.services.delivery.common import family_and_coordinator, tell
from app.services.plans import items
from app.services.plans.access import refuse, refuse_change, row_of_plan
from app.services.plans.items import ContentProblem
from app.services.plans.plans import people_by_id

MAX_REASON = items.MAX_REASON
NO_REASON = "Enter why this provision is ending: the family is told and can reply"


WHAT = {ProvisionChangeKind.ENDED: "ending", ProvisionChangeKind.CHANGED: "change"}
"""A change of provision in words, for the family's mail."""


class Ending(BaseModel):
    """Why, and from when (today if not given)."""

    reason: str = Field(max_length=MAX_REASON, pattern=PLAIN_TEXT)
    effective_on: date | None = None


class Response(BaseModel):
    text: str = Field(max_length=5000, pattern=PLAIN_TEXT)


@dataclass(frozen=True)
class ChangeRecord:
    change: ProvisionChange
    item: Item
    responses: list[ChangeResponse]


def endings_of(db: Session, plan_id: int) -> dict[int, ProvisionChange]:
    """The ending of each ended item of the plan, by item id."""
    found = db.exec(
        select(ProvisionChange).where(
            col(ProvisionChange.plan_id) == plan_id,
            col(ProvisionChange.kind) == ProvisionChangeKind.ENDED.value,
        )
    )
    return {change.item_id: change for change in found}


def end_provision(
    db: Session, settings: Settings, actor: Actor, access: PlanAccess, item: Item, ending: Ending
) -> ProvisionChange:
    """End a provision: refused without a reason; the coordinator and family are told."""
    items.check_revisable(access, item)
    reason = ending.reason.strip()
    if not reason:
        raise ContentProblem({"reason": NO_REASON})
    if item.id in endings_of(db, item.plan_id):
        refuse_change(access, "This provision has already ended.", action="provision.refused")
    effective_on = ending.effective_on or today()
    if effective_on < item.created_at.date():
        raise ContentProblem({"effective_on": "The provision cannot end before it was written"})
    change = ProvisionChange(
        plan_id=id_of(access.plan),
        item_id=id_of(item),
        kind=ProvisionChangeKind.ENDED,
        reason=reason,
        effective_on=effective_on,
        revision_before=item.revision_number,
        made_by_id=id_of(access.person),
    )
    db.add(change)
    db.flush()
    audit.record(
        db,
        actor,
        "provision.ended",
        object_type="provision_change",
        object_id=change.id,
        typed_reason=reason,
        details={"plan_id": access.plan.id, "item_id": item.id, "section": item.section.value},
    )
    plan = access.plan
    tell(
        db,
        settings,
        [person for person in family_and_coordinator(db, access) if person.id != access.person.id],
        f"A provision in plan {plan.reference} has ended",
        f"{access.person.display_name} ended a provision in section {item.section} of plan {plan.reference} "
        f"from {effective_on:%-d %B %Y}. The reason is on the plan, and you can reply to it there:\n\n"
        f"{settings.public_url}/plans/{plan.id}/provision-changes/{change.id}\n",
    )
    return change


def change_provision(
    db: Session,
    settings: Settings,
    actor: Actor,
    access: PlanAccess,
    item: Item,
    content: ItemContent,
    *,
    based_on: int,
    reason: str | None,
) -> Item:
    """Save a new revision: agreed provision only with a reason, and the coordinator and family are told."""
    revised = items.revise(db, actor, access, item, content, based_on=based_on, reason=reason)
    change = revised.change
    if change is not None:
        plan = access.plan
        tell(
            db,
            settings,
            [person for person in family_and_coordinator(db, access) if person.id != access.person.id],
            f"A provision in plan {plan.reference} has changed",
            f"{access.person.display_name} changed a provision in section {item.section} of plan "
            f"{plan.reference}. What changed and why are on the plan, and you can reply there:\n\n"
            f"{settings.public_url}/plans/{plan.id}/provision-changes/{change.id}\n",
        )
    return revised.item


def plan_change(db: Session, access: PlanAccess, change_id: int) -> ChangeRecord:
    change = row_of_plan(
        db, access, ProvisionChange, change_id, object_type="provision_change", action="provision.refused"
    )
    item = db.get(Item, change.item_id)
    assert item is not None
    responses = list(
        db.exec(
            select(ChangeResponse)
            .where(col(ChangeResponse.change_id) == change.id)
            .order_by(col(ChangeResponse.id))
        )
    )
    return ChangeRecord(change, item, responses)


def revisions_changed(db: Session, change: ProvisionChange) -> tuple[ItemRevision, ItemRevision] | None:
    """The words before and after a change of provision (None for an ending, which keeps its words)."""
    if change.revision_after is None:
        return None
    numbers = (change.revision_before, change.revision_after)
    found = {
        revision.number: revision
        for revision in db.exec(
            select(ItemRevision).where(
                col(ItemRevision.item_id) == change.item_id, col(ItemRevision.number).in_(numbers)
            )
        )
    }
    return found[change.revision_before], found[change.revision_after]


def read_change(db: Session, actor: Actor, access: PlanAccess, change_id: int) -> ChangeRecord:
    found = plan_change(db, access, change_id)
    audit.record(
        db,
        actor,
        "provision_change.read",
        object_type="provision_change",
        object_id=change_id,
        details={"plan_id": access.plan.id},
    )
    return found


def may_respond(access: PlanAccess) -> bool:
    """The family answers a change of their child's provision."""
    return access.member_role in FAMILY_MEMBER_ROLES


def respond(
    db: Session,
    settings: Settings,
    actor: Actor,
    access: PlanAccess,
    record: ChangeRecord,
    response: Response,
) -> ChangeResponse:
    if not may_respond(access):
        refuse(
            access,
            "The family on the plan answers a change of provision; you can comment on the item.",
            action="provision.refused",
            object_type="provision_change",
            object_id=record.change.id,
        )
    words = response.text.strip()
    if not words:
        raise ContentProblem({"text": "Enter your reply"})
    answer = ChangeResponse(
        change_id=id_of(record.change), plan_id=id_of(access.plan), author_id=id_of(access.person), text=words
    )
    db.add(answer)
    db.flush()
    record.responses.append(answer)
    audit.record(
        db,
        actor,
        "provision_change.answered",
        object_type="change_response",
        object_id=answer.id,
        details={"plan_id": access.plan.id, "change_id": record.change.id},
    )
    plan = access.plan
    tell(
        db,
        settings,
        [person for person in family_and_coordinator(db, access) if person.id != access.person.id],
        f"The family replied about a change in plan {plan.reference}",
        f"There is a reply to the {WHAT[record.change.kind]} of a provision in plan {plan.reference}:\n\n"
        f"{settings.public_url}/plans/{plan.id}/provision-changes/{record.change.id}\n",
    )
    return answer


@dataclass(frozen=True)
class ChangesSince:
    since: date | None
    """The last review's day (None: no review yet, so every change)."""
    records: list[ChangeRecord]
    people: dict[int, Person]


def changes_since_review(
    db: Session, access: PlanAccess, *, people: dict[int, Person] | None = None
) -> ChangesSince:
    """Changes of provision since the last review, newest first, with replies: four queries at most."""
    review = db.exec(
        select(PlanReview)
        .where(col(PlanReview.plan_id) == access.plan.id)
        .order_by(col(PlanReview.held_on).desc())
        .limit(1)
    ).first()
    last = review.held_on if review is not None else None
    query = select(ProvisionChange, Item).join(Item, col(Item.id) == col(ProvisionChange.item_id))
    query = query.where(col(ProvisionChange.plan_id) == access.plan.id)
    found = [
        (change, item)
        for change, item in db.exec(query.order_by(col(ProvisionChange.id).desc()))
        if last is None or change.made_at.date() >= last
    ]
    responses = list(
        db.exec(
            select(ChangeResponse)
            .where(col(ChangeResponse.plan_id) == access.plan.id)
            .order_by(col(ChangeResponse.id))
        )
    )
    records = [
        ChangeRecord(change, item, [r for r in responses if r.change_id == change.id])
        for change, item in found
    ]
    known = dict(people or {})
    wanted = {r.change.made_by_id for r in records} | {a.author_id for r in records for a in r.responses}
    missing = wanted - set(known)
    if missing:
        known.update(people_by_id(db, set[int | None](missing)))
    return ChangesSince(last, records, known)


def may_end(access: PlanAccess, item: Item) -> bool:
    """Whether the page offers "End this provision" (the service decides again on the POST)."""
    return may_revise(access, item)
