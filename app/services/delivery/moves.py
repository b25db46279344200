"""Moving setting: the child changes school and the plan goes with them, whole.

A move names the new setting and is checked against the child's phase (the school year they will be in
on the day, against the years the setting teaches); one that does not fit needs a reason. A move dated
today or before applies at once; one dated ahead waits (the plan says so) and the worker applies it on
the day (`apply_due_moves`), unless it is cancelled first. Applying it: the new setting's SENCo joins
the plan (as its coordinator, for a SEN Support plan), the old setting's staff leave it (their words
stay, with their names) and, on an EHC plan, section I names the new placement: an issued plan is
amended (a review opens its next version, with the move's reason) rather than changed as it stands.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select, update

from app.actor import Actor
from app.clock import UK_TIME
from app.clock import uk_today as today
from app.config import Settings
from app.errors import Refused
from app.models import (
    ENDED_STATUSES,
    SETTING_KINDS,
    Child,
    MemberRole,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanMember,
    SettingMove,
)
from app.models.base import PLAIN_TEXT, as_utc, id_of, utc_now
from app.permissions import PlanAccess, audits_plan, may_move_setting
from app.services import audit, sencos
from app.services.delivery import phases, placement
from app.services.delivery.common import family_and_coordinator, tell
from app.services.plans.access import refuse, refuse_change, row_of_plan
from app.services.plans.items import ContentProblem
from app.services.plans.plans import PlanProblem

logger = logging.getLogger("oneplan.moves")

MAX_ROW_ID = 2_147_483_647
MAX_REASON = 500
FURTHEST_AHEAD = timedelta(days=366)
"""A move may be recorded up to a year ahead (the next September's move, recorded in the summer)."""


class NewMove(BaseModel):
    to_setting_id: int = Field(ge=1, le=MAX_ROW_ID)
    new_senco_id: int = Field(ge=1, le=MAX_ROW_ID)
    moves_on: date
    reason: str | None = Field(default=None, max_length=MAX_REASON, pattern=PLAIN_TEXT)
    """Why: needed when the setting does not fit the child's phase, and to amend an issued EHC plan."""


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
    """Who may join as the new SENCo: each school's designated SENCos (active education staff), by name.

    Only the designated ones where a school has any: the plan's coordination passes to the person the
    school has said leads its SEN support, not to any teacher. A school that has not recorded its SENCo
    yet (a new school, or before its administrator has) offers all its education staff, so that a move
    is never blocked by a missing designation; the page says which schools those are (`undesignated`).
    """
    ids = [id_of(school) for school in schools]
    if not ids:
        return []
    found = db.exec(
        select(Person)
        .where(
            col(Person.organisation_id).in_(ids),
            col(Person.role) == PersonRole.EDUCATION.value,
            col(Person.deactivated_at).is_(None),
        )
        .order_by(col(Person.display_name))
    ).all()
    designated = sencos.designated_ids(db, ids)
    return [person for person in found if _may_join_as_senco(person, designated)]


def undesignated(db: Session, schools: list[Organisation]) -> list[Organisation]:
    """The schools with no SENCo recorded, whose staff are all offered as the new SENCo."""
    designated = sencos.designated_ids(db, [id_of(school) for school in schools])
    return [school for school in schools if not designated[id_of(school)]]


def _may_join_as_senco(person: Person, designated: dict[int, set[int]]) -> bool:
    school_sencos = designated.get(person.organisation_id or 0, set())
    return not school_sencos or person.id in school_sencos


def check_may_move(access: PlanAccess) -> None:
    """Refused with who may (`permissions.may_move_setting`), in the words that fit the plan."""
    if may_move_setting(access):
        return
    if placement.amends_issued_plan(access.plan):
        why = "This plan has been issued: only its coordinator can amend it to name a new school."
    elif access.plan.kind is PlanKind.EHC:
        why = "Only the local authority records a move of school on an EHC plan: it names the placement."
    else:
        why = "Only the plan's coordinator or the local authority records a move of school."
    refuse(access, why, action="move.refused")


@dataclass(frozen=True)
class Waiting:
    """A move dated ahead, for the plan to say "Moving to Hillcrest Academy on 4 January 2027"."""

    move: SettingMove
    school_name: str


def waiting_move(db: Session, plan_id: int) -> Waiting | None:
    move = pending_move(db, plan_id)
    if move is None:
        return None
    school = db.get(Organisation, move.to_setting_id)
    return Waiting(move, school.name if school is not None else "a new school")


def pending_move(db: Session, plan_id: int) -> SettingMove | None:
    """The move the plan is waiting for, if any (there is at most one)."""
    return db.exec(
        select(SettingMove).where(
            col(SettingMove.plan_id) == plan_id,
            col(SettingMove.applied_at).is_(None),
            col(SettingMove.cancelled_at).is_(None),
        )
    ).first()


def move_setting(
    db: Session, settings: Settings, actor: Actor, access: PlanAccess, new: NewMove
) -> SettingMove:
    """Record the move: applied at once if dated today or before, else kept until its day."""
    check_may_move(access)
    plan = access.plan
    school, senco, fits = _checked(db, access, new)
    move = SettingMove(
        plan_id=id_of(plan),
        from_setting_id=plan.setting_id,
        to_setting_id=id_of(school),
        moves_on=new.moves_on,
        new_senco_id=id_of(senco),
        made_by_id=id_of(access.person),
        reason=(new.reason or "").strip() or None,
        phase_fits=fits,
    )
    db.add(move)
    db.flush()
    if new.moves_on <= today():
        apply_move(db, settings, actor, access, move)
        return move
    audit.record(
        db,
        actor,
        "plan.setting_move_planned",
        object_type="setting_move",
        object_id=move.id,
        typed_reason=move.reason,
        details={
            "plan_id": plan.id,
            "from_setting_id": move.from_setting_id,
            "to_setting_id": school.id,
            "moves_on": new.moves_on.isoformat(),
            "new_senco_id": senco.id,
            "phase_fits": fits,
        },
    )
    return move


def _checked(db: Session, access: PlanAccess, new: NewMove) -> tuple[Organisation, Person, bool]:
    """The new school and SENCo, and whether the school fits the child's phase; ContentProblem if not."""
    plan = access.plan
    errors: dict[str, str] = {}
    waiting = pending_move(db, id_of(plan))
    school = db.get(Organisation, new.to_setting_id)
    if waiting is not None:
        errors["to_setting_id"] = (
            f"A move on {waiting.moves_on:%-d %B %Y} is already waiting: cancel it before recording another"
        )
    elif (
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
    elif school is not None and not _may_join_as_senco(senco, sencos.designated_ids(db, [id_of(school)])):
        errors["new_senco_id"] = f"Select one of {school.name}'s SENCos"
    if new.moves_on < as_utc(plan.created_at).astimezone(UK_TIME).date():
        errors["moves_on"] = "The move cannot be before the plan was started"
    elif new.moves_on > today() + FURTHEST_AHEAD:
        errors["moves_on"] = "The move must be within a year from today"
    fits = True
    reason = (new.reason or "").strip()
    if school is not None and "to_setting_id" not in errors and "moves_on" not in errors:
        child = db.get(Child, plan.child_id)
        if child is not None:
            fit = phases.fit(school, child.school_year, child.known_as, today(), new.moves_on)
            fits = fit.fits
            if not fits and not reason:
                errors["reason"] = f"{fit.problem}. Enter why this move is right, or select another school"
    if not reason and "reason" not in errors and placement.amends_issued_plan(plan):
        errors["reason"] = (
            "Enter why the placement changes: the issued plan is amended to name the new school"
        )
    if errors or school is None or senco is None:
        raise ContentProblem(errors)
    return school, senco, fits


def apply_move(db: Session, settings: Settings, actor: Actor, access: PlanAccess, move: SettingMove) -> None:
    """The move happens: section I first (it may be refused), then who is on the plan, all audited."""
    plan = access.plan
    school = db.get(Organisation, move.to_setting_id)
    senco = db.get(Person, move.new_senco_id)
    if school is None or senco is None:
        raise LookupError(f"setting move {move.id} names a school or SENCo that is gone")
    now = utc_now()
    _claim(db, access, move, applied_at=now)
    placed = placement.name_placement(db, actor, access, move, school.name)
    old_setting = plan.setting_id
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
            and member.role in {MemberRole.EDUCATION, MemberRole.READER}
        ):
            member.removed_at = now
            member.removed_by_id = move.made_by_id
            member.is_coordinator = False
            db.add(member)
            ended.append(member)
    coordinates = plan.kind in SETTING_KINDS
    if senco_member is None:
        senco_member = PlanMember(
            plan_id=id_of(plan),
            person_id=id_of(senco),
            role=MemberRole.EDUCATION,
            added_by_id=move.made_by_id,
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
    move.from_setting_id = old_setting
    move.members_ended = len(ended)
    db.add(move)
    db.flush()
    audit.record(
        db,
        actor,
        "plan.setting_moved",
        object_type="setting_move",
        object_id=move.id,
        typed_reason=move.reason,
        details={
            "plan_id": plan.id,
            "from_setting_id": old_setting,
            "to_setting_id": school.id,
            "moves_on": move.moves_on.isoformat(),
            "recorded_by_id": move.made_by_id,
            "phase_fits": move.phase_fits,
            "joined_member_id": senco_member.id,
            "joined_person_id": senco.id,
            "ended_member_ids": [member.id for member in ended],
            "coordinator_person_id": senco.id if coordinates else None,
            "placement_item_id": placed.item_id if placed else None,
            "amended_to_version": placed.amended_to_version if placed else None,
        },
    )
    _tell_of_move(db, settings, access, move, senco, coordinates)


def _tell_of_move(
    db: Session, settings: Settings, access: PlanAccess, move: SettingMove, senco: Person, coordinates: bool
) -> None:
    plan = access.plan
    link = f"{settings.public_url}/plans/{plan.id}"
    tell(
        db,
        settings,
        [senco],
        f"You have been added to plan {plan.reference}" + (" as its coordinator" if coordinates else ""),
        f"A child on plan {plan.reference} is moving to your school on {move.moves_on:%-d %B %Y}. "
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
            if person.id not in {senco.id, move.made_by_id}
        ],
        f"Plan {plan.reference} has moved school",
        f"Plan {plan.reference} goes with the new school from {move.moves_on:%-d %B %Y}; "
        f"its history is kept whole. See who is on it now:\n\n{link}/members\n",
    )


def cancel_move(db: Session, actor: Actor, access: PlanAccess, move_id: int) -> SettingMove:
    """A move that has not happened yet is called off: nothing of the plan changes."""
    check_may_move(access)
    move = row_of_plan(db, access, SettingMove, move_id, object_type="setting_move", action="move.refused")
    _claim(db, access, move, cancelled_at=utc_now(), cancelled_by_id=id_of(access.person))
    audit.record(
        db,
        actor,
        "plan.setting_move_cancelled",
        object_type="setting_move",
        object_id=move.id,
        details={
            "plan_id": move.plan_id,
            "to_setting_id": move.to_setting_id,
            "moves_on": move.moves_on.isoformat(),
        },
    )
    return move


def _claim(db: Session, access: PlanAccess, move: SettingMove, **values: object) -> None:
    """Mark the waiting move applied or cancelled, only if it is still waiting (one of the two wins)."""
    claimed = db.execute(
        update(SettingMove)
        .where(
            col(SettingMove.id) == move.id,
            col(SettingMove.applied_at).is_(None),
            col(SettingMove.cancelled_at).is_(None),
        )
        .values(**values)
    )
    db.refresh(move)
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        refuse_change(
            access,
            "This move has already happened or been cancelled: only a move still waiting can be cancelled.",
            action="move.refused",
        )


def apply_due_moves(db: Session, settings: Settings, day: date | None = None) -> int:
    """The worker's job: apply each waiting move whose day has come (the UK's), each in its own commit.

    It acts for whoever recorded the move if they still may make it, else for the plan's coordinator
    or local authority now; a move nobody on the plan may make waits, logged.
    """
    on = day or today()
    due = list(
        db.exec(
            select(SettingMove.id)
            .where(
                col(SettingMove.applied_at).is_(None),
                col(SettingMove.cancelled_at).is_(None),
                col(SettingMove.moves_on) <= on,
            )
            .order_by(col(SettingMove.moves_on), col(SettingMove.id))
        )
    )
    applied = 0
    for move_id in due:
        if _apply_one(db, settings, move_id, on):
            db.commit()
            applied += 1
    return applied


def _apply_one(db: Session, settings: Settings, move_id: int | None, on: date) -> bool:
    move = db.get(SettingMove, move_id)
    if move is None or not move.is_pending or move.moves_on > on:
        return False  # another worker applied it, or it was cancelled, meanwhile
    plan = db.get(Plan, move.plan_id)
    if plan is None or plan.status in ENDED_STATUSES:
        logger.warning("Setting move %s is for a plan that has ended: left waiting", move.id)
        return False
    access = _acting_for(db, plan, move.made_by_id)
    if access is None:
        logger.warning("Setting move %s: nobody on the plan may make it now; left waiting", move.id)
        return False
    try:
        apply_move(db, settings, Actor.command(access.person), access, move)
    except (Refused, ContentProblem, PlanProblem, LookupError) as problem:
        # One move that cannot be made must not stop the moves due after it, today or at the next run.
        db.rollback()
        logger.warning("Setting move %s could not be applied: %s", move_id, problem)
        return False
    return True


def _acting_for(db: Session, plan: Plan, recorder_id: int) -> PlanAccess | None:
    """Who the worker acts for: whoever recorded the move if they still may make it, else the plan's
    coordinator (the role may have been handed on meanwhile), else its local authority."""
    found = db.exec(
        select(PlanMember, Person)
        .join(Person, col(Person.id) == col(PlanMember.person_id))
        .where(col(PlanMember.plan_id) == plan.id, col(PlanMember.removed_at).is_(None))
    ).all()
    ranked = sorted(
        found,
        key=lambda row: (row[1].id != recorder_id, not row[0].is_coordinator, row[0].id or 0),
    )
    for membership, person in ranked:
        access = PlanAccess(person, plan, membership, audits_plan(person, plan))
        if may_move_setting(access):
            return access
    return None


def moves_of(db: Session, plan_id: int) -> list[SettingMove]:
    return list(
        db.exec(select(SettingMove).where(col(SettingMove.plan_id) == plan_id).order_by(col(SettingMove.id)))
    )
