"""A plan's statutory timeline: assessment requests, steps, advice requests, reviews and phase transfers.

The only code that writes these rows; each write records one audit event in the caller's transaction,
and each read of a plan's timeline one read event. Deadlines come from `rules`; "today" is the day in
the UK (Europe/London).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import UK_TIME, uk_today
from app.errors import Refused
from app.models import (
    Child,
    Item,
    ItemKind,
    MemberRole,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanMember,
    PlanReview,
    PlanStatus,
    PlanVersion,
)
from app.models.base import PLAIN_TEXT, Words, as_utc, id_of
from app.models.timeline import (
    ADVICE_TOPIC_LABELS,
    ASSESSMENT_STEPS,
    EXCEPTION_KIND_LABELS,
    STEP_KIND_LABELS,
    STEP_OUTCOMES,
    AdviceRequest,
    AdviceTopic,
    AssessmentRequest,
    ExceptionKind,
    RequesterKind,
    StatutoryStep,
    StepKind,
    StepOutcome,
)
from app.permissions import (
    PlanAccess,
    is_case_officer_of,
    may_manage_assessment,
    may_manage_reviews,
)
from app.services import audit
from app.services.plans.access import refuse, refuse_change, row_of_plan
from app.services.plans.plans import PlanProblem, organisations_by_id, people_by_id
from app.services.timelines import rules
from app.services.timelines.labels import LABELS
from app.services.timelines.rules import OPEN_STATUSES, NextStep, Status

EARLIEST = date(2000, 1, 1)
LATEST_RECORDED_REQUEST_WEEKS = 26
"""A request made earlier (by letter) may be recorded up to 26 weeks after it was made."""
ENDED = frozenset({PlanStatus.CEASED, PlanStatus.CLOSED})


# Inputs -------------------------------------------------------------------------------------------


class NewAssessmentRequest(BaseModel):
    requested_on: date | None = None
    """The day the request was made (a letter sent earlier); today if not given."""
    reason: str | None = Field(default=None, max_length=2000, pattern=PLAIN_TEXT)


class StepDone(BaseModel):
    done_on: date
    outcome: StepOutcome | None = None
    note: str | None = Field(default=None, max_length=2000, pattern=PLAIN_TEXT)
    """The review report's differences of opinion (required for that step: "None" if there were none)."""


class StepException(BaseModel):
    exception: ExceptionKind
    reason: Words = Field(min_length=1, max_length=500)


class NewAdviceRequest(BaseModel):
    topic: AdviceTopic
    organisation_id: int = Field(ge=1, le=2_147_483_647)
    person_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    sent_on: date


class AdviceReturned(BaseModel):
    returned_on: date
    advice_item_id: int | None = Field(default=None, ge=1, le=2_147_483_647)


class NewReviewMeeting(BaseModel):
    meeting_on: date


class NewPhaseTransfer(BaseModel):
    transfer_year: int = Field(ge=2000, le=2100)
    into_post_16: bool = False


# The timeline as read -----------------------------------------------------------------------------


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
    if plan.status in ENDED:
        return None
    if plan.kind is PlanKind.SEN_SUPPORT:
        last = facts.last_review.get(plan_id) or as_utc(plan.created_at).astimezone(UK_TIME).date()
        due = rules.next_sen_support_review(last)
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
            and plan.status not in ENDED
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


# Requesting an assessment -------------------------------------------------------------------------


def requester_kind(access: PlanAccess) -> RequesterKind | None:
    """Who may ask: a parent or carer, a young person from 16, or the school (Code of Practice 9.8)."""
    role = access.member_role
    if role is MemberRole.PARENT_CARER:
        return RequesterKind.PARENT_CARER
    if role is MemberRole.CHILD and access.person.makes_own_decisions:
        return RequesterKind.YOUNG_PERSON
    if role is MemberRole.EDUCATION:
        return RequesterKind.SCHOOL
    return None


def open_request(db: Session, plan_id: int) -> AssessmentRequest | None:
    return db.exec(
        select(AssessmentRequest).where(
            AssessmentRequest.plan_id == plan_id, col(AssessmentRequest.closed_on).is_(None)
        )
    ).first()


