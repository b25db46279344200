"""The council dashboard's figures, each from the facts the plans themselves show, and the plans it counts.

A plan's stage is its own status (what its stage page says); an overdue step is a statutory step past its
deadline on the plan's timeline, or a reduced timetable past a review or its planned end with no decision
(what the plan page's delivery panel warns of). Each figure names its plans, so that the dashboard can
link to the list of them and the list says the same number.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlmodel import Session

from app.models import ENDED_STATUSES, Plan, PlanKind, PlanStatus
from app.models.base import id_of
from app.services.delivery.timetables import TimetableState, plan_timetables


class Figure(StrEnum):
    """A number on the council dashboard; each has its list of plans (/la/dashboard/plans/<figure>)."""

    DRAFT = "draft"
    CONSULTATION = "consultation"
    ISSUED = "issued"
    UNDER_REVIEW = "under_review"
    ENDED = "ended"
    OVERDUE = "overdue"
    FINAL_AFTER_REQUEST = "final_after_request"
    FINAL_IN_20_WEEKS = "final_in_20_weeks"


FIGURE_LABELS = {
    Figure.DRAFT: "Draft, being written",
    Figure.CONSULTATION: "Draft, with the family for comment",
    Figure.ISSUED: "Issued",
    Figure.UNDER_REVIEW: "Under review (the issued version stays in force)",
    Figure.ENDED: "Ceased",
    Figure.OVERDUE: "With a step past its deadline",
    Figure.FINAL_AFTER_REQUEST: "Issued after a request for assessment recorded here",
    Figure.FINAL_IN_20_WEEKS: "Issued within 20 weeks of the request",
}
STAGE_FIGURES = (Figure.DRAFT, Figure.CONSULTATION, Figure.ISSUED, Figure.UNDER_REVIEW, Figure.ENDED)
_STAGE_OF = {
    PlanStatus.DRAFT: Figure.DRAFT,
    PlanStatus.CONSULTATION: Figure.CONSULTATION,
    PlanStatus.ISSUED: Figure.ISSUED,
    PlanStatus.UNDER_REVIEW: Figure.UNDER_REVIEW,
    **dict.fromkeys(ENDED_STATUSES, Figure.ENDED),
}


def stage_figures(plans: list[Plan]) -> dict[Figure, list[Plan]]:
    """The council's EHC plans by the stage each plan is at (no query: the plans already read)."""
    found: dict[Figure, list[Plan]] = {figure: [] for figure in STAGE_FIGURES}
    for plan in sorted(plans, key=id_of):
        if plan.kind is PlanKind.EHC and plan.status in _STAGE_OF:
            found[_STAGE_OF[plan.status]].append(plan)
    return found


@dataclass(frozen=True)
class TimetableOverdue:
    """A reduced timetable that needs a decision: a review or its planned end passed without one."""

    plan: Plan
    state: TimetableState
    what: str
    due_on: date


TIMETABLE_KIND = "Reduced timetable review or end"


def timetables_overdue(db: Session, plans: list[Plan], today: date) -> list[TimetableOverdue]:
    """Every live plan's reduced timetables waiting on a decision (two queries, whatever the number)."""
    by_id = {id_of(plan): plan for plan in plans if plan.status not in ENDED_STATUSES}
    found = []
    for state in plan_timetables(db, sorted(by_id), today):
        if not state.escalations:
            continue
        plan = by_id[state.timetable.plan_id]
        review_missed = today > state.review_on
        due_on = state.review_on if review_missed else state.planned_end_on
        what = (
            f"a decision at the reduced timetable's review on {state.review_on:%-d %B %Y}"
            if review_missed
            else "a decision as the reduced timetable passed its planned end on "
            f"{state.planned_end_on:%-d %B %Y}"
        )
        found.append(TimetableOverdue(plan, state, what, due_on))
    return sorted(found, key=lambda row: (row.due_on, id_of(row.plan)))
