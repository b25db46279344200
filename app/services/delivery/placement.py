"""Section I (placement) follows a move: an EHC plan names the new school or college.

A draft, or a plan under review, has its section I revised as it stands. An issued plan is frozen: it
is amended through a review, which opens the plan's next version (with the move's reason) and names
the new placement there; the coordinator then sends the amended plan for comment and issues it, as
for any amendment. A SEN Support plan has no section I: its setting is the plan's own.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import Item, ItemContent, Plan, PlanKind, PlanStatus, Section, SettingMove
from app.permissions import PlanAccess
from app.services import audit
from app.services.plans import items, lifecycle


@dataclass(frozen=True)
class Placed:
    item_id: int | None
    amended_to_version: int | None
    """The version the amendment opened, for an issued plan; None if the plan was not issued."""


def amends_issued_plan(plan: Plan) -> bool:
    """A move of an issued EHC plan changes its section I through an amendment, which needs a reason."""
    return plan.kind is PlanKind.EHC and plan.status is PlanStatus.ISSUED


def placement_words(school_name: str, move: SettingMove) -> str:
    return f"{school_name}, from {move.moves_on:%-d %B %Y}."


def name_placement(
    db: Session, actor: Actor, access: PlanAccess, move: SettingMove, school_name: str
) -> Placed | None:
    """Name the new school in section I, amending an issued plan first; None for a SEN Support plan."""
    plan = access.plan
    if plan.kind is not PlanKind.EHC:
        return None
    amended = None
    if amends_issued_plan(plan):
        lifecycle.take_step(
            db,
            actor,
            access,
            lifecycle.StepRequest(step=lifecycle.Step.START_REVIEW, reason=move.reason),
        )
        amended = plan.version
    words = ItemContent(text=placement_words(school_name, move))
    current = db.exec(
        select(Item)
        .where(col(Item.plan_id) == plan.id, col(Item.section) == Section.I.value)
        .order_by(col(Item.id))
    ).first()
    if current is None:
        new = items.NewItem(section=Section.I, **words.model_dump())
        item = items.write_item(db, access, new)
        audit.record(
            db,
            actor,
            "item.added",
            object_type="item",
            object_id=item.id,
            details=items.added_details(item, new),
        )
    else:
        item = items.revise(
            db, actor, access, current, words, based_on=current.revision_number, reason=None
        ).item
    return Placed(item.id, amended)