def may_request_assessment(db: Session, access: PlanAccess) -> bool:
    return (
        requester_kind(access) is not None
        and access.plan.kind is PlanKind.SEN_SUPPORT
        and access.plan.status not in ENDED
        and open_request(db, id_of(access.plan)) is None
    )


def request_assessment(
    db: Session, actor: Actor, access: PlanAccess, new: NewAssessmentRequest
) -> AssessmentRequest:
    """Ask the council for an EHC needs assessment: no earlier cycles of support are needed."""
    kind = requester_kind(access)
    if kind is None:
        refuse(
            access,
            "A parent or carer, a young person of 16 or over, or the school can ask for an assessment.",
            action="assessment.request_refused",
        )
    plan = access.plan
    if plan.kind is not PlanKind.SEN_SUPPORT or plan.status in ENDED:
        refuse_change(
            access,
            "An assessment is asked for from a child's SEN Support plan.",
            action="assessment.request_refused",
        )
    if open_request(db, id_of(plan)) is not None:
        refuse_change(
            access,
            "An assessment has already been asked for: see its timeline.",
            action="assessment.request_refused",
        )
    today = uk_today()
    requested_on = new.requested_on or today
    if requested_on > today:
        raise PlanProblem("requested_on", "The day of the request must be today or in the past")
    if requested_on < rules.add_weeks(today, -LATEST_RECORDED_REQUEST_WEEKS):
        raise PlanProblem(
            "requested_on",
            f"A request can be recorded up to {LATEST_RECORDED_REQUEST_WEEKS} weeks after it was made",
        )
    request = AssessmentRequest(
        plan_id=id_of(plan),
        child_id=plan.child_id,
        local_authority_id=plan.local_authority_id,
        requested_by_id=id_of(access.person),
        requester_kind=kind,
        requested_on=requested_on,
        reason=(new.reason or "").strip() or None,
    )
    db.add(request)
    db.flush()
    db.add_all(
        StatutoryStep(plan_id=id_of(plan), assessment_id=id_of(request), kind=kind_, due_on=due)
        for kind_, due in rules.assessment_due_dates(requested_on).items()
    )
    db.flush()
    audit.record(
        db,
        actor,
        "assessment.requested",
        object_type="assessment_request",
        object_id=request.id,
        details={"plan_id": plan.id, "requester": kind.value, "requested_on": requested_on.isoformat()},
    )
    return request


def take_on(db: Session, actor: Actor, request_id: int) -> AssessmentRequest:
    """A case officer of the council takes the request on: they join the plan for the council."""
    person = actor.signed_in()
    request = db.get(AssessmentRequest, request_id)
    if request is None or not is_case_officer_of(person, request.local_authority_id):
        raise Refused(
            404,
            "Not Found",
            action="assessment.take_on_refused",
            person=person,
            object_type="assessment_request",
            object_id=request_id,
        )
    if request.case_officer_id is not None or request.closed_on is not None:
        raise Refused(
            409,
            "Another case officer has already taken this request on.",
            action="assessment.take_on_refused",
            person=person,
            object_type="assessment_request",
            object_id=request_id,
        )
    request.case_officer_id = id_of(person)
    membership = db.exec(
        select(PlanMember).where(
            PlanMember.plan_id == request.plan_id,
            PlanMember.person_id == person.id,
            col(PlanMember.removed_at).is_(None),
        )
    ).first()
    if membership is None:
        membership = PlanMember(
            plan_id=request.plan_id,
            person_id=id_of(person),
            role=MemberRole.LOCAL_AUTHORITY,
            added_by_id=person.id,
        )
        db.add(membership)
    db.add(request)
    db.flush()
    audit.record(
        db,
        actor,
        "assessment.taken_on",
        object_type="assessment_request",
        object_id=request.id,
        details={"plan_id": request.plan_id, "member_id": membership.id},
    )
    return request


# Steps --------------------------------------------------------------------------------------------


def plan_step(db: Session, access: PlanAccess, step_id: int) -> StatutoryStep:
    return row_of_plan(
        db, access, StatutoryStep, step_id, object_type="statutory_step", action="step.refused"
    )


