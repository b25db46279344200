"""Statutory timelines in the API: assessment requests, steps, advice, reviews, and the dashboards.

The same services as the pages; every write is audited by them. Dates are days (YYYY-MM-DD) in the UK.
"""

from datetime import date

from fastapi import APIRouter, status
from pydantic import BaseModel

from app.clock import uk_today
from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, requires
from app.models import PlanKind, PlanStatus
from app.models.base import id_of
from app.models.timeline import (
    AdviceRequest,
    AdviceTopic,
    AssessmentRequest,
    ExceptionKind,
    RequesterKind,
    StepKind,
    StepOutcome,
)
from app.permissions import Permission
from app.routers.api.responses import READ, SENT, UNSIGNED, WRITE, Problem, Responses, input_problems
from app.services.timelines import timelines
from app.services.timelines.la_figures import Figure
from app.services.timelines.rules import Status

router = APIRouter(prefix="/api/v1", tags=["timelines"])

LA_ONLY: Responses = {
    **UNSIGNED,
    403: {"model": Problem, "description": "Only the council's case and audit officers see this"},
}
TAKE_ON: Responses = {
    **UNSIGNED,
    403: {"model": Problem, "description": "Only the council's SEND case officers take requests on"},
    404: {"model": Problem, "description": "No such request of your council"},
    409: {"model": Problem, "description": "Someone has already taken it on"},
}


class EntryOut(BaseModel):
    key: str
    label: str
    due_on: date
    status: Status
    done_on: date | None
    done_by_id: int | None
    step_id: int | None
    step_kind: StepKind | None
    outcome: StepOutcome | None
    advice_request_id: int | None
    exception: ExceptionKind | None
    exception_reason: str | None
    note: str | None


class AssessmentOut(BaseModel):
    id: int
    plan_id: int
    requester_kind: RequesterKind
    requested_by_id: int
    requested_on: date
    case_officer_id: int | None
    closed_on: date | None


class AssessmentStateOut(AssessmentOut):
    week: int
    sentence: str


class TimelineOut(BaseModel):
    plan_id: int
    reference: str
    kind: PlanKind
    status: PlanStatus
    today: date
    assessment: AssessmentStateOut | None
    preparing_for_adulthood: bool
    entries: list[EntryOut]


class AdviceOut(BaseModel):
    id: int
    plan_id: int
    assessment_id: int | None
    topic: AdviceTopic
    organisation_id: int
    person_id: int | None
    sent_on: date
    due_on: date
    returned_on: date | None


class DashboardRowOut(BaseModel):
    plan_id: int
    reference: str
    entry: EntryOut


class DashboardOut(BaseModel):
    today: date
    week_ends: date
    overdue: list[DashboardRowOut]
    due_this_week: list[DashboardRowOut]


class CountOut(BaseModel):
    name: str
    overdue: int


class AgencyAdviceOut(BaseModel):
    organisation_id: int
    organisation: str
    requested: int
    returned: int
    returned_on_time: int
    overdue: int


class NewRequestOut(BaseModel):
    id: int
    plan_id: int
    reference: str
    requester_kind: RequesterKind
    requested_on: date
    week: int


class TimetableOverdueOut(BaseModel):
    plan_id: int
    reference: str
    timetable_id: int
    what: str
    due_on: date


class LaDashboardOut(BaseModel):
    today: date
    local_authority_id: int
    new_requests: list[NewRequestOut]
    overdue: list[DashboardRowOut]
    overdue_by_kind: list[CountOut]
    overdue_by_setting: list[CountOut]
    final_plans_issued: int
    issued_within_20_weeks: int
    issued_within_20_weeks_without_exceptions: int
    issued_with_exceptions: int
    advice_by_agency: list[AgencyAdviceOut]
    timetables_overdue: list[TimetableOverdueOut]
    """Reduced timetables past a review or their planned end with no decision (overdue too)."""
    figures: dict[Figure, list[int]]
    """The plans each figure of the council dashboard counts, by plan id (its number is their count)."""


