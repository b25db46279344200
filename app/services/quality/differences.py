"""Differences of opinion: recorded on a draft or at a review, kept beside the part of the plan they
concern, each view with who holds it; never edited, so that they are carried into exports as recorded.

Exports (issue 10) read them with `differences(db, plan_id)`: each `DifferenceRecord` has the
difference (plan, version, section or item, review, what it is about, who recorded it, when) and
its views (holder's name, the person if on the plan, their words).
"""

from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.errors import Refused
from app.models import DifferenceView, PlanDifference, PlanReview, PlanStatus, Section
from app.models.base import Words, id_of
from app.permissions import PLAN_SECTIONS, PlanAccess, may_comment
from app.services import audit
from app.services.plans.access import refuse, refuse_change
from app.services.plans.items import ContentProblem, plan_item
from app.services.plans.members import members


class NewView(BaseModel):
    holder_id: int | None = None
    """A person on the plan who holds this view; or leave it out and name the holder."""
    holder_name: Words | None = Field(default=None, max_length=120)
    view: Words = Field(min_length=1, max_length=5000)


class NewDifference(BaseModel):
    about: Words = Field(min_length=1, max_length=500)
    """What the disagreement is about, in a sentence."""
    section: Section | None = None
    item_id: int | None = None
    """The item it concerns (its section is then the item's)."""
    review_id: int | None = None
    """The review meeting where it was recorded, if any."""
    views: list[NewView] = Field(min_length=2, max_length=6)


@dataclass(frozen=True)
class DifferenceRecord:
    difference: PlanDifference
    views: list[DifferenceView]


def record_difference(db: Session, actor: Actor, access: PlanAccess, new: NewDifference) -> PlanDifference:
    """Keep a difference of opinion beside the section or item it concerns (one audit event)."""
    if not may_comment(access):
        refuse(
            access,
            "Only people on this plan can record a difference of opinion.",
            action="difference.refused",
        )
    plan = access.plan
    if plan.status in {PlanStatus.CEASED, PlanStatus.CLOSED}:
        refuse_change(access, "This plan has ended.", action="difference.refused")
    errors: dict[str, str] = {}
    section = new.section
    if new.item_id is not None:
        try:
            section = plan_item(db, access, new.item_id).section
        except Refused:
            errors["item_id"] = "Select a part of this plan"
    if section is None and "item_id" not in errors:
        errors["section"] = "Select the part of the plan the difference is about"
    elif section is not None and section not in PLAN_SECTIONS[plan.kind]:
        errors["section"] = "Select a section of this plan"
    if new.review_id is not None:
        review = db.get(PlanReview, new.review_id)
        if review is None or review.plan_id != plan.id:
            errors["review_id"] = "Select a review of this plan"
    on_plan = {membership.person.id: membership.person for membership in members(db, access)}
    names: list[str] = []
    for index, view in enumerate(new.views, start=1):
        if view.holder_id is not None:
            person = on_plan.get(view.holder_id)
            if person is None:
                errors[f"views-{index}-holder_id"] = "Select someone on this plan"
                names.append("")
                continue
            names.append(view.holder_name or person.display_name)
        elif view.holder_name:
            names.append(view.holder_name)
        else:
            errors[f"views-{index}-holder_id"] = "Say who holds this view"
            names.append("")
    if errors:
        raise ContentProblem(errors)
    difference = PlanDifference(
        plan_id=id_of(plan),
        version=plan.version,
        section=section,
        item_id=new.item_id,
        review_id=new.review_id,
        about=new.about,
        recorded_by_id=id_of(access.person),
    )
    db.add(difference)
    db.flush()
    db.add_all(
        DifferenceView(
            difference_id=id_of(difference), holder_id=view.holder_id, holder_name=name, view=view.view
        )
        for view, name in zip(new.views, names, strict=True)
    )
    db.flush()
    audit.record(
        db,
        actor,
        "difference.recorded",
        object_type="plan_difference",
        object_id=difference.id,
        details={
            "plan_id": plan.id,
            "section": section.value if section else None,
            "item_id": new.item_id,
            "review_id": new.review_id,
            "views": len(new.views),
        },
    )
    return difference


def differences(db: Session, plan_id: int) -> list[DifferenceRecord]:
    """Every difference of opinion on the plan with its views, oldest first (two queries)."""
    found = list(
        db.exec(
            select(PlanDifference)
            .where(col(PlanDifference.plan_id) == plan_id)
            .order_by(col(PlanDifference.id))
        )
    )
    views: dict[int, list[DifferenceView]] = {id_of(difference): [] for difference in found}
    if found:
        for view in db.exec(
            select(DifferenceView)
            .where(col(DifferenceView.difference_id).in_(list(views)))
            .order_by(col(DifferenceView.id))
        ):
            views[view.difference_id].append(view)
    return [DifferenceRecord(difference, views[id_of(difference)]) for difference in found]


def read_differences(db: Session, actor: Actor, access: PlanAccess) -> list[DifferenceRecord]:
    """The plan's differences of opinion (audited as a read of the plan)."""
    found = differences(db, id_of(access.plan))
    audit.record(
        db,
        actor,
        "plan.differences_read",
        object_type="plan",
        object_id=access.plan.id,
        details={"differences": len(found)},
    )
    return found