def may_manage_step(access: PlanAccess, step: StatutoryStep) -> bool:
    return may_manage_assessment(access) if step.kind in ASSESSMENT_STEPS else may_manage_reviews(access)


# Who may: asked by the services and, before a form is read, by the pages (a refusal tells nothing of
# the form's errors); one message each.


def check_may_manage_step(access: PlanAccess, step: StatutoryStep) -> None:
    if not may_manage_step(access, step):
        refuse(
            access,
            "Only the council's case officer or the plan's coordinator records this.",
            action="step.refused",
        )


def check_may_ask_for_advice(access: PlanAccess) -> None:
    if not may_manage_assessment(access):
        refuse(
            access, "Only the council's case officer on this plan asks for advice.", action="advice.refused"
        )


def check_may_manage_reviews(access: PlanAccess) -> None:
    if not may_manage_reviews(access):
        refuse(
            access,
            "Only the plan's coordinator arranges reviews and phase transfers.",
            action="review.refused",
        )


def check_may_record_return(access: PlanAccess, advice: AdviceRequest) -> None:
    if not may_record_return(access, advice):
        refuse(
            access,
            "Only the case officer or the team asked records that advice came back.",
            action="advice.refused",
        )


def _check_day(day: date, field_name: str, *, not_before: date | None = None) -> None:
    today = uk_today()
    if day > today:
        raise PlanProblem(field_name, "The date must be today or in the past")
    if day < max(EARLIEST, not_before or EARLIEST):
        earliest = max(EARLIEST, not_before or EARLIEST)
        raise PlanProblem(field_name, f"The date must be {earliest.day} {earliest:%B %Y} or later")


def _start_of(db: Session, step: StatutoryStep) -> date | None:
    if step.assessment_id is not None:
        request = db.get(AssessmentRequest, step.assessment_id)
        return request.requested_on if request else None
    return None


def record_done(
    db: Session, actor: Actor, access: PlanAccess, step: StatutoryStep, done: StepDone
) -> StatutoryStep:
    """Record that a step happened, when and by whom; a "no" decision ends the steps after it."""
    check_may_manage_step(access, step)
    if step.done_on is not None or step.cancelled_on is not None:
        refuse_change(access, "This step has already been recorded.", action="step.refused")
    _check_day(done.done_on, "done_on", not_before=_start_of(db, step))
    choices = STEP_OUTCOMES.get(step.kind, ())
    if choices and done.outcome not in choices:
        raise PlanProblem("outcome", "Select what was decided")
    if not choices and done.outcome is not None:
        raise PlanProblem("outcome", "This step has no decision to record")
    note = (done.note or "").strip() or None
    if step.kind is StepKind.REVIEW_REPORT and note is None:
        raise PlanProblem("note", "Enter the differences of opinion the report records, or None")
    step.done_on, step.done_by_id, step.outcome, step.note = (
        done.done_on,
        id_of(access.person),
        done.outcome,
        note,
    )
    db.add(step)
    _follow_on(db, step)
    db.flush()
    audit.record(
        db,
        actor,
        "timeline.step_done",
        object_type="statutory_step",
        object_id=step.id,
        details={
            "plan_id": step.plan_id,
            "kind": step.kind.value,
            "due_on": step.due_on.isoformat(),
            "done_on": step.done_on.isoformat() if step.done_on else None,
            "outcome": step.outcome.value if step.outcome else None,
        },
    )
    return step


