"""What the delivery services share: today in the UK, the school calendar, who is told, who may log."""

from functools import lru_cache

from sqlmodel import Session, col, select

from app.config import Settings
from app.errors import Refused
from app.models import (
    PROFESSIONAL_MEMBER_ROLES,
    Item,
    ItemKind,
    ItemRevision,
    MemberRole,
    Person,
    PersonRole,
    PlanMember,
    PlanStatus,
)
from app.permissions import Permission, PlanAccess, may_coordinate, role_may
from app.services.delivery.arithmetic import SchoolCalendar
from app.services.mail import send_mail


def calendar_for(settings: Settings) -> SchoolCalendar:
    return _calendar(settings.term_dates, settings.closure_days)


@lru_cache(maxsize=8)
def _calendar(term_dates: str, closure_days: str) -> SchoolCalendar:
    """The calendar is immutable and the settings rarely change: parse it once, not at every count."""
    return SchoolCalendar.parse(term_dates, closure_days)


def plan_is_open(access: PlanAccess) -> bool:
    return access.plan.status not in {PlanStatus.CEASED, PlanStatus.CLOSED}


def may_log_delivery(access: PlanAccess) -> bool:
    """The professionals on the plan record delivery (an issued plan too: that is when it matters)."""
    return (
        access.member_role in PROFESSIONAL_MEMBER_ROLES
        and role_may(access.person, Permission.CONTRIBUTE)
        and plan_is_open(access)
    )


def may_manage_timetable(access: PlanAccess) -> bool:
    """The coordinator, or the school on the plan, records a reduced timetable and its decisions."""
    if not plan_is_open(access) or not role_may(access.person, Permission.CONTRIBUTE):
        return False
    return may_coordinate(access) or access.member_role is MemberRole.EDUCATION


def provision_item(db: Session, access: PlanAccess, item_id: int) -> tuple[Item, ItemRevision]:
    """A provision item of this plan with its current words; anything else is absent (404)."""
    found = db.exec(
        select(Item, ItemRevision)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.id) == item_id, col(Item.plan_id) == access.plan.id)
    ).first()
    if found is None or found[0].kind is not ItemKind.PROVISION:
        raise Refused(
            404,
            "Not Found",
            action="item.refused",
            person=access.person,
            object_type="item",
            object_id=item_id,
        )
    return found


def is_quantified(revision: ItemRevision) -> bool:
    return revision.amount is not None and revision.unit is not None and revision.frequency is not None


def family_and_coordinator(db: Session, access: PlanAccess) -> list[Person]:
    """Who is told of a shortfall or a change: the coordinator and the family on the plan."""
    found = db.exec(
        select(Person)
        .join(PlanMember, col(PlanMember.person_id) == col(Person.id))
        .where(
            col(PlanMember.plan_id) == access.plan.id,
            col(PlanMember.removed_at).is_(None),
            (col(PlanMember.is_coordinator).is_(True))
            | (col(PlanMember.role).in_([MemberRole.PARENT_CARER.value, MemberRole.CHILD.value])),
        )
        .order_by(col(Person.id))
    )
    return [person for person in found if person.role is not PersonRole.CHILD or person.makes_own_decisions]


def tell(db: Session, settings: Settings, people: list[Person], subject: str, body: str) -> None:
    """Mail each person with an address (a young child's account may have none)."""
    for person in people:
        if person.email:
            send_mail(db, settings, person.email, subject, body)
