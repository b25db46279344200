"""The plans a person may see, starting a plan, and the plan page: the whole plan on one page."""

from typing import cast

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPerson, CurrentPlan, RowId, SessionDep, requires
from app.forms.plans import NewPlanForm
from app.models import (
    FAMILY_MEMBER_ROLES,
    PROGRESS_RATING_LABELS,
    SECTION_KIND,
    ItemKind,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    PlanKind,
    SupportLayer,
)
from app.models.base import id_of
from app.models.seen import PlanSeen
from app.page_cache import for_reader, page_cache
from app.permissions import (
    Permission,
    PlanAccess,
    may_coordinate,
    may_raise_concern,
    may_see_concerns,
    role_may,
)
from app.rendering import render, render_part
from app.routers.pages.inputs import FormValues, is_htmx, section_in_path
from app.services import sencos
from app.services.concerns import concerns
from app.services.delivery import overview as delivery_overview
from app.services.delivery.changes import endings_of
from app.services.lists import setting as setting_list
from app.services.plans import attention, content, plans, progress, seen, support
from app.services.plans.access import open_plan
from app.services.plans.links import link_ends
from app.services.plans.plans import SECTION_TITLES
from app.services.plans.words import PlanWords, plan_words, words_for_plan
from app.services.quality import differences
from app.services.quality import panel as quality_panel
from app.services.quality.report import outline_quality
from app.services.timelines import timelines
from app.services.timelines.reading import Timeline
from app.services.voices import views
from app.templating import Shown
from app.urls import Page, see_other

router = APIRouter()

PLAN_STARTERS: dict[PersonRole, tuple[PlanKind, ...]] = {
    PersonRole.EDUCATION: (PlanKind.SEN_SUPPORT, PlanKind.ISP),
    PersonRole.LA_CASE_OFFICER: (PlanKind.EHC,),
}
"""Which kinds of plan each role starts (the form offers only those; the service decides)."""


def _kinds(db: Session, person: Person) -> tuple[PlanKind, ...]:
    """The kinds this person may start: an ISP only for the school's designated SENCo."""
    kinds = PLAN_STARTERS.get(person.role, ())
    if PlanKind.ISP in kinds and not setting_list.led_setting(db, person):
        kinds = tuple(kind for kind in kinds if kind is not PlanKind.ISP)
    return kinds


@router.get("/plans", dependencies=[requires(Permission.READ_PLANS)])
def plans_page(request: Request, db: SessionDep, actor: ActorDep, person: CurrentPerson) -> Response:
    summaries = plans.visible_plans(db, actor)
    isp = next((summary.plan for summary in summaries if summary.plan.kind is PlanKind.ISP), None)
    context = {
        "summaries": summaries,
        "plan_words": words_for_plan(db, isp) if isp is not None else None,
        "parts": plans.own_memberships(db, person),
        "organisations": plans.organisations_by_id(db, {summary.plan.setting_id for summary in summaries}),
        "may_start": role_may(person, Permission.CREATE_PLAN),
        "led_setting": setting_list.led_setting(db, person),
    }
    return render(request, "pages/plans/index.html", context)


def _new_plan_form(
    request: Request,
    db: SessionDep,
    person: Person,
    errors: dict[str, str],
    values: dict[str, str],
) -> Response:
    kinds = _kinds(db, person)
    schools = (
        plans.local_organisations(db, person.organisation_id, {OrganisationKind.SCHOOL})
        if PlanKind.EHC in kinds and person.organisation_id is not None
        else []
    )
    school = db.get(Organisation, person.organisation_id) if person.organisation_id else None
    words = plan_words(db, school.local_authority_id if school else None)
    context = {
        "errors": errors,
        "values": values,
        "kinds": [(kind.value, words.kind_name(kind)) for kind in kinds],
        "starts_isp": PlanKind.ISP in kinds,
        "names_school": PlanKind.EHC in kinds,
        "plan_words": words,
        "schools": [(str(school.id), school.name) for school in schools],
        "layer_items": [
            {
                "value": layer.value,
                "text": words.layer_name(layer),
                "checked": values.get("layer") == layer.value,
            }
            for layer in SupportLayer
        ],
        "duty_holders": [
            (str(staff.person.id), staff.person.display_name)
            for staff in (
                sencos.staff_of(db, person, id_of(school)) if PlanKind.ISP in kinds and school else []
            )
        ],
    }
    return render(request, "pages/plans/new.html", context)


@router.get("/plans/new", dependencies=[requires(Permission.CREATE_PLAN)])
def new_plan_page(request: Request, db: SessionDep, person: CurrentPerson) -> Response:
    return _new_plan_form(request, db, person, {}, {"duty_holder_id": str(person.id)})


@router.post("/plans/new", name="create_plan_form", dependencies=[requires(Permission.CREATE_PLAN)])
def create_plan(
    request: Request, db: SessionDep, actor: ActorDep, person: CurrentPerson, form: FormValues
) -> Response:
    typed, errors = NewPlanForm.read(form, context={"kinds": _kinds(db, person)})
    if typed is not None:
        new = plans.NewPlan(
            kind=typed.kind,
            child_full_name=typed.child_full_name,
            child_preferred_name=typed.child_preferred_name or None,
            child_date_of_birth=typed.child_date_of_birth,
            child_school_year=typed.child_school_year,
            setting_id=typed.setting_id,
            layer=typed.layer if typed.kind is PlanKind.ISP else None,
            duty_holder_id=typed.duty_holder_id if typed.kind is PlanKind.ISP else None,
            next_review_on=typed.next_review_on if typed.kind is PlanKind.ISP else None,
        )
        try:
            plan = plans.create_plan(db, actor, new)
        except plans.PlanProblem as problem:
            errors = NewPlanForm.problem_errors(problem)
        else:
            return see_other(request, Page.PLAN, plan_id=id_of(plan))
    return _new_plan_form(request, db, person, errors, NewPlanForm.shown(form))