def _entry(entry: timelines.Entry) -> EntryOut:
    step = entry.step
    return EntryOut(
        key=entry.key,
        label=entry.label,
        due_on=entry.due_on,
        status=entry.status,
        done_on=entry.done_on,
        done_by_id=entry.done_by_id,
        step_id=step.id if step else None,
        step_kind=step.kind if step else None,
        outcome=step.outcome if step else None,
        advice_request_id=entry.advice.id if entry.advice else None,
        exception=entry.exception,
        exception_reason=entry.exception_reason,
        note=entry.note,
    )


def _request(request: AssessmentRequest) -> AssessmentOut:
    return AssessmentOut(
        id=id_of(request),
        plan_id=request.plan_id,
        requester_kind=request.requester_kind,
        requested_by_id=request.requested_by_id,
        requested_on=request.requested_on,
        case_officer_id=request.case_officer_id,
        closed_on=request.closed_on,
    )


def _advice(advice: AdviceRequest) -> AdviceOut:
    return AdviceOut(**advice.model_dump(include=set(AdviceOut.model_fields)))


def _timeline(timeline: timelines.Timeline) -> TimelineOut:
    assessment = timeline.assessment
    return TimelineOut(
        plan_id=id_of(timeline.plan),
        reference=timeline.plan.reference,
        kind=timeline.plan.kind,
        status=timeline.plan.status,
        today=timeline.today,
        assessment=AssessmentStateOut(
            **_request(assessment.request).model_dump(), week=assessment.week, sentence=assessment.sentence
        )
        if assessment
        else None,
        preparing_for_adulthood=timeline.preparing_for_adulthood,
        entries=[_entry(entry) for entry in timeline.entries],
    )


