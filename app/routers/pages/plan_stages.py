"""A plan's stage, reviews, versions and what changed: the coordinator moves the plan on, everyone reads."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from app.clock import UK_TIME, uk_today
from app.dependencies import ActorDep, CurrentPlan, SessionDep, SettingsDep, requires
from app.forms import date_boxes
from app.forms.plan_stages import ChangesForm, ReviewForm, StepForm
from app.models import (
    CYCLE_STAGE_LABELS,
    SETTING_KINDS,
    Child,
    CycleStage,
    PlanKind,
    PlanStatus,
    PlanVersion,
    Section,
)
from app.permissions import Permission, PlanAccess, may_coordinate
from app.rendering import render
from app.routers.pages.inputs import FormValues
from app.services.plans import changes, history, lifecycle
from app.services.plans.access import refuse
from app.services.plans.changes import ItemChange
from app.services.plans.lifecycle import CONSULTATION_DAYS, STEP_LABELS, Step
from app.services.plans.plans import SECTION_TITLES, PlanProblem, organisations_by_id, people_by_id
from app.services.quality.issue import unquantified_count
from app.urls import Page, see_other

router = APIRouter(prefix="/plans/{plan_id}")

CURRENT = "current"
ORGANISATION_PARTICULAR = changes.PARTICULAR_LABELS["delivered_by_organisation_id"]


def _plan_context(db: Session, access: PlanAccess) -> dict[str, Any]:
    return {
        "plan": access.plan,
        "child": db.get(Child, access.plan.child_id),
        "coordinating": may_coordinate(access),
    }


# The plan's stage ----------------------------------------------------------------------------------

STAGE_ORDER = tuple(CycleStage)
DONE_STEPS = {step.value: step for step in Step}


def _stage_page(
    request: Request,
    db: Session,
    access: PlanAccess,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    done: Step | None = None,
) -> Response:
    plan = access.plan
    frozen = history.versions(db, access)
    earliest = uk_today() + timedelta(days=CONSULTATION_DAYS)
    offered = lifecycle.next_steps(access)
    issuable_from = lifecycle.issuable_from(plan) if may_coordinate(access) else None
    context = {
        **_plan_context(db, access),
        "steps": [(step.value, STEP_LABELS[step]) for step in offered],
        "offered": [step.value for step in offered],
        "opens_on": lifecycle.issuable_from(plan),
        "issuable_from": issuable_from if issuable_from and Step.ISSUE not in offered else None,
        "told": [one.described for one in lifecycle.family_to_tell(db, access)]
        if done is Step.SEND_FOR_CONSULTATION
        else [],
        "stages": [
            (stage.value, CYCLE_STAGE_LABELS[stage]) for stage in STAGE_ORDER if stage is not plan.cycle_stage
        ],
        "stage_order": STAGE_ORDER,
        "latest_version": frozen[-1] if frozen else None,
        "earliest_comments_until": earliest,
        "consultation_days": CONSULTATION_DAYS,
        "ended": plan.status in {PlanStatus.CEASED, PlanStatus.CLOSED},
        "errors": errors or {},
        "values": values or {},
        "done": done,
        "unquantified": unquantified_count(db, access) if Step.ISSUE in offered else 0,
    }
    return render(request, "pages/plans/stage.html", context)


@router.get("/stage", dependencies=[requires(Permission.READ_PLANS)])
def stage_page(
    request: Request, db: SessionDep, access: CurrentPlan, done: Annotated[str, Query(max_length=40)] = ""
) -> Response:
    return _stage_page(request, db, access, done=DONE_STEPS.get(done))


@router.post("/stage", name="take_step_form", dependencies=[requires(Permission.COORDINATE)])
def take_step(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: CurrentPlan,
    form: FormValues,
    settings: SettingsDep,
) -> Response:
    """A step the plan's state does not allow now is refused here, beside what was typed, not on an
    error page."""
    if not may_coordinate(access):
        refuse(access, "Only the plan's coordinator can change its stage.", action="plan.step_refused")
    typed, errors = StepForm.read(form)
    if typed is not None:
        step_request = lifecycle.StepRequest(
            step=typed.step,
            reason=typed.reason or None,
            comments_until=typed.comments_until,
            stage=typed.stage,
        )
        try:
            _told, not_now = lifecycle.try_step(db, actor, access, step_request, settings=settings)
        except PlanProblem as problem:
            errors = StepForm.problem_errors(problem)
        else:
            if not_now is None:
                return see_other(
                    request, Page.STAGE, plan_id=access.plan.id, query={"done": typed.step.value}
                )
            errors = {_refusal_target(db, access, typed.step): not_now}
    return _stage_page(request, db, access, errors=errors, values=StepForm.shown(form))


def _refusal_target(db: Session, access: PlanAccess, step: Step) -> str:
    """Where the error summary links: the reason asked for, the step's own part of the page, or where
    the plan is."""
    offered = step in lifecycle.next_steps(access)
    if offered and step is Step.ISSUE and unquantified_count(db, access):
        return "issue-reason"
    shown = offered or (step is Step.ISSUE and lifecycle.issuable_from(access.plan) is not None)
    return f"step-{step.value}" if shown else "plan-stage"


# Reviews ------------------------------------------------------------------------------------------


def _review_page(
    request: Request,
    db: Session,
    access: PlanAccess,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    context = {
        **_plan_context(db, access),
        "ended": access.plan.status in {PlanStatus.CEASED, PlanStatus.CLOSED},
        "sen_support": access.plan.kind in SETTING_KINDS,
        "open_review": lifecycle.open_review(db, access),
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "pages/plans/review_new.html", context)


def _must_coordinate(access: PlanAccess) -> None:
    if not may_coordinate(access):
        refuse(access, "Only the plan's coordinator records reviews.", action="review.refused")


@router.get("/reviews/new", dependencies=[requires(Permission.COORDINATE)])
def new_review_page(request: Request, db: SessionDep, access: CurrentPlan) -> Response:
    _must_coordinate(access)
    return _review_page(request, db, access)


@router.post("/reviews", name="record_review_form", dependencies=[requires(Permission.COORDINATE)])
def record_review(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    _must_coordinate(access)
    typed, errors = ReviewForm.read(form)
    if typed is not None:
        review = lifecycle.NewReview(
            held_on=typed.held_on,
            participants=typed.participants,
            what_worked=typed.what_worked,
            what_changes=typed.what_changes,
        )
        try:
            recorded = lifecycle.record_review(db, actor, access, review)
        except PlanProblem as problem:
            errors = ReviewForm.problem_errors(problem)
        else:
            return see_other(request, Page.REVIEW, plan_id=access.plan.id, review_id=recorded.id)
    return _review_page(request, db, access, errors=errors, values=ReviewForm.shown(form))


# Versions and what changed -------------------------------------------------------------------------


def _version_choices(frozen: list[PlanVersion], *, with_current: bool) -> list[tuple[str, str]]:
    choices = [(str(version.number), f"Version {version.number}") for version in frozen]
    if with_current:
        choices.append((CURRENT, "The plan as it is now"))
    return choices


@router.get("/versions", dependencies=[requires(Permission.READ_PLANS)])
def versions_page(request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan) -> Response:
    kept = lifecycle.read_versions(db, actor, access)
    frozen = kept.versions
    context = {
        **_plan_context(db, access),
        "versions": list(reversed(frozen)),
        "people": kept.people,
        "current_is_frozen": access.plan.status is PlanStatus.ISSUED
        and any(version.number == access.plan.version for version in frozen),
        "from_choices": _version_choices(frozen, with_current=False),
        "to_choices": _version_choices(frozen, with_current=True),
        "default_from": str(frozen[-1].number) if frozen else "",
    }
    return render(request, "pages/plans/versions.html", context)


Particulars = list[tuple[str, str, str]]


@dataclass(frozen=True)
class ShownChange:
    change: ItemChange
    particulars: Particulars
    """The particulars that differ, naming the organisation that delivers provision (not its number)."""


@dataclass(frozen=True)
class SectionChanges:
    section: Section
    title: str
    changes: list[ShownChange]


def _by_section(db: Session, access: PlanAccess, found: list[ItemChange]) -> list[SectionChanges]:
    """The changes under their sections, in the order the plan page shows the sections."""
    titles = SECTION_TITLES[access.plan.kind]
    order = list(titles)
    names = _organisation_names(db, found)
    grouped: dict[Section, list[ShownChange]] = defaultdict(list)
    for change in found:
        particulars = [
            (label, names.get(before, before), names.get(after, after))
            if label == ORGANISATION_PARTICULAR
            else (label, before, after)
            for label, before, after in change.particulars
        ]
        grouped[change.item.section].append(ShownChange(change, particulars))
    sections = sorted(grouped, key=lambda section: order.index(section) if section in order else len(order))
    result = []
    for section in sections:
        title = titles.get(section, f"Section {section.value}")
        if access.plan.kind is PlanKind.EHC:
            title = f"Section {section.value}: {title}"
        result.append(SectionChanges(section, title, grouped[section]))
    return result


def _organisation_names(db: Session, found: list[ItemChange]) -> dict[str, str]:
    """The organisations named in changed particulars, by the id the particulars show (one query)."""
    ids: set[int | None] = {
        int(value)
        for change in found
        for label, before, after in change.particulars
        if label == ORGANISATION_PARTICULAR
        for value in (before, after)
        if value.isdigit()
    }
    return {str(key): organisation.name for key, organisation in organisations_by_id(db, ids).items()}


def _version_number(value: str, field: str) -> int:
    if not value.isdigit() or int(value) > 2_147_483_647:
        raise PlanProblem(field, "Select a version of this plan")
    return int(value)


@router.get("/changes", dependencies=[requires(Permission.READ_PLANS)])
def changes_page(request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan) -> Response:
    """What changed since a day (from its start, UK time), or from one version to another or to now."""
    frozen = history.versions(db, access)
    asked = request.query_params
    typed, errors = ChangesForm.read(asked)
    values = ChangesForm.shown(asked)
    by_date = any(values[name].strip() for name in ("since-day", "since-month", "since-year")) or bool(
        asked.get("since", "").strip()
    )
    from_version, to_version = (typed.from_version, typed.to_version) if typed else ("", "")
    by_version = typed is not None and not by_date and bool(from_version or to_version or frozen)
    chosen_from = from_version or (str(frozen[-1].number) if frozen else "")
    chosen_to = to_version or CURRENT
    heading = label = ""
    found: list[ItemChange] | None = None
    try:
        if typed is not None and typed.since is not None:
            day = typed.since
            values |= date_boxes("since", day)
            moment = datetime.combine(day, time(0), tzinfo=UK_TIME).astimezone(UTC)
            before, after = changes.state_at(db, access, moment), changes.current_state(db, access)
            heading, label = f"since {day.day} {day:%B %Y}", f"since {day.isoformat()}"
        elif by_version:
            first = _version_number(chosen_from, "from_version")
            last = None if chosen_to == CURRENT else _version_number(chosen_to, "to_version")
            if last is not None and first >= last:
                raise PlanProblem("from_version", "Select a version earlier than the one you compare it with")
            try:
                before = changes.version_state(db, access, first)
            except PlanProblem as problem:
                raise PlanProblem("from_version", str(problem)) from None
            try:
                after = (
                    changes.current_state(db, access)
                    if last is None
                    else changes.version_state(db, access, last)
                )
            except PlanProblem as problem:
                raise PlanProblem("to_version", str(problem)) from None
            to_words = "the plan as it is now" if last is None else f"version {last}"
            heading, label = f"from version {first} to {to_words}", f"version {first} to {last or CURRENT}"
        if heading:
            found = changes.compare(db, actor, access, before, after, label=label)
    except PlanProblem as problem:
        errors = ChangesForm.problem_errors(problem)
    context = {
        **_plan_context(db, access),
        "errors": errors,
        "values": values | {"from_version": chosen_from, "to_version": chosen_to},
        "from_choices": _version_choices(frozen, with_current=False),
        "to_choices": _version_choices(frozen, with_current=True),
        "compared": heading,
        "found": found,
        "sections": _by_section(db, access, found or []),
        "people": people_by_id(db, {change.after.author_id for change in found or []}),
    }
    return render(request, "pages/plans/changes.html", context)
