"""Experts at Hand pages: a setting asks a service, the service replies into the plan; council figures."""

from datetime import timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.clock import uk_today as today
from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.forms import date_boxes
from app.forms.experts import AskForm, ReplyForm
from app.models import (
    FREQUENCY_LABELS,
    REPLY_KIND_LABELS,
    REQUEST_KIND_LABELS,
    SPECIALISM_LABELS,
    Child,
    ProvisionUnit,
)
from app.permissions import Permission, PlanAccess, may_ask_experts, may_give_place
from app.rendering import render
from app.routers.pages.inputs import FormValues
from app.services.experts import report, requests
from app.services.plans.items import ContentProblem
from app.urls import Page, see_other

router = APIRouter()
LABELS = {
    "kind": REQUEST_KIND_LABELS,
    "reply": REPLY_KIND_LABELS,
    "specialism": SPECIALISM_LABELS,
}
CHOICES = {
    "kind": [(kind.value, label) for kind, label in REQUEST_KIND_LABELS.items()],
    "reply": [(kind.value, label) for kind, label in REPLY_KIND_LABELS.items()],
    "unit": [(unit.value, unit.value.capitalize()) for unit in ProvisionUnit],
    "frequency": [(frequency.value, label.capitalize()) for frequency, label in FREQUENCY_LABELS.items()],
}
WEEKS_TO_REPLY = 6


@router.get("/plans/{plan_id}/experts", dependencies=[requires(Permission.READ_PLANS)])
def plan_experts_page(request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan) -> Response:
    context = {
        "plan": access.plan,
        "child": db.get(Child, access.plan.child_id),
        "rows": requests.requests_of_plan(db, actor, access),
        "may_ask": may_ask_experts(access),
        "may_place": may_give_place(access),
        "today": today(),
        "labels": LABELS,
    }
    return render(request, "pages/experts/plan.html", context)


def _ask_form(
    request: Request, db: SessionDep, access: PlanAccess, errors: dict[str, str], values: dict[str, str]
) -> Response:
    requests.check_may_ask(access)
    choices = requests.services_of(db, access.plan.local_authority_id)
    context = {
        "plan": access.plan,
        "child": db.get(Child, access.plan.child_id),
        "errors": errors,
        "values": values,
        "services": [
            (
                str(choice.service.id),
                f"{choice.organisation.name} ({SPECIALISM_LABELS[choice.service.specialism]})",
            )
            for choice in choices
        ],
        "labels": LABELS,
        "choices": CHOICES,
    }
    return render(request, "pages/experts/ask.html", context)


@router.get("/plans/{plan_id}/experts/new", dependencies=[requires(Permission.CONTRIBUTE)])
def ask_expert_page(request: Request, db: SessionDep, access: CurrentPlan) -> Response:
    return _ask_form(request, db, access, {}, date_boxes("due_on", today() + timedelta(weeks=WEEKS_TO_REPLY)))


@router.post(
    "/plans/{plan_id}/experts", name="ask_expert_form", dependencies=[requires(Permission.CONTRIBUTE)]
)
def ask_expert(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    access: CurrentPlan,
    form: FormValues,
) -> Response:
    typed, errors = AskForm.read(form)
    if typed is not None:
        try:
            requests.ask(
                db,
                settings,
                actor,
                access,
                requests.NewExpertRequest(
                    service_id=typed.service_id, kind=typed.kind, question=typed.question, due_on=typed.due_on
                ),
            )
        except ContentProblem as problem:
            errors = AskForm.problem_errors(problem)
        else:
            return see_other(request, Page.PLAN_EXPERTS, plan_id=access.plan.id)
    return _ask_form(request, db, access, errors, AskForm.shown(form))


def _reply_form(
    request: Request, row: requests.RequestRow, errors: dict[str, str], values: dict[str, str]
) -> Response:
    context = {"row": row, "errors": errors, "values": values, "labels": LABELS, "choices": CHOICES}
    return render(request, "pages/experts/reply.html", context)


@router.get("/experts/requests/{request_id}", dependencies=[requires(Permission.CONTRIBUTE)])
def expert_request_page(request: Request, db: SessionDep, actor: ActorDep, request_id: RowId) -> Response:
    row = requests.request_to_answer(db, actor, request_id)
    return _reply_form(request, row, {}, {})


@router.post(
    "/experts/requests/{request_id}", name="expert_reply_form", dependencies=[requires(Permission.CONTRIBUTE)]
)
def reply_to_expert_request(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    request_id: RowId,
    form: FormValues,
) -> Response:
    row = requests.request_to_answer(db, actor, request_id, reading=False)
    typed, errors = ReplyForm.read(form)
    if typed is not None:
        try:
            requests.reply(
                db,
                settings,
                actor,
                row,
                requests.ExpertReply(
                    reply_kind=typed.reply_kind,
                    text=typed.text,
                    amount=typed.amount,
                    unit=typed.unit,
                    frequency=typed.frequency,
                    session_minutes=typed.session_minutes,
                    location=typed.location or None,
                    starts_on=today(),
                ),
            )
        except ContentProblem as problem:
            errors = ReplyForm.problem_errors(problem)
        else:
            return see_other(request, Page.DASHBOARD)
    return _reply_form(request, row, errors, ReplyForm.shown(form))


@router.get("/la/experts", dependencies=[requires(Permission.READ_LA_OVERVIEW)])
def la_experts_page(request: Request, db: SessionDep, actor: ActorDep) -> Response:
    return render(request, "pages/experts/la.html", {"figures": report.council_report(db, actor)})