def _follow_on(db: Session, step: StatutoryStep) -> None:
    """What a decision ends: later steps no longer apply (kept, so marked); a final plan ends the request."""
    ended: tuple[StepKind, ...] = ()
    if step.outcome is StepOutcome.NOT_ASSESS:
        ended = (StepKind.ISSUE_DECISION, StepKind.FINAL_PLAN)
    elif step.outcome is StepOutcome.NOT_ISSUING:
        ended = (StepKind.FINAL_PLAN,)
    elif step.outcome in {StepOutcome.KEEP, StepOutcome.CEASE}:
        ended = (StepKind.AMENDED_DRAFT, StepKind.AMENDED_FINAL)
    closes = step.kind is StepKind.FINAL_PLAN or step.outcome in {
        StepOutcome.NOT_ASSESS,
        StepOutcome.NOT_ISSUING,
    }
    if ended:
        later = select(StatutoryStep).where(
            StatutoryStep.plan_id == step.plan_id,
            col(StatutoryStep.kind).in_(ended),
            col(StatutoryStep.done_on).is_(None),
            col(StatutoryStep.cancelled_on).is_(None),
        )
        if step.assessment_id is not None:
            later = later.where(StatutoryStep.assessment_id == step.assessment_id)
        else:
            later = later.where(StatutoryStep.round_on == step.round_on)
        for other in db.exec(later):
            other.cancelled_on = step.done_on
            db.add(other)
    if closes and step.assessment_id is not None:
        request = db.get(AssessmentRequest, step.assessment_id)
        if request is not None:
            request.closed_on = step.done_on
            db.add(request)


def record_exception(
    db: Session, actor: Actor, access: PlanAccess, step: StatutoryStep, given: StepException
) -> StatutoryStep:
    """An exception to a time limit, with its reason: shown on the timeline, never silent."""
    check_may_manage_step(access, step)
    if step.kind not in ASSESSMENT_STEPS:
        raise PlanProblem("exception", "The exceptions apply to the time limits of an assessment")
    if step.cancelled_on is not None:
        refuse_change(access, "This step no longer applies.", action="step.refused")
    step.exception, step.exception_reason, step.exception_by_id = (
        given.exception,
        given.reason,
        id_of(access.person),
    )
    db.add(step)
    db.flush()
    audit.record(
        db,
        actor,
        "timeline.exception_recorded",
        object_type="statutory_step",
        object_id=step.id,
        typed_reason=given.reason,
        details={"plan_id": step.plan_id, "kind": step.kind.value, "exception": given.exception.value},
    )
    return step


# Advice -------------------------------------------------------------------------------------------


def advice_organisations(db: Session, access: PlanAccess) -> list[Organisation]:
    """Whom advice can be asked of: the council's schools, health, social care and other services."""
    return list(
        db.exec(
            select(Organisation)
            .where(
                Organisation.local_authority_id == access.plan.local_authority_id,
                col(Organisation.kind) != OrganisationKind.LOCAL_AUTHORITY,
            )
            .order_by(col(Organisation.name))
        )
    )


def advice_people(db: Session, organisation_ids: Iterable[int]) -> list[Person]:
    """The staff who may be named on an advice request (active, of those organisations)."""
    ids = set(organisation_ids)
    if not ids:
        return []
    return list(
        db.exec(
            select(Person)
            .where(col(Person.organisation_id).in_(ids), col(Person.deactivated_at).is_(None))
            .order_by(col(Person.display_name))
        )
    )


def send_advice_request(
    db: Session, actor: Actor, access: PlanAccess, new: NewAdviceRequest
) -> AdviceRequest:
    """Ask an organisation's team (and a named person, if chosen) for advice, due 6 weeks after sending."""
    check_may_ask_for_advice(access)
    organisation = db.get(Organisation, new.organisation_id)
    if (
        organisation is None
        or organisation.local_authority_id != access.plan.local_authority_id
        or organisation.kind is OrganisationKind.LOCAL_AUTHORITY
    ):
        raise PlanProblem("organisation_id", "Select an organisation of this council's area")
    if new.person_id is not None:
        person = db.get(Person, new.person_id)
        if person is None or person.organisation_id != organisation.id or not person.is_active:
            raise PlanProblem("person_id", f"Select someone who works at {organisation.name}, or nobody")
    request = open_request(db, id_of(access.plan))
    _check_day(new.sent_on, "sent_on", not_before=request.requested_on if request else None)
    advice = AdviceRequest(
        plan_id=id_of(access.plan),
        assessment_id=request.id if request else None,
        topic=new.topic,
        organisation_id=id_of(organisation),
        person_id=new.person_id,
        sent_on=new.sent_on,
        due_on=rules.advice_due(new.sent_on),
        sent_by_id=id_of(access.person),
    )
    db.add(advice)
    db.flush()
    audit.record(
        db,
        actor,
        "advice.requested",
        object_type="advice_request",
        object_id=advice.id,
        details={
            "plan_id": advice.plan_id,
            "organisation_id": advice.organisation_id,
            "person_id": advice.person_id,
            "topic": advice.topic.value,
            "due_on": advice.due_on.isoformat(),
        },
    )
    return advice


