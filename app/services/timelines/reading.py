"""A plan's timeline as read: its steps, advice and reviews as entries with deadlines and states."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import UK_TIME, uk_today
from app.models import (
    ENDED_STATUSES,
    SETTING_KINDS,
    Child,
    Organisation,
    Person,
    Plan,
    PlanKind,
    PlanReview,
    PlanStatus,
    PlanVersion,
)
from app.models.base import as_utc, id_of
from app.models.timeline import (
    ADVICE_TOPIC_LABELS,
    EXCEPTION_KIND_LABELS,
    STEP_KIND_LABELS,
    AdviceRequest,
    AssessmentRequest,
    ExceptionKind,
    StatutoryStep,
    StepKind,
)
from app.permissions import (
    PlanAccess,
)
from app.services import audit
from app.services.plans.plans import organisations_by_id, people_by_id
from app.services.timelines import rules
from app.services.timelines.rules import OPEN_STATUSES, NextStep, Status


@dataclass(frozen=True)
class Entry:
    """One thing with a deadline on a plan's timeline (stored, or worked out from the last review)."""

    key: str
    """Stable name of the thing ("step:12", "advice:3", "review:5:2026-05-14"), for reminders."""
    plan_id: int
    label: str
    due_on: date
    status: Status
    done_on: date | None = None
    done_by_id: int | None = None
    step: StatutoryStep | None = None
    advice: AdviceRequest | None = None
    exception: ExceptionKind | None = None
    exception_reason: str | None = None
    note: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def exception_label(self) -> str | None:
        return EXCEPTION_KIND_LABELS[self.exception] if self.exception else None


@dataclass(frozen=True)
class Assessment:
    request: AssessmentRequest
    week: int
    sentence: str
    closed: bool


@dataclass
class Timeline:
    plan: Plan
    child: Child | None
    today: date
    assessment: Assessment | None
    entries: list[Entry]
    people: dict[int, Person] = field(default_factory=dict)
    organisations: dict[int, Organisation] = field(default_factory=dict)
    preparing_for_adulthood: bool = False
    transfer_hint: tuple[int, bool] | None = None
    """A child in a year that ends with a move, and no phase-transfer deadline recorded yet."""

    @property
    def open_entries(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.is_open]

    @property
    def overdue(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.status is Status.OVERDUE]

    @property
    def reviews(self) -> list[Entry]:
        """The open entries that are the plan's next review: worked out from the last, or arranged."""
        return [entry for entry in self.entries if entry.is_open and is_review(entry)]

    @property
    def next_review(self) -> date | None:
        return min((entry.due_on for entry in self.reviews), default=None)

    @property
    def reviewed_on_time(self) -> bool:
        """No review of the plan is past its deadline (an ended plan's last one counts as it stood)."""
        return not any(entry.status is Status.OVERDUE for entry in self.reviews)


REVIEW_STEPS = frozenset({StepKind.REVIEW_MEETING})


def is_review(entry: Entry) -> bool:
    """The review meeting itself: SEN Support's worked-out meeting, or an EHC plan's arranged one."""
    return entry.key.startswith("review:") or (entry.step is not None and entry.step.kind in REVIEW_STEPS)


def step_entry(step: StatutoryStep, today: date) -> Entry:
    return Entry(
        key=f"step:{step.id}",
        plan_id=step.plan_id,
        label=STEP_KIND_LABELS[step.kind],
        due_on=step.due_on,
        status=rules.status(
            step.due_on,
            step.done_on,
            today,
            exception=step.exception is not None,
            cancelled=step.cancelled_on is not None,
        ),
        done_on=step.done_on,
        done_by_id=step.done_by_id,
        step=step,
        exception=step.exception,
        exception_reason=step.exception_reason,
        note=step.note,
    )


