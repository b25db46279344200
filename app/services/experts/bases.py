"""Inclusion bases: a mainstream school's named base, and the children who use it for part of each week.

A place is a provision of the child's plan (section F) whose location is the base, in minutes a week:
the plan, its paper copy, its quality checks and the delivery log treat it as any other provision. The
place row only ties that provision to the base, so that the school can list who uses it.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today as today
from app.errors import Refused
from app.models import (
    Child,
    DeliveryRecord,
    DeliveryStatus,
    InclusionBase,
    InclusionPlace,
    Item,
    ItemRevision,
    Plan,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
)
from app.models.base import id_of
from app.permissions import PlanAccess, may_give_place, works_at_setting
from app.services import audit
from app.services.plans.access import refuse
from app.services.plans.items import ContentProblem, NewItem, added_details, write_item

MAX_ROW_ID = 2_147_483_647
DELIVERY_WEEKS = 4
"""How far back the list counts what was delivered."""


class NewPlace(BaseModel):
    base_id: int = Field(ge=1, le=MAX_ROW_ID)
    minutes_a_week: int = Field(ge=1, le=2400)
    text: str = Field(min_length=1, max_length=2000)


@dataclass(frozen=True)
class BaseSummary:
    base: InclusionBase
    children: int
    minutes_a_week: float


@dataclass(frozen=True)
class PlaceRow:
    place: InclusionPlace
    child: Child
    plan: Plan
    revision: ItemRevision
    delivered_minutes: float
    """Minutes delivered over the last `DELIVERY_WEEKS` weeks (the newest record of each day counts)."""


@dataclass(frozen=True)
class BaseRoll:
    base: InclusionBase
    rows: list[PlaceRow]
    since: date


def _refused(actor: Actor, status_code: int, base_id: int | None = None) -> Refused:
    return Refused(
        status_code,
        "Not Found" if status_code == 404 else "Only a school's own staff keep its inclusion bases.",
        action="inclusion_base.refused",
        person=actor.signed_in(),
        object_type="inclusion_base",
        object_id=base_id,
    )


def _my_school(actor: Actor) -> int:
    person = actor.signed_in()
    if person.organisation_id is None or not works_at_setting(person, person.organisation_id):
        raise _refused(actor, 403)
    return person.organisation_id


def bases_of_my_school(db: Session, actor: Actor) -> list[BaseSummary]:
    """The school's bases, each with how many children use it and their minutes a week (two queries)."""
    school = _my_school(actor)
    bases = list(
        db.exec(
            select(InclusionBase)
            .where(col(InclusionBase.setting_id) == school)
            .order_by(col(InclusionBase.name))
        )
    )
    places = db.exec(
        select(InclusionPlace.base_id, ItemRevision.amount)
        .join(Item, col(Item.id) == col(InclusionPlace.item_id))
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(InclusionPlace.base_id).in_([base.id for base in bases]))
    ).all()
    audit.record(db, actor, "inclusion_bases.read", details={"setting_id": school})
    return [
        BaseSummary(
            base,
            sum(1 for base_id, _ in places if base_id == base.id),
            sum(amount or 0 for base_id, amount in places if base_id == base.id),
        )
        for base in bases
    ]


def add_base(db: Session, actor: Actor, name: str) -> InclusionBase:
    school = _my_school(actor)
    named = name.strip()
    if not named:
        raise ContentProblem({"name": "Enter the name of the base"})
    base = InclusionBase(setting_id=school, name=named, created_by_id=id_of(actor.signed_in()))
    try:
        with db.begin_nested():
            db.add(base)
            db.flush()
    except IntegrityError:
        raise ContentProblem({"name": "Your school already has a base with this name"}) from None
    audit.record(
        db,
        actor,
        "inclusion_base.added",
        object_type="inclusion_base",
        object_id=base.id,
        details={"name": named},
    )
    return base


def _base_of_my_school(db: Session, actor: Actor, base_id: int) -> InclusionBase:
    base = db.get(InclusionBase, base_id) if 1 <= base_id <= MAX_ROW_ID else None
    if base is None or not works_at_setting(actor.signed_in(), base.setting_id):
        raise _refused(actor, 404, base_id)
    return base


def base_roll(db: Session, actor: Actor, base_id: int) -> BaseRoll:
    """Who uses the base, for how long a week, and what was delivered lately: three queries, however many."""
    base = _base_of_my_school(db, actor, base_id)
    found = db.exec(
        select(InclusionPlace, Plan, ItemRevision, Child)
        .join(Plan, col(Plan.id) == col(InclusionPlace.plan_id))
        .join(Item, col(Item.id) == col(InclusionPlace.item_id))
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .join(Child, col(Child.id) == col(Plan.child_id))
        .where(col(InclusionPlace.base_id) == base.id)
        .order_by(col(Child.full_name))
    ).all()
    since = today() - timedelta(weeks=DELIVERY_WEEKS)
    records = db.exec(
        select(DeliveryRecord)
        .where(
            col(DeliveryRecord.item_id).in_([place.item_id for place, *_ in found]),
            col(DeliveryRecord.delivered_on) >= since,
        )
        .order_by(col(DeliveryRecord.id))
    ).all()
    newest: dict[tuple[int, date], DeliveryRecord] = {}
    for record in records:
        newest[(record.item_id, record.delivered_on)] = record
    delivered: dict[int, float] = {}
    for (item_id, _day), record in newest.items():
        if record.status is DeliveryStatus.DELIVERED:
            delivered[item_id] = delivered.get(item_id, 0) + record.amount
    audit.record(
        db, actor, "inclusion_base.read", object_type="inclusion_base", object_id=base.id, details={}
    )
    rows = [
        PlaceRow(place, child, plan, revision, delivered.get(place.item_id, 0))
        for place, plan, revision, child in found
    ]
    return BaseRoll(base, rows, since)


def bases_for_plan(db: Session, access: PlanAccess) -> list[InclusionBase]:
    if not may_give_place(access):
        refuse(
            access,
            "Only the school's staff on this plan give a place in its base.",
            action="inclusion_base.refused",
        )
    return list(
        db.exec(
            select(InclusionBase)
            .where(col(InclusionBase.setting_id) == access.plan.setting_id)
            .order_by(col(InclusionBase.name))
        )
    )


def give_place(db: Session, actor: Actor, access: PlanAccess, new: NewPlace) -> InclusionPlace:
    """The place as a provision of the plan (minutes a week, in the base), and its tie to the base."""
    bases = {base.id: base for base in bases_for_plan(db, access)}
    base = bases.get(new.base_id)
    if base is None:
        raise ContentProblem({"base_id": "Select an inclusion base of the child's school"})
    provision = NewItem(
        section=Section.F,
        text=new.text,
        amount=new.minutes_a_week,
        unit=ProvisionUnit.MINUTES,
        frequency=ProvisionFrequency.WEEK,
        location=base.name,
        starts_on=today(),
    )
    item = write_item(db, access, provision)
    place = InclusionPlace(
        base_id=id_of(base), plan_id=id_of(access.plan), item_id=id_of(item), added_by_id=id_of(access.person)
    )
    db.add(place)
    db.flush()
    audit.record(
        db,
        actor,
        "inclusion_place.added",
        object_type="inclusion_place",
        object_id=place.id,
        details={**added_details(item, provision), "base_id": base.id, "item_id": item.id},
    )
    return place