@router.get("/plans/{plan_id}/timeline", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def read_timeline(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> TimelineOut:
    """Where the plan is: its steps, advice and reviews, done, due and overdue; the assessment in words."""
    return _timeline(timelines.read_timeline(db, actor, access))


@router.post(
    "/plans/{plan_id}/assessment-requests",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def request_assessment(
    new: timelines.NewAssessmentRequest, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> AssessmentOut:
    """Ask for an EHC needs assessment (a parent or carer, a young person from 16, or the school)."""
    with input_problems():
        request = timelines.request_assessment(db, actor, access, new)
    return _request(request)


@router.post(
    "/la/assessment-requests/{request_id}/take-on",
    dependencies=[requires(Permission.COORDINATE)],
    responses=TAKE_ON,
)
def take_on(request_id: RowId, db: SessionDep, actor: ActorDep) -> AssessmentOut:
    """Take a request of your council on as its case officer (you join the plan for the council)."""
    return _request(timelines.take_on(db, actor, request_id))


@router.post(
    "/plans/{plan_id}/steps/{step_id}/done", dependencies=[requires(Permission.COORDINATE)], responses=WRITE
)
def record_done(
    done: timelines.StepDone, access: CurrentPlan, step_id: RowId, db: SessionDep, actor: ActorDep
) -> EntryOut:
    """Record that a step happened: when, and what was decided (a "no" ends the steps after it)."""
    step = timelines.plan_step(db, access, step_id)
    with input_problems():
        timelines.record_done(db, actor, access, step, done)
    return _entry(timelines.step_entry(step, uk_today()))


@router.post(
    "/plans/{plan_id}/steps/{step_id}/exception",
    dependencies=[requires(Permission.COORDINATE)],
    responses=WRITE,
)
def record_exception(
    given: timelines.StepException, access: CurrentPlan, step_id: RowId, db: SessionDep, actor: ActorDep
) -> EntryOut:
    """Record an exception to an assessment's time limit, with its reason (it shows on the timeline)."""
    step = timelines.plan_step(db, access, step_id)
    with input_problems():
        timelines.record_exception(db, actor, access, step, given)
    return _entry(timelines.step_entry(step, uk_today()))


@router.post(
    "/plans/{plan_id}/advice-requests",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.COORDINATE)],
    responses=WRITE,
)
def send_advice_request(
    new: timelines.NewAdviceRequest, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> AdviceOut:
    """Ask an organisation's team (and a named person) for advice: due 6 weeks after it was sent."""
    with input_problems():
        advice = timelines.send_advice_request(db, actor, access, new)
    return _advice(advice)


@router.post(
    "/plans/{plan_id}/advice-requests/{advice_id}/returned",
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def advice_returned(
    returned: timelines.AdviceReturned, access: CurrentPlan, advice_id: RowId, db: SessionDep, actor: ActorDep
) -> AdviceOut:
    """Record that advice came back, naming its item in section K (advice_item_id, required: nothing
    written is refused, 422); to write it and return it in one step, POST .../advice."""
    advice = timelines.plan_advice(db, access, advice_id)
    with input_problems():
        timelines.record_advice_returned(db, actor, access, advice, returned)
    return _advice(advice)


@router.post(
    "/plans/{plan_id}/review-meetings",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.COORDINATE)],
    responses=WRITE,
)
def arrange_review(
    new: timelines.NewReviewMeeting, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> list[EntryOut]:
    """Arrange an EHC plan's annual review meeting; its deadlines before and after come with it."""
    with input_problems():
        steps = timelines.arrange_review(db, actor, access, new)
    today = uk_today()
    return [_entry(timelines.step_entry(step, today)) for step in steps]


@router.post(
    "/plans/{plan_id}/phase-transfers",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.COORDINATE)],
    responses=WRITE,
)
def add_phase_transfer(
    new: timelines.NewPhaseTransfer, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> EntryOut:
    """Naming the next school: by 15 February of the year of the move (31 March into post-16)."""
    with input_problems():
        step = timelines.add_phase_transfer(db, actor, access, new)
    return _entry(timelines.step_entry(step, uk_today()))


def _row(row: timelines.DashboardRow) -> DashboardRowOut:
    return DashboardRowOut(plan_id=id_of(row.plan), reference=row.plan.reference, entry=_entry(row.entry))


@router.get("/dashboard", dependencies=[requires(Permission.READ_PLANS)], responses={**UNSIGNED, **SENT})
def dashboard(db: SessionDep, actor: ActorDep) -> DashboardOut:
    """What is due this week and what is overdue on my plans, and advice asked of me or my team."""
    found = timelines.my_dashboard(db, actor)
    return DashboardOut(
        today=found.today,
        week_ends=found.week_ends,
        overdue=[_row(row) for row in found.overdue],
        due_this_week=[_row(row) for row in found.due_this_week],
    )


@router.get("/la/dashboard", dependencies=[requires(Permission.READ_LA_OVERVIEW)], responses=LA_ONLY)
def la_dashboard(db: SessionDep, actor: ActorDep) -> LaDashboardOut:
    """The council's overview: overdue steps by kind and setting, EHC plans issued within 20 weeks, advice."""
    found = timelines.la_overview(db, actor)
    return LaDashboardOut(
        today=found.today,
        local_authority_id=id_of(found.council),
        new_requests=[
            NewRequestOut(
                id=id_of(row.request),
                plan_id=id_of(row.plan),
                reference=row.plan.reference,
                requester_kind=row.request.requester_kind,
                requested_on=row.request.requested_on,
                week=row.week,
            )
            for row in found.new_requests
        ],
        overdue=[
            DashboardRowOut(plan_id=id_of(row.plan), reference=row.plan.reference, entry=_entry(row.entry))
            for row in found.overdue
        ],
        overdue_by_kind=[CountOut(name=name, overdue=count) for name, count in found.overdue_by_kind],
        overdue_by_setting=[CountOut(name=name, overdue=count) for name, count in found.overdue_by_setting],
        final_plans_issued=found.issued,
        issued_within_20_weeks=found.issued_in_time,
        issued_within_20_weeks_without_exceptions=found.issued_in_time_without_exceptions,
        issued_with_exceptions=found.issued_with_exceptions,
        advice_by_agency=[AgencyAdviceOut(**vars(row)) for row in found.advice],
        timetables_overdue=[
            TimetableOverdueOut(
                plan_id=id_of(row.plan),
                reference=row.plan.reference,
                timetable_id=id_of(row.state.timetable),
                what=row.what,
                due_on=row.due_on,
            )
            for row in found.timetables_overdue
        ],
        figures={figure: [id_of(plan) for plan in plans] for figure, plans in found.figures.items()},
    )