def _advice_entry(advice: AdviceRequest, organisations: dict[int, Organisation], today: date) -> Entry:
    organisation = organisations.get(advice.organisation_id)
    asked = organisation.name if organisation else "an organisation"
    return Entry(
        key=f"advice:{advice.id}",
        plan_id=advice.plan_id,
        label=f"{ADVICE_TOPIC_LABELS[advice.topic].lower()} from {asked}",
        due_on=advice.due_on,
        status=rules.status(advice.due_on, advice.returned_on, today, exception=advice.exception is not None),
        done_on=advice.returned_on,
        done_by_id=advice.returned_by_id,
        advice=advice,
        exception=advice.exception,
        exception_reason=advice.exception_reason,
    )


@dataclass(frozen=True)
class _PlanFacts:
    """What the worked-out review deadline needs, for many plans at once (a constant number of queries)."""

    last_review: dict[int, date]
    issued_on: dict[int, date]


def _plan_facts(db: Session, plan_ids: set[int]) -> _PlanFacts:
    if not plan_ids:
        return _PlanFacts({}, {})
    reviews = db.exec(
        select(PlanReview.plan_id, func.max(PlanReview.held_on))
        .where(col(PlanReview.plan_id).in_(plan_ids))
        .group_by(col(PlanReview.plan_id))
    ).all()
    issued = db.exec(
        select(PlanVersion.plan_id, func.min(PlanVersion.made_at))
        .where(col(PlanVersion.plan_id).in_(plan_ids), PlanVersion.occasion == "issued")
        .group_by(col(PlanVersion.plan_id))
    ).all()
    return _PlanFacts(
        {plan_id: held for plan_id, held in reviews if held is not None},
        {plan_id: as_utc(made).astimezone(UK_TIME).date() for plan_id, made in issued if made is not None},
    )


def _review_entry(
    plan: Plan, child: Child | None, steps: list[StatutoryStep], facts: _PlanFacts, today: date
) -> Entry | None:
    """The next review a plan needs, worked out from the last one (none while one is being held)."""
    plan_id = id_of(plan)
    if plan.status in ENDED_STATUSES:
        return None
    if plan.kind in SETTING_KINDS:
        last = facts.last_review.get(plan_id) or as_utc(plan.created_at).astimezone(UK_TIME).date()
        due = rules.next_sen_support_review(last)
        if plan.next_review_on is not None and plan.next_review_on > last:
            due = plan.next_review_on  # an ISP's review date as agreed
        label = "a review meeting with the parents (at least three a year)"
    else:
        if plan.status not in {PlanStatus.ISSUED, PlanStatus.UNDER_REVIEW} or child is None:
            return None
        meetings = [
            step for step in steps if step.kind is StepKind.REVIEW_MEETING and step.cancelled_on is None
        ]
        if any(step.done_on is None for step in meetings):
            return None  # a meeting is arranged: its own steps are on the timeline
        held = [step.done_on for step in meetings if step.done_on is not None]
        since = max(held, default=None) or facts.issued_on.get(plan_id)
        if since is None:
            return None
        due = rules.next_annual_review(since, child.date_of_birth)
        label = "the annual review meeting"
        if rules.preparing_for_adulthood(child.school_year):
            label += " (including preparing for adulthood)"
    return Entry(
        key=f"review:{plan_id}:{due.isoformat()}",
        plan_id=plan_id,
        label=label,
        due_on=due,
        status=rules.status(due, None, today),
    )


def _sort_key(entry: Entry) -> tuple[date, str]:
    return (entry.done_on or entry.due_on, entry.key)


