"""What each person has due across their plans, the council's overview, and a plan's timeline panel."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.errors import Refused
from app.models import (
    Child,
    Organisation,
    OrganisationKind,
    Person,
    Plan,
    PlanMember,
)
from app.models.base import id_of
from app.models.timeline import (
    AdviceRequest,
    AssessmentRequest,
    StatutoryStep,
    StepKind,
)
from app.permissions import (
    PlanAccess,
    is_case_officer_of,
)
from app.services import audit
from app.services.plans.plans import organisations_by_id, people_by_id
from app.services.timelines import rules
from app.services.timelines.assessment import may_request_assessment
from app.services.timelines.la_figures import (
    TIMETABLE_KIND,
    Figure,
    TimetableOverdue,
    stage_figures,
    timetables_overdue,
)
from app.services.timelines.labels import LABELS
from app.services.timelines.reading import Assessment, Entry, plan_timeline, timelines_of
from app.services.timelines.rules import Status


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
    advice_asked: list[DashboardRow] = field(default_factory=list)
    """Advice asked of me or my team, not yet returned and due later than this week (opened from here)."""


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
    asked: list[DashboardRow] = []
    for plan_id, timeline in timelines.items():
        for entry in timeline.entries:
            if plan_id not in mine and entry.key not in team_keys:
                continue
            row = DashboardRow(entry, timeline.plan, timeline.child if plan_id in mine else None)
            if entry.status is Status.OVERDUE:
                overdue.append(row)
            elif entry.is_open and entry.due_on <= week_ends and entry.status is not Status.EXCEPTION:
                due.append(row)
            elif entry.key in team_keys:
                asked.append(row)
    overdue.sort(key=lambda row: (row.entry.due_on, row.entry.key))
    due.sort(key=lambda row: (row.entry.due_on, row.entry.key))
    asked.sort(key=lambda row: (row.entry.due_on, row.entry.key))
    audit.record(
        db, actor, "dashboard.read", details={"plans": len(mine), "overdue": len(overdue), "due": len(due)}
    )
    return Dashboard(today, week_ends, overdue, due, asked)


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
    kind: str
    """Its line in "Overdue by kind of step"."""


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
    timetables_overdue: list[TimetableOverdue]
    """Reduced timetables past a review or their planned end with no decision: overdue too."""
    figures: dict[Figure, list[Plan]]
    """Each figure's plans, in plan order: the dashboard's numbers are their lengths."""
    settings_of: dict[int, str]

    @property
    def issued_in_time_share(self) -> float | None:
        return self.issued_in_time / self.issued if self.issued else None

    @property
    def overdue_count(self) -> int:
        return len(self.overdue) + len(self.timetables_overdue)

    def overdue_plans(self, *, kind: str = "", setting: str = "") -> list[Plan]:
        """The plans one line of "Overdue by kind of step" or "by setting" counts (all if neither)."""
        chosen = {
            id_of(row.plan): row.plan
            for row in self.overdue
            if kind in {"", row.kind} and setting in {"", row.setting}
        }
        chosen |= {
            id_of(row.plan): row.plan
            for row in self.timetables_overdue
            if kind in {"", TIMETABLE_KIND} and setting in {"", self.settings_of[id_of(row.plan)]}
        }
        return [chosen[plan_id] for plan_id in sorted(chosen)]

    def overdue_of(self, plan: Plan) -> list[str]:
        """What is past its deadline on one plan, as the overdue list says it."""
        return [row.entry.label for row in self.overdue if row.plan.id == plan.id] + [
            row.what for row in self.timetables_overdue if row.plan.id == plan.id
        ]


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
                overdue.append(OverdueRow(entry, plan, setting_of(plan), _kind_name(entry)))
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
    late_timetables = timetables_overdue(db, plans, today)
    for row in late_timetables:
        by_kind[TIMETABLE_KIND] += 1
        by_setting[setting_of(row.plan)] += 1
    by_id = {id_of(plan): plan for plan in plans}
    figures = stage_figures(plans)
    figures[Figure.OVERDUE] = _in_order(
        by_id, {id_of(row.plan) for row in overdue} | {id_of(row.plan) for row in late_timetables}
    )
    figures[Figure.FINAL_AFTER_REQUEST] = _in_order(by_id, {step.plan_id for step in final_plans})
    figures[Figure.FINAL_IN_20_WEEKS] = _in_order(by_id, {step.plan_id for step in in_time})
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
        timetables_overdue=late_timetables,
        figures=figures,
        settings_of={id_of(plan): setting_of(plan) for plan in plans},
    )
    audit.record(
        db,
        actor,
        "la_dashboard.read",
        object_type="organisation",
        object_id=council.id,
        details={
            "plans": len(plans),
            "overdue": overview.overdue_count,
            "new_requests": len(new_requests),
        },
    )
    return overview


def _in_order(by_id: dict[int, Plan], ids: set[int]) -> list[Plan]:
    return [by_id[plan_id] for plan_id in sorted(ids) if plan_id in by_id]


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
