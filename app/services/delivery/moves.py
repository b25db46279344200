"""Moving setting: the child changes school and the plan goes with them, whole.

The new setting's SENCo joins the plan (as its coordinator, for a SEN Support plan); the old setting's
staff leave it on the day of the move (their words stay, with their names); the plan's items, revisions,
comments, views, reviews, versions, delivery log and audit trail are the plan's, so nothing moves but
who may see them.
"""

from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today as today
from app.config import Settings
from app.models import (
    SETTING_KINDS,
    Child,
    MemberRole,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    PlanMember,
    SettingMove,
)
from app.models.base import id_of, utc_now
from app.permissions import PlanAccess
from app.services import audit
from app.services.delivery.common import family_and_coordinator, may_move_setting, tell
from app.services.plans.access import refuse
from app.services.plans.items import ContentProblem

MAX_ROW_ID = 2_147_483_647


class NewMove(BaseModel):
    to_setting_id: int = Field(ge=1, le=MAX_ROW_ID)
    new_senco_id: int = Field(ge=1, le=MAX_ROW_ID)
    moves_on: date


def schools_of(db: Session, access: PlanAccess) -> list[Organisation]:
    """The schools of the plan's local authority, but the current one."""
    return list(
        db.exec(
            select(Organisation)
            .where(
                col(Organisation.local_authority_id) == access.plan.local_authority_id,
                col(Organisation.kind) == OrganisationKind.SCHOOL.value,
                col(Organisation.id) != (access.plan.setting_id or 0),
            )
            .order_by(col(Organisation.name))
        )
    )


def sencos_of(db: Session, schools: list[Organisation]) -> list[Person]:
    """The education staff of these schools (who may join as the new SENCo)."""
    ids = [id_of(school) for school in schools]
    if not ids:
        return []
    found = db.exec(
        select(Person)
        .where(col(Person.organisation_id).in_(ids), col(Person.role) == PersonRole.EDUCATION.value)
        .order_by(col(Person.display_name))
    )
    return [person for person in found if person.is_active]


def move_setting(
    db: Session, settings: Settings, actor: Actor, access: PlanAccess, new: NewMove
) -> SettingMove:
    """Record the move; one audit event names who joined and whose access ended."""
    if not may_move_setting(access):
        refuse(
            access,
            "Only the plan's coordinator or the local authority records a move of school.",
            action="move.refused",
        )
    plan = access.plan
    errors: dict[str, str] = {}
    school = db.get(Organisation, new.to_setting_id)
    if (
        school is None
        or school.kind is not OrganisationKind.SCHOOL
        or school.local_authority_id != plan.local_authority_id
    ):
        errors["to_setting_id"] = "Select the new school, in this plan's local authority"
    elif school.id == plan.setting_id:
        errors["to_setting_id"] = "The child is already at this school"
    senco = db.get(Person, new.new_senco_id)
    if senco is None or senco.role is not PersonRole.EDUCATION or not senco.is_active:
        errors["new_senco_id"] = "Select the new school's SENCo"
    elif school is not None and senco.organisation_id != school.id:
        errors["new_senco_id"] = "The new SENCo must work at the new school"
    if new.moves_on > today():
        errors["moves_on"] = "Record the move on the day it happens, or after"
    elif new.moves_on < plan.created_at.date():
        errors["moves_on"] = "The move cannot be before the plan was started"
    if errors or school is None or senco is None:
        raise ContentProblem(errors)
    old_setting = plan.setting_id
    now = utc_now()
    current = list(
        db.exec(
            select(PlanMember, Person)
            .join(Person, col(Person.id) == col(PlanMember.person_id))
            .where(col(PlanMember.plan_id) == plan.id, col(PlanMember.removed_at).is_(None))
        )
    )
    ended = []
    senco_member = None
    for member, person in current:
        if person.id == senco.id:
            senco_member = member
        elif (
            old_setting is not None
            and person.organisation_id == old_setting
            and member.role
            in {
                MemberRole.EDUCATION,
                MemberRole.READER,
            }
        ):
            member.removed_at = now
            member.removed_by_id = access.person.id
            member.is_coordinator = False
            db.add(member)
            ended.append(member)
    coordinates = plan.kind in SETTING_KINDS
    if senco_member is None:
        senco_member = PlanMember(
            plan_id=id_of(plan),
            person_id=id_of(senco),
            role=MemberRole.EDUCATION,
            added_by_id=access.person.id,
        )
    if coordinates:
        for member, _person in current:
            if member.is_coordinator and member is not senco_member:
                member.is_coordinator = False
                db.add(member)
        senco_member.is_coordinator = True
    db.add(senco_member)
    plan.setting_id = school.id
    db.add(plan)
    child = db.get(Child, plan.child_id)
    if child is not None:
        child.setting_id = school.id
        db.add(child)
    move = SettingMove(
        plan_id=id_of(plan),
        from_setting_id=old_setting,
        to_setting_id=id_of(school),
        moves_on=new.moves_on,
        new_senco_id=id_of(senco),
        members_ended=len(ended),
        made_by_id=id_of(access.person),
    )
    db.add(move)
    db.flush()
    audit.record(
        db,
        actor,
        "plan.setting_moved",
        object_type="setting_move",
        object_id=move.id,
        details={
            "plan_id": plan.id,
            "from_setting_id": old_setting,
            "to_setting_id": school.id,
            "moves_on": new.moves_on.isoformat(),
            "joined_member_id": senco_member.id,
            "joined_person_id": senco.id,
            "ended_member_ids": [member.id for member in ended],
            "coordinator_person_id": senco.id if coordinates else None,
        },
    )
    link = f"{settings.public_url}/plans/{plan.id}"
    tell(
        db,
        settings,
        [senco],
        f"You have been added to plan {plan.reference}" + (" as its coordinator" if coordinates else ""),
        f"A child on plan {plan.reference} is moving to your school on {new.moves_on:%-d %B %Y}. "
        f"The plan and its whole history are yours to read"
        + (" and coordinate" if coordinates else "")
        + f":\n\n{link}\n",
    )
    tell(
        db,
        settings,
        [
            person
            for person in family_and_coordinator(db, access)
            if person.id not in {senco.id, access.person.id}
        ],
        f"Plan {plan.reference} has moved school",
        f"Plan {plan.reference} goes with the new school from {new.moves_on:%-d %B %Y}; "
        f"its history is kept whole. See who is on it now:\n\n{link}/members\n",
    )
    return move


def moves_of(db: Session, plan_id: int) -> list[SettingMove]:
    return list(
        db.exec(select(SettingMove).where(col(SettingMove.plan_id) == plan_id).order_by(col(SettingMove.id)))
    )