def plan_advice(db: Session, access: PlanAccess, advice_id: int) -> AdviceRequest:
    return row_of_plan(
        db, access, AdviceRequest, advice_id, object_type="advice_request", action="advice.refused"
    )


def may_record_return(access: PlanAccess, advice: AdviceRequest) -> bool:
    """The case officer, the person asked, or a member of the team asked (on the plan)."""
    person = access.person
    on_plan = access.membership is not None
    return may_manage_assessment(access) or (
        on_plan
        and person.role is not PersonRole.LA_AUDIT_OFFICER
        and (person.id == advice.person_id or (person.organisation_id or 0) == advice.organisation_id)
    )


def record_advice_returned(
    db: Session, actor: Actor, access: PlanAccess, advice: AdviceRequest, returned: AdviceReturned
) -> AdviceRequest:
    check_may_record_return(access, advice)
    if advice.returned_on is not None:
        refuse_change(access, "This advice has already come back.", action="advice.refused")
    _check_day(returned.returned_on, "returned_on", not_before=advice.sent_on)
    if returned.advice_item_id is not None:
        item = db.get(Item, returned.advice_item_id)
        if item is None or item.plan_id != advice.plan_id or item.kind is not ItemKind.ADVICE:
            raise PlanProblem("advice_item_id", "Choose advice written in this plan (section K), or none")
    advice.returned_on, advice.returned_by_id = returned.returned_on, id_of(access.person)
    advice.advice_item_id = returned.advice_item_id
    db.add(advice)
    db.flush()
    audit.record(
        db,
        actor,
        "advice.returned",
        object_type="advice_request",
        object_id=advice.id,
        details={
            "plan_id": advice.plan_id,
            "returned_on": returned.returned_on.isoformat(),
            "on_time": returned.returned_on <= advice.due_on,
        },
    )
    return advice


# Reviews and phase transfers ----------------------------------------------------------------------


def arrange_review(
    db: Session, actor: Actor, access: PlanAccess, new: NewReviewMeeting
) -> list[StatutoryStep]:
    """Arrange an EHC plan's annual review meeting: its deadlines before and after are set from its day."""
    check_may_manage_reviews(access)
    plan = access.plan
    if plan.kind is not PlanKind.EHC or plan.status not in {PlanStatus.ISSUED, PlanStatus.UNDER_REVIEW}:
        refuse_change(
            access,
            "Annual review meetings are arranged for an issued EHC plan; a SEN Support review is recorded "
            "when it has been held.",
            action="review.refused",
        )
    pending = db.exec(
        select(StatutoryStep).where(
            StatutoryStep.plan_id == plan.id,
            StatutoryStep.kind == StepKind.REVIEW_MEETING,
            col(StatutoryStep.done_on).is_(None),
            col(StatutoryStep.cancelled_on).is_(None),
        )
    ).first()
    if pending is not None:
        refuse_change(
            access, "A review meeting is already arranged: record it first.", action="review.refused"
        )
    today = uk_today()
    if not today - timedelta(days=rules.REVIEW_NOTICE_DAYS) <= new.meeting_on <= rules.add_months(today, 12):
        raise PlanProblem("meeting_on", "The meeting must be within the next 12 months")
    steps = [
        StatutoryStep(plan_id=id_of(plan), kind=kind, round_on=new.meeting_on, due_on=due)
        for kind, due in rules.review_due_dates(new.meeting_on).items()
    ]
    db.add_all(steps)
    db.flush()
    audit.record(
        db,
        actor,
        "review.arranged",
        object_type="plan",
        object_id=plan.id,
        details={"meeting_on": new.meeting_on.isoformat(), "steps": [step.id for step in steps]},
    )
    return steps