def timelines_of(db: Session, plans: list[Plan], today: date) -> dict[int, Timeline]:
    """The timelines of many plans in a constant number of queries."""
    plan_ids = {id_of(plan) for plan in plans}
    if not plan_ids:
        return {}
    children = {
        id_of(child): child
        for child in db.exec(select(Child).where(col(Child.id).in_({plan.child_id for plan in plans})))
    }
    requests: dict[int, AssessmentRequest] = {}
    for made in db.exec(
        select(AssessmentRequest)
        .where(col(AssessmentRequest.plan_id).in_(plan_ids))
        .order_by(col(AssessmentRequest.requested_on), col(AssessmentRequest.id))
    ):
        requests[made.plan_id] = made  # the latest request of each plan
    steps: dict[int, list[StatutoryStep]] = defaultdict(list)
    for step in db.exec(select(StatutoryStep).where(col(StatutoryStep.plan_id).in_(plan_ids))):
        steps[step.plan_id].append(step)
    advice: dict[int, list[AdviceRequest]] = defaultdict(list)
    for row in db.exec(select(AdviceRequest).where(col(AdviceRequest.plan_id).in_(plan_ids))):
        advice[row.plan_id].append(row)
    organisations = organisations_by_id(db, {row.organisation_id for rows in advice.values() for row in rows})
    facts = _plan_facts(db, plan_ids)
    result: dict[int, Timeline] = {}
    for plan in plans:
        plan_id = id_of(plan)
        child = children.get(plan.child_id)
        plan_steps = steps.get(plan_id, [])
        entries = [step_entry(step, today) for step in plan_steps]
        entries += [_advice_entry(row, organisations, today) for row in advice.get(plan_id, [])]
        review = _review_entry(plan, child, plan_steps, facts, today)
        if review is not None:
            entries.append(review)
        entries.sort(key=_sort_key)
        request = requests.get(plan_id)  # nosec B113 # a dict of assessment requests, not an HTTP call
        assessment = _assessment(request, entries, today) if request is not None else None
        has_transfer = any(step.kind is StepKind.PHASE_TRANSFER for step in plan_steps)
        hint = (
            rules.transfer_year_for(child.school_year, today)
            if child is not None
            and plan.kind is PlanKind.EHC
            and not has_transfer
            and plan.status not in ENDED_STATUSES
            else None
        )
        result[plan_id] = Timeline(
            plan=plan,
            child=child,
            today=today,
            assessment=assessment,
            entries=entries,
            organisations=organisations,
            preparing_for_adulthood=child is not None and rules.preparing_for_adulthood(child.school_year),
            transfer_hint=hint,
        )
    return result


def _assessment(request: AssessmentRequest, entries: list[Entry], today: date) -> Assessment:
    own = [
        entry
        for entry in entries
        if (entry.step is not None and entry.step.assessment_id == request.id)
        or (entry.advice is not None and entry.advice.assessment_id == request.id)
    ]
    waiting = sorted(
        (entry for entry in own if entry.is_open and entry.step is not None), key=lambda entry: entry.due_on
    )
    closed = request.closed_on is not None
    next_step = NextStep(waiting[0].label, waiting[0].due_on) if waiting else None
    sentence = rules.where_am_i(request.requested_on, today, next_step, closed=closed)
    late_advice = [entry for entry in own if entry.advice is not None and entry.status is Status.OVERDUE]
    if late_advice and not closed:
        many = len(late_advice) > 1
        sentence += (
            f" {len(late_advice)} piece{'s' if many else ''} of advice {'are' if many else 'is'} late."
        )
    return Assessment(request, rules.week_number(request.requested_on, today), sentence, closed)


def plan_timeline(db: Session, access: PlanAccess, today: date | None = None) -> Timeline:
    """The plan's timeline for its page (the page's own read event covers it)."""
    day = today or uk_today()
    timeline = timelines_of(db, [access.plan], day)[id_of(access.plan)]
    ids: set[int | None] = {entry.done_by_id for entry in timeline.entries}
    if timeline.assessment is not None:
        ids |= {timeline.assessment.request.requested_by_id, timeline.assessment.request.case_officer_id}
    ids |= {entry.advice.person_id for entry in timeline.entries if entry.advice is not None}
    ids |= {entry.step.exception_by_id for entry in timeline.entries if entry.step is not None}
    timeline.people = people_by_id(db, {person_id for person_id in ids if person_id is not None})
    return timeline


def read_timeline(db: Session, actor: Actor, access: PlanAccess) -> Timeline:
    """The plan's whole timeline (audited as a read of the plan)."""
    timeline = plan_timeline(db, access)
    audit.record(
        db,
        actor,
        "timeline.read",
        object_type="plan",
        object_id=access.plan.id,
        details={"entries": len(timeline.entries)},
    )
    return timeline
