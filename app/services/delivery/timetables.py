"""The reduced-timetable register: start, planned end, hours, reason, reviews and the way back to full time.

A reduced timetable is for the shortest time, reviewed, with a plan to return to full time (Code of
Practice; Education Act 1996 s.19). Each review's decision is a new record; the timetable escalates
when it passes its planned end, or a review date, without a decision.
"""

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today as today
from app.models import ReducedTimetable, TimetableDecision, TimetableDecisionKind
from app.models.base import WORDS, id_of
from app.permissions import PlanAccess
from app.services import audit
from app.services.delivery.common import may_manage_timetable
from app.services.plans.access import refuse, row_of_plan
from app.services.plans.items import ContentProblem

FULL_TIME_HOURS = 32.5


class NewTimetable(BaseModel):
    starts_on: date
    planned_end_on: date
    hours_a_week: float = Field(gt=0, lt=FULL_TIME_HOURS)
    reason: str = Field(min_length=1, max_length=2000, pattern=WORDS)
    return_plan: str = Field(min_length=1, max_length=2000, pattern=WORDS)
    review_on: date


class NewDecision(BaseModel):
    decision: TimetableDecisionKind
    note: str = Field(min_length=1, max_length=2000, pattern=WORDS)
    next_review_on: date | None = None
    planned_end_on: date | None = None
    """Only when extending: the new planned end."""