def add_phase_transfer(db: Session, actor: Actor, access: PlanAccess, new: NewPhaseTransfer) -> StatutoryStep:
    """Naming the next school: by 15 February of the year of the move (31 March into post-16)."""
    check_may_manage_reviews(access)
    plan = access.plan
    if plan.kind is not PlanKind.EHC or plan.status in ENDED:
        refuse_change(access, "Phase transfers are part of an EHC plan.", action="phase_transfer.refused")
    existing = db.exec(
        select(StatutoryStep).where(
            StatutoryStep.plan_id == plan.id,
            StatutoryStep.kind == StepKind.PHASE_TRANSFER,
            col(StatutoryStep.done_on).is_(None),
            col(StatutoryStep.cancelled_on).is_(None),
        )
    ).first()
    if existing is not None:
        refuse_change(access, "A phase transfer is already on the timeline.", action="phase_transfer.refused")
    step = StatutoryStep(
        plan_id=id_of(plan),
        kind=StepKind.PHASE_TRANSFER,
        due_on=rules.phase_transfer_due(new.transfer_year, into_post_16=new.into_post_16),
    )
    db.add(step)
    db.flush()
    audit.record(
        db,
        actor,
        "timeline.phase_transfer_added",
        object_type="statutory_step",
        object_id=step.id,
        details={"plan_id": plan.id, "due_on": step.due_on.isoformat(), "into_post_16": new.into_post_16},
    )
    return step


# Dashboards ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardRow:
    entry: Entry
    plan: Plan
    child: Child | None
    """None where the person is not on the plan (advice asked of their team): the reference only."""


@dataclass(frozen=True)
class Dashboard:
    today: date
    week_ends: date
    overdue: list[DashboardRow]
    due_this_week: list[DashboardRow]


def _member_plans(db: Session, person: Person) -> list[Plan]:
    return list(
        db.exec(
            select(Plan)
            .join(PlanMember, col(PlanMember.plan_id) == col(Plan.id))
            .where(PlanMember.person_id == person.id, col(PlanMember.removed_at).is_(None))
        )
    )


def my_dashboard(db: Session, actor: Actor) -> Dashboard:
    """What is due this week and what is overdue, on my plans and in advice asked of me or my team."""
    person = actor.signed_in()
    today = uk_today()
    plans = _member_plans(db, person)
    mine = {id_of(plan) for plan in plans}
    team_advice = (
        list(
            db.exec(
                select(AdviceRequest).where(
                    col(AdviceRequest.returned_on).is_(None),
                    (col(AdviceRequest.person_id) == person.id)
                    | (col(AdviceRequest.organisation_id) == (person.organisation_id or 0)),
                )
            )
        )
        if person.is_staff
        else []
    )
    others = {advice.plan_id for advice in team_advice} - mine
    if others:
        plans += list(db.exec(select(Plan).where(col(Plan.id).in_(others))))
    timelines = timelines_of(db, plans, today)
    team_keys = {f"advice:{advice.id}" for advice in team_advice}
    week_ends = rules.week_sunday(today)
    overdue: list[DashboardRow] = []
    due: list[DashboardRow] = []
    for plan_id, timeline in timelines.items():
        for entry in timeline.entries:
            if plan_id not in mine and entry.key not in team_keys:
                continue
            row = DashboardRow(entry, timeline.plan, timeline.child if plan_id in mine else None)
            if entry.status is Status.OVERDUE:
                overdue.append(row)
            elif entry.is_open and entry.due_on <= week_ends and entry.status is not Status.EXCEPTION:
                due.append(row)
    overdue.sort(key=lambda row: (row.entry.due_on, row.entry.key))
    due.sort(key=lambda row: (row.entry.due_on, row.entry.key))
    audit.record(
        db, actor, "dashboard.read", details={"plans": len(mine), "overdue": len(overdue), "due": len(due)}
    )
    return Dashboard(today, week_ends, overdue, due)


