"""Plan quality pages: flags as provision is typed, differences of opinion, and the LA's figures.

The plan page shows the quality panel and each item's flags (app.services.quality.panel); flags never
stop a draft being saved.
"""

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPerson, CurrentPlan, SessionDep, requires
from app.forms.quality import DifferenceForm
from app.models import ItemContent, ProvisionFrequency, ProvisionUnit
from app.models.base import id_of
from app.permissions import PLAN_SECTIONS, Permission, PlanAccess
from app.rendering import render
from app.routers.pages.inputs import FormValues
from app.services.plans import history, members
from app.services.plans.content import plan_items
from app.services.plans.items import ContentProblem
from app.services.plans.plans import SECTION_TITLES
from app.services.plans.words import plan_words
from app.services.quality import differences
from app.services.quality.local_authority import la_quality
from app.services.quality.rules import provision_flags
from app.urls import Page, see_other

router = APIRouter()


# Flags as provision is typed ------------------------------------------------------------------------


def _typed_provision(form: dict[str, str]) -> ItemContent:
    """The provision as typed so far; what cannot be read yet counts as not given."""
    try:
        amount: float | None = float(form.get("amount", "").strip())
    except ValueError:
        amount = None
    organisation = form.get("delivered_by_organisation_id", "")
    return ItemContent.model_construct(
        text=form.get("text", "")[:10000],
        delivered_by=form.get("delivered_by", "")[:200] or None,
        delivered_by_organisation_id=int(organisation) if organisation.isdigit() else None,
        amount=amount if amount is not None and amount > 0 else None,
        unit=next((unit for unit in ProvisionUnit if unit.value == form.get("unit")), None),
        frequency=next((often for often in ProvisionFrequency if often.value == form.get("frequency")), None),
        deliverer_role=form.get("deliverer_role", "")[:100] or None,
        expertise=form.get("expertise", "")[:200] or None,
    )


@router.post("/plans/{plan_id}/quality/check", dependencies=[requires(Permission.CONTRIBUTE)])
def check_provision(request: Request, access: CurrentPlan, form: FormValues) -> Response:
    """The flags and advice for provision as it is being typed (htmx); nothing is saved or read."""
    content = _typed_provision(form)
    context = {
        "plan": access.plan,
        "flags": provision_flags(content) if content.text.strip() else [],
        "typed": bool(content.text.strip()),
        "live_id": form.get("live_id", "provision-quality")[:80],
    }
    return render(request, "partials/quality/_live_flags.html", context)


# Differences of opinion -----------------------------------------------------------------------------


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[:length].rstrip() + "…"


def _difference_page(
    request: Request,
    db: Session,
    access: PlanAccess,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    plan = access.plan
    titles = SECTION_TITLES[plan.kind]
    parts = [(f"section:{section.value}", title) for section, title in titles.items()]
    parts += [
        (f"item:{id_of(entry.item)}", f"{titles[entry.item.section]}: {_short(entry.revision.text)}")
        for entry in plan_items(db, access)
    ]
    holders = [
        (str(membership.person.id), membership.person.display_name)
        for membership in members.members(db, access)
    ]
    reviews = [
        (str(review.id), f"Review on {review.held_on:%-d %B %Y}") for review in history.reviews(db, access)
    ]
    context = {
        "plan": plan,
        "parts": parts,
        "holders": holders,
        "reviews": reviews,
        "values": values,
        "errors": errors,
    }
    return render(request, "pages/quality/difference_new.html", context)


@router.get("/plans/{plan_id}/differences/new", dependencies=[requires(Permission.CONTRIBUTE)])
def new_difference_page(request: Request, db: SessionDep, access: CurrentPlan) -> Response:
    return _difference_page(request, db, access, {}, {})


@router.post(
    "/plans/{plan_id}/differences",
    name="record_difference_form",
    dependencies=[requires(Permission.CONTRIBUTE)],
)
def record_difference(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    typed, errors = DifferenceForm.read(form, context={"sections": PLAN_SECTIONS[access.plan.kind]})
    if typed is not None:
        try:
            new = differences.NewDifference(
                about=typed.about,
                section=typed.part.section,
                item_id=typed.part.item_id,
                review_id=typed.review_id,
                views=[
                    differences.NewView(holder_id=holder_id, holder_name=holder_name, view=view)
                    for holder_id, holder_name, view in typed.views()
                ],
            )
            difference = differences.record_difference(db, actor, access, new)
        except (ContentProblem, ValidationError) as problem:
            errors = DifferenceForm.problem_errors(problem)
        else:
            return see_other(
                request, Page.PLAN, plan_id=id_of(access.plan), fragment=f"difference-{difference.id}"
            )
    return _difference_page(request, db, access, DifferenceForm.shown(form), errors)


# The local authority's figures ----------------------------------------------------------------------


@router.get("/la/quality", dependencies=[requires(Permission.READ_LA_OVERVIEW)])
def la_quality_page(request: Request, db: SessionDep, actor: ActorDep, person: CurrentPerson) -> Response:
    figures = la_quality(db, actor, person)
    words = plan_words(db, person.organisation_id)  # the council's name for the ISP
    return render(request, "pages/quality/la.html", {"figures": figures, "plan_words": words})