@router.get("/plans/{plan_id}", dependencies=[requires(Permission.READ_PLANS)])
def plan_page(request: Request, db: SessionDep, actor: ActorDep, plan_id: RowId) -> Response:
    """The plan's outline: who and where, what needs attention, and its sections counted, not read.

    The plan is found here, not by `CurrentPlan`: with how far the reader last read it and its
    council's words, in one query, and without a hop to the thread pool of its own (the most read
    page of the service).
    """
    access, mark, words = open_plan(db, actor, plan_id)
    content.record_plan_read(db, actor, access)
    request.state.plan_words = words
    kept_under = for_reader("plan outline", access, mark.seen_at if mark else None, words)
    title, outline = page_cache(request).part(kept_under, lambda: _outline(request, db, access, mark, words))
    seen.mark_seen(db, access, mark)
    return render(request, "pages/plans/plan.html", {"page_title": title, "outline": outline})


def _outline(
    request: Request, db: Session, access: PlanAccess, mark: PlanSeen | None, words: PlanWords
) -> tuple[str, Shown]:
    """The page's title and the outline below it, kept together (app.page_cache)."""
    outline = content.load_outline(db, access)
    links = link_ends(db, id_of(access.plan))
    coordinator = next(
        (membership.person for membership in outline.members if membership.member.is_coordinator), None
    )
    timeline_panel = timelines.plan_panel(db, access)
    delivery = delivery_overview.plan_panel(db, request.app.state.settings, access, outline.people)
    quality = quality_panel.outline_context(db, access, outline, links)
    voices = views.voices_summary(db, access, outline.heads, links)
    concerns_panel = concerns.panel(db, access)
    facts = attention.Facts(
        cast(Timeline | None, timeline_panel["timeline"]),
        delivery,
        quality["quality"],
        quality["differences"],
        voices,
        outline.heads,
        outline.people,
        outline.child,
        SECTION_TITLES[access.plan.kind],
        concerns=concerns_panel,
    )
    context = {
        "plan": access.plan,
        "content": outline,
        "child": outline.child,
        "coordinator": coordinator,
        "people": outline.people,
        "organisations": outline.organisations,
        "may_coordinate": may_coordinate(access),
        "can_comment": outline.may_comment,
        "is_family": access.member_role in FAMILY_MEMBER_ROLES,
        **timeline_panel,
        "delivery": delivery,
        **quality,
        "voices": voices,
        "concerns": concerns_panel,
        "may_see_concerns": may_see_concerns(access),
        "may_raise_concern": may_raise_concern(access),
        "titles": facts.titles,
        "attention": attention.for_reader(db, access, facts),
        "news": seen.plan_news(db, access, mark, {head.id for head in outline.heads}, facts.timeline),
        "progress": progress.outcome_progress(db, access),
        "rating_labels": {rating.value: label for rating, label in PROGRESS_RATING_LABELS.items()},
        "plan_words": words,
        "support": support.outline_panel(db, access),
    }
    title = f"{outline.child.full_name}: {words.kind_name(access.plan.kind)}"
    return title, Shown(render_part("partials/plans/_outline.html", context))  # nosec B704 # autoescaped


@router.get("/plans/{plan_id}/sections/{section}", dependencies=[requires(Permission.READ_PLANS)])
def section_page(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, section: str
) -> Response:
    """One section: each item on one line with its flags, opened for its words, links and comments."""
    found = section_in_path(access, section)
    page = content.load_section(db, actor, access, found)
    heads = content.item_heads(db, access)
    links = link_ends(db, id_of(access.plan))
    report = outline_quality(db, id_of(access.plan), {head.id: head.kind for head in heads}, links)
    evidence, others = views.section_evidence(db, access, page.content.items, links)
    people = page.people | plans.people_by_id(db, {entry.item.voice_id for entry in others})
    counted: dict[str, int] = {}
    for head in heads:
        counted[head.section.value] = counted.get(head.section.value, 0) + 1
    context = {
        "plan": access.plan,
        "page": page,
        "content": page,
        "section": page.content,
        "people": people,
        "organisations": page.organisations,
        "can_comment": page.may_comment,
        "section_kinds": SECTION_KIND,
        "is_family": access.member_role in FAMILY_MEMBER_ROLES,
        "quality": report,
        "differences": differences.differences(db, id_of(access.plan)),
        "evidence": evidence,
        "ended_ids": set(endings_of(db, id_of(access.plan)))
        if SECTION_KIND[found] is ItemKind.PROVISION
        else set(),
        "titles": SECTION_TITLES[access.plan.kind],
        "counted": counted,
        "section_flags": quality_panel.section_flags(report, {head.id: head.section.value for head in heads}),
    }
    fragment = is_htmx(request)
    context["fragment"] = fragment
    return render(request, "pages/plans/section.html", context, block_name="section" if fragment else None)


@router.get("/plans/{plan_id}/quality", dependencies=[requires(Permission.READ_PLANS)])
def quality_page(request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan) -> Response:
    """Every check of the plan, need by need, and the differences of opinion (read as the whole plan)."""
    plan_content = content.load_plan(db, actor, access)
    context = {
        "plan": access.plan,
        "child": plan_content.child,
        "people": plan_content.people,
        **quality_panel.quality_context(db, access, plan_content),
    }
    return render(request, "pages/plans/quality.html", context)