@dataclass(frozen=True)
class AgencyAdvice:
    organisation_id: int
    organisation: str
    requested: int
    returned: int
    returned_on_time: int
    overdue: int

    @property
    def on_time_share(self) -> float | None:
        """Share of the advice due so far that came back on time."""
        counted = self.returned + self.overdue
        return self.returned_on_time / counted if counted else None


def advice_timeliness_by_agency(
    db: Session,
    local_authority_id: int,
    *,
    since: date | None = None,
    until: date | None = None,
    today: date | None = None,
) -> list[AgencyAdvice]:
    """For one council: advice requested, returned, returned on time and overdue, by organisation asked.

    Counts advice requests sent between `since` and `until` (inclusive, either open), on the council's
    plans. No plan content: numbers and organisation names only (the audit contribution summary uses it).
    """
    day = today or uk_today()
    query = (
        select(AdviceRequest, Organisation.name)
        .join(Plan, col(Plan.id) == col(AdviceRequest.plan_id))
        .join(Organisation, col(Organisation.id) == col(AdviceRequest.organisation_id))
        .where(Plan.local_authority_id == local_authority_id)
    )
    if since is not None:
        query = query.where(col(AdviceRequest.sent_on) >= since)
    if until is not None:
        query = query.where(col(AdviceRequest.sent_on) <= until)
    counts: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for advice, name in db.exec(query):
        names[advice.organisation_id] = name
        tally = counts.setdefault(advice.organisation_id, [0, 0, 0, 0])
        tally[0] += 1
        if advice.returned_on is not None:
            tally[1] += 1
            tally[2] += advice.returned_on <= advice.due_on
        elif day > advice.due_on:
            tally[3] += 1
    return sorted(
        (AgencyAdvice(org_id, names[org_id], *tally) for org_id, tally in counts.items()),
        key=lambda row: row.organisation,
    )


@dataclass(frozen=True)
class NewRequestRow:
    request: AssessmentRequest
    plan: Plan
    week: int
    setting: str | None


@dataclass(frozen=True)
class OverdueRow:
    entry: Entry
    plan: Plan
    setting: str


@dataclass(frozen=True)
class LaOverview:
    today: date
    council: Organisation
    new_requests: list[NewRequestRow]
    open_assessments: list[tuple[Assessment, Plan, Person | None]]
    overdue: list[OverdueRow]
    overdue_by_kind: list[tuple[str, int]]
    overdue_by_setting: list[tuple[str, int]]
    issued: int
    issued_in_time: int
    issued_in_time_without_exceptions: int
    issued_with_exceptions: int
    advice: list[AgencyAdvice]
    may_take_on: bool

    @property
    def issued_in_time_share(self) -> float | None:
        return self.issued_in_time / self.issued if self.issued else None


NO_SETTING = "No school or setting named"