@dataclass(frozen=True)
class TimetableState:
    timetable: ReducedTimetable
    decisions: list[TimetableDecision]
    on: date

    @property
    def ended_on(self) -> date | None:
        ending = next((d for d in self.decisions if d.decision is TimetableDecisionKind.END), None)
        return ending.decided_on if ending else None

    @property
    def review_on(self) -> date:
        for decision in reversed(self.decisions):
            if decision.next_review_on is not None:
                return decision.next_review_on
        return self.timetable.review_on

    @property
    def planned_end_on(self) -> date:
        for decision in reversed(self.decisions):
            if decision.planned_end_on is not None:
                return decision.planned_end_on
        return self.timetable.planned_end_on

    @property
    def weeks(self) -> int:
        """How long it has lasted, in whole weeks (to its end, or to today)."""
        return max(0, ((self.ended_on or self.on) - self.timetable.starts_on).days // 7)

    @property
    def escalations(self) -> list[str]:
        return escalations(self.timetable, self.decisions, self.on)

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


def escalations(timetable: ReducedTimetable, decisions: list[TimetableDecision], on: date) -> list[str]:
    """Why the timetable needs attention on this day: past its planned end, or a review with no decision."""
    state = TimetableState(timetable, decisions, on)
    if state.ended_on is not None:
        return []
    found = []
    if on > state.planned_end_on:
        found.append(f"It passed its planned end on {state.planned_end_on:%-d %B %Y} without a decision")
    if on > state.review_on:
        found.append(f"Its review on {state.review_on:%-d %B %Y} has no decision recorded")
    return found


def plan_timetables(db: Session, plan_ids: list[int], on: date | None = None) -> list[TimetableState]:
    """Every reduced timetable of these plans with its decisions: two queries."""
    if not plan_ids:
        return []
    timetables = list(
        db.exec(
            select(ReducedTimetable)
            .where(col(ReducedTimetable.plan_id).in_(plan_ids))
            .order_by(col(ReducedTimetable.starts_on).desc(), col(ReducedTimetable.id))
        )
    )
    decisions = list(
        db.exec(
            select(TimetableDecision)
            .where(col(TimetableDecision.plan_id).in_(plan_ids))
            .order_by(col(TimetableDecision.id))
        )
    )
    day = on or today()
    return [
        TimetableState(timetable, [d for d in decisions if d.timetable_id == timetable.id], day)
        for timetable in timetables
    ]


def _must_manage(access: PlanAccess, action: str) -> None:
    if not may_manage_timetable(access):
        refuse(
            access,
            "Only the plan's coordinator or the school on the plan records a reduced timetable.",
            action=action,
        )


def add_timetable(db: Session, actor: Actor, access: PlanAccess, new: NewTimetable) -> ReducedTimetable:
    _must_manage(access, "timetable.refused")
    errors = {}
    if new.planned_end_on < new.starts_on:
        errors["planned_end_on"] = "The planned end must be on or after the start"
    if new.review_on < new.starts_on:
        errors["review_on"] = "The first review must be on or after the start"
    elif new.review_on > new.planned_end_on:
        errors["review_on"] = "The first review must be on or before the planned end"
    if errors:
        raise ContentProblem(errors)
    timetable = ReducedTimetable(
        plan_id=id_of(access.plan),
        starts_on=new.starts_on,
        planned_end_on=new.planned_end_on,
        hours_a_week=new.hours_a_week,
        reason=new.reason.strip(),
        return_plan=new.return_plan.strip(),
        review_on=new.review_on,
        recorded_by_id=id_of(access.person),
    )
    db.add(timetable)
    db.flush()
    audit.record(
        db,
        actor,
        "timetable.recorded",
        object_type="reduced_timetable",
        object_id=timetable.id,
        details={
            "plan_id": access.plan.id,
            "starts_on": new.starts_on.isoformat(),
            "planned_end_on": new.planned_end_on.isoformat(),
            "hours_a_week": new.hours_a_week,
        },
    )
    return timetable


def plan_timetable(db: Session, access: PlanAccess, timetable_id: int) -> TimetableState:
    timetable = row_of_plan(
        db,
        access,
        ReducedTimetable,
        timetable_id,
        object_type="reduced_timetable",
        action="timetable.refused",
    )
    decisions = list(
        db.exec(
            select(TimetableDecision)
            .where(col(TimetableDecision.timetable_id) == timetable.id)
            .order_by(col(TimetableDecision.id))
        )
    )
    return TimetableState(timetable, decisions, today())


def read_timetable(db: Session, actor: Actor, access: PlanAccess, timetable_id: int) -> TimetableState:
    state = plan_timetable(db, access, timetable_id)
    audit.record(
        db,
        actor,
        "timetable.read",
        object_type="reduced_timetable",
        object_id=timetable_id,
        details={"plan_id": access.plan.id},
    )
    return state


def read_register(db: Session, actor: Actor, access: PlanAccess) -> list[TimetableState]:
    found = plan_timetables(db, [id_of(access.plan)])
    audit.record(
        db,
        actor,
        "timetables.listed",
        object_type="plan",
        object_id=access.plan.id,
        details={"timetables": len(found)},
    )
    return found


def decide(
    db: Session, actor: Actor, access: PlanAccess, state: TimetableState, new: NewDecision
) -> TimetableDecision:
    """Record a review's decision: continue to a next review, extend to a new end, or end it."""
    _must_manage(access, "timetable.refused")
    if state.ended_on is not None:
        raise ContentProblem({"decision": "This reduced timetable has already ended"})
    decided_on = today()
    errors = {}
    next_review = new.next_review_on if new.decision is not TimetableDecisionKind.END else None
    planned_end = new.planned_end_on if new.decision is TimetableDecisionKind.EXTEND else None
    if new.decision is not TimetableDecisionKind.END:
        if next_review is None:
            errors["next_review_on"] = "Enter the date of the next review"
        elif next_review <= decided_on:
            errors["next_review_on"] = "The next review must be after today"
    if new.decision is TimetableDecisionKind.EXTEND:
        if planned_end is None:
            errors["planned_end_on"] = "Enter the new planned end"
        elif planned_end <= state.planned_end_on:
            errors["planned_end_on"] = "The new planned end must be after the current one"
        elif next_review is not None and next_review > planned_end:
            errors["next_review_on"] = "The next review must be on or before the new planned end"
    elif (
        new.decision is TimetableDecisionKind.CONTINUE and next_review and next_review > state.planned_end_on
    ):
        errors["next_review_on"] = "Extend the planned end to review after it, or review before it"
    if errors:
        raise ContentProblem(errors)
    decision = TimetableDecision(
        timetable_id=id_of(state.timetable),
        plan_id=id_of(access.plan),
        decided_on=decided_on,
        decision=new.decision,
        note=new.note.strip(),
        next_review_on=next_review,
        planned_end_on=planned_end,
        decided_by_id=id_of(access.person),
    )
    db.add(decision)
    db.flush()
    state.decisions.append(decision)
    audit.record(
        db,
        actor,
        "timetable.decided",
        object_type="reduced_timetable",
        object_id=state.timetable.id,
        details={"plan_id": access.plan.id, "decision": new.decision.value, "decision_id": decision.id},
    )
    return decision