def la_overview(db: Session, actor: Actor) -> LaOverview:
    """The council's overview: new requests, overdue steps by kind and setting, plans issued in 20 weeks."""
    person = actor.signed_in()
    council = db.get(Organisation, person.organisation_id) if person.organisation_id else None
    if council is None or council.kind is not OrganisationKind.LOCAL_AUTHORITY:
        raise Refused(
            403,
            "Your account is not part of a local authority.",
            action="la_dashboard.refused",
            person=person,
        )
    today = uk_today()
    plans = list(db.exec(select(Plan).where(Plan.local_authority_id == council.id)))
    timelines = timelines_of(db, plans, today)
    children = {timeline.plan.child_id: timeline.child for timeline in timelines.values()}
    setting_ids: set[int | None] = {plan.setting_id for plan in plans}
    setting_ids |= {child.setting_id for child in children.values() if child is not None}
    settings = organisations_by_id(db, {setting_id for setting_id in setting_ids if setting_id is not None})

    def setting_of(plan: Plan) -> str:
        child = children.get(plan.child_id)
        setting_id = plan.setting_id or (child.setting_id if child else None)
        organisation = settings.get(setting_id) if setting_id else None
        return organisation.name if organisation else NO_SETTING

    overdue: list[OverdueRow] = []
    by_kind: dict[str, int] = defaultdict(int)
    by_setting: dict[str, int] = defaultdict(int)
    new_requests: list[NewRequestRow] = []
    open_assessments: list[tuple[Assessment, Plan, Person | None]] = []
    officers = people_by_id(
        db,
        {
            timeline.assessment.request.case_officer_id
            for timeline in timelines.values()
            if timeline.assessment is not None and timeline.assessment.request.case_officer_id is not None
        },
    )
    for timeline in timelines.values():
        plan = timeline.plan
        for entry in timeline.entries:
            if entry.status is Status.OVERDUE:
                overdue.append(OverdueRow(entry, plan, setting_of(plan)))
                by_kind[_kind_name(entry)] += 1
                by_setting[setting_of(plan)] += 1
        assessment = timeline.assessment
        if assessment is not None and not assessment.closed:
            if assessment.request.case_officer_id is None:
                new_requests.append(
                    NewRequestRow(assessment.request, plan, assessment.week, setting_of(plan))
                )
            else:
                open_assessments.append((assessment, plan, officers.get(assessment.request.case_officer_id)))
    final_plans = db.exec(
        select(StatutoryStep)
        .join(Plan, col(Plan.id) == col(StatutoryStep.plan_id))
        .where(
            Plan.local_authority_id == council.id,
            StatutoryStep.kind == StepKind.FINAL_PLAN,
            col(StatutoryStep.done_on).is_not(None),
        )
    ).all()
    in_time = [step for step in final_plans if step.done_on is not None and step.done_on <= step.due_on]
    overdue.sort(key=lambda row: (row.entry.due_on, row.entry.key))
    new_requests.sort(key=lambda row: (row.request.requested_on, id_of(row.request)))
    open_assessments.sort(key=lambda row: row[0].request.requested_on)
    overview = LaOverview(
        today=today,
        council=council,
        new_requests=new_requests,
        open_assessments=open_assessments,
        overdue=overdue,
        overdue_by_kind=sorted(by_kind.items(), key=lambda pair: (-pair[1], pair[0])),
        overdue_by_setting=sorted(by_setting.items(), key=lambda pair: (-pair[1], pair[0])),
        issued=len(final_plans),
        issued_in_time=len(in_time),
        issued_in_time_without_exceptions=sum(1 for step in in_time if step.exception is None),
        issued_with_exceptions=sum(1 for step in final_plans if step.exception is not None),
        advice=advice_timeliness_by_agency(db, id_of(council), today=today),
        may_take_on=is_case_officer_of(person, id_of(council)),
    )
    audit.record(
        db,
        actor,
        "la_dashboard.read",
        object_type="organisation",
        object_id=council.id,
        details={"plans": len(plans), "overdue": len(overdue), "new_requests": len(new_requests)},
    )
    return overview


def _kind_name(entry: Entry) -> str:
    if entry.advice is not None:
        return "Advice for an assessment" if entry.advice.assessment_id else "Advice for a review"
    if entry.step is not None:
        return STEP_KIND_NAMES[entry.step.kind]
    return "Review meeting"


STEP_KIND_NAMES = {
    StepKind.ASSESSMENT_DECISION: "Decision whether to assess (6 weeks)",
    StepKind.ISSUE_DECISION: "Draft plan or decision not to issue (16 weeks)",
    StepKind.FINAL_PLAN: "Final EHC plan (20 weeks)",
    StepKind.REVIEW_INVITATIONS: "Review invitations and advice",
    StepKind.REVIEW_MEETING: "Annual review meeting",
    StepKind.REVIEW_REPORT: "Review report",
    StepKind.REVIEW_DECISION: "Decision after a review",
    StepKind.AMENDED_DRAFT: "Amended draft plan",
    StepKind.AMENDED_FINAL: "Amended plan final",
    StepKind.PHASE_TRANSFER: "Phase transfer",
}


def plan_panel(db: Session, access: PlanAccess) -> dict[str, object]:
    """What the plan page's timeline panel shows (a constant number of queries, whatever the plan's size)."""
    return {
        "timeline": plan_timeline(db, access),
        "timeline_labels": LABELS,
        "timeline_may_request": may_request_assessment(db, access),
    }
