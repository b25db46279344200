"""The audit trail's pages: the LA audit officer's search and export, and a plan's own history."""

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import (
    FileResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)

from app.dependencies import ActorDep, CurrentPerson, CurrentPlan, SessionDep, SettingsDep, requires
from app.models.base import utc_now
from app.permissions import Permission
from app.rendering import render
from app.services.audit import actions as audit_actions
from app.services.audit import contributions as audit_contributions
from app.services.audit import csv_export
from app.services.audit import integrity as audit_integrity
from app.services.audit import search as audit_search
from app.services.audit import sentences as audit_sentences
from app.services.audit.search import AuditFilter, EventPage, FilterProblem
from app.services.plans.words import words_for_plan
from app.urls import Page, see_other

router = APIRouter()

Cursor = Annotated[int | None, Query(ge=1, le=2**62)]
"""A sequence number of the chain: `before=` for older events, `after=` for newer ones."""

PLAN_VIEWS = {"everything": None, "changes": "changes", "reads": "reads"}
"""What a plan's history page shows: everything, the changes only (the plan's history), or the reads."""


def _form_values(request: Request) -> dict[str, str]:
    # A NUL character matches nothing and PostgreSQL refuses it in a query: it is dropped.
    return {
        name: request.query_params.get(name, "")[:200].replace("\x00", "")
        for name in audit_search.FORM_FIELDS
    }


def _kept(values: dict[str, str], **more: int | str | None) -> dict[str, int | str]:
    """The filters given (one left empty is no filter)."""
    return {name: value for name, value in {**values, **more}.items() if value is not None and value != ""}


def _query(values: dict[str, str], **more: int | str | None) -> str:
    return urlencode(_kept(values, **more))


@router.get("/audit", dependencies=[requires(Permission.READ_AUDIT_TRAIL)])
def audit_trail(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    person: CurrentPerson,
    before: Cursor = None,
    after: Cursor = None,
) -> Response:
    values = _form_values(request)
    errors: dict[str, str] = {}
    try:
        filters = audit_search.filter_from_form(db, values)
        page = audit_search.la_events(db, actor, filters, before=before, after=after)
    except FilterProblem as problem:
        errors, page = problem.errors, EventPage([])
    council = audit_search.organisation_name(db, person.organisation_id)
    context = {
        "values": values,
        "errors": errors,
        "page": page,
        "council": council,
        "organisations": [(str(o.id), o.name) for o in audit_search.organisations(db)],
        "actions": audit_search.action_choices(),
        "action_label": audit_actions.label,
        "filtered": any(values.values()),
        "export_query": _query(values),
        "newer_query": _query(values, after=page.newer) if page.newer else None,
        "older_query": _query(values, before=page.older) if page.older else None,
    }
    return render(request, "pages/audit/index.html", context)


@router.get("/audit/contributions", dependencies=[requires(Permission.READ_AUDIT_TRAIL)])
def contributions(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    person: CurrentPerson,
    quiet: Annotated[str, Query(max_length=1)] = "",
    after: Annotated[int | None, Query(ge=0, le=2_147_483_647)] = None,
) -> Response:
    page = audit_contributions.contribution_page(db, actor, after=after, quiet_only=quiet == "1")
    context = {
        "page": page,
        "quiet": quiet == "1",
        "council": audit_search.organisation_name(db, person.organisation_id),
        "next_query": _query({"quiet": quiet}, after=page.next_after) if page.next_after else None,
    }
    return render(request, "pages/audit/contributions.html", context)


@router.get("/audit/export.csv", dependencies=[requires(Permission.READ_AUDIT_TRAIL)])
def export_audit_trail(request: Request, db: SessionDep, actor: ActorDep, person: CurrentPerson) -> Response:
    values = _form_values(request)
    try:
        filters = audit_search.filter_from_form(db, values)
    except FilterProblem:
        return see_other(request, Page.AUDIT, query=_kept(values))
    csv_export.start_export(db, actor, filters)
    name = f"oneplan-audit-{utc_now().date().isoformat()}.csv"
    return StreamingResponse(
        csv_export.export_csv(db, person.organisation_id, filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.get("/plans/{plan_id}/audit", name="plan_audit_page", dependencies=[requires(Permission.READ_PLANS)])
def plan_audit(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: CurrentPlan,
    show: Annotated[str, Query(max_length=20)] = "everything",
    before: Cursor = None,
    after: Cursor = None,
) -> Response:
    view = show if show in PLAN_VIEWS else "everything"
    filters = AuditFilter(action=PLAN_VIEWS[view])
    page = audit_search.plan_events(db, actor, access, filters, before=before, after=after)
    shown = {"show": view if view != "everything" else None}
    context = {
        "plan": access.plan,
        "child_name": audit_search.child_name(db, access.plan),
        "view": view,
        "sentences": audit_sentences.sentences(
            page, access.person, words_for_plan(db, access.plan).a_plan_name
        ),
        "newer_query": _query({}, **shown, after=page.newer) if page.newer else None,
        "older_query": _query({}, **shown, before=page.older) if page.older else None,
    }
    return render(request, "pages/audit/plan.html", context)


def _checkpoints_page(request: Request, settings: SettingsDep, context: dict[str, Any]) -> Response:
    key = audit_integrity.signing_key(settings).public_key()
    context |= {"public_key": audit_integrity.public_key_text(key), "key_id": audit_integrity.key_id(key)}
    return render(request, "pages/audit/checkpoints.html", context)


@router.get("/audit/checkpoints", dependencies=[requires(Permission.PUBLISH_CHECKPOINT)])
def checkpoints(request: Request, settings: SettingsDep) -> Response:
    return _checkpoints_page(
        request, settings, {"latest": audit_integrity.latest_checkpoint(settings), "made": None}
    )


@router.post("/audit/checkpoints", dependencies=[requires(Permission.PUBLISH_CHECKPOINT)])
def publish_checkpoint(request: Request, db: SessionDep, settings: SettingsDep, actor: ActorDep) -> Response:
    made = audit_integrity.publish_checkpoint(db, settings, actor)
    return _checkpoints_page(request, settings, {"latest": made.checkpoint, "made": made})


@router.get("/audit/checkpoints/latest", dependencies=[requires(Permission.PUBLISH_CHECKPOINT)])
def download_checkpoint(db: SessionDep, settings: SettingsDep, actor: ActorDep) -> Response:
    latest = audit_integrity.download_latest_checkpoint(db, settings, actor)
    if latest is None:
        raise HTTPException(404, "No checkpoint has been published yet")
    return FileResponse(latest.source, media_type="application/json", filename=Path(latest.source).name)


@router.get("/audit/checkpoints/public-key", dependencies=[requires(Permission.PUBLISH_CHECKPOINT)])
def checkpoint_public_key(settings: SettingsDep) -> Response:
    key = audit_integrity.signing_key(settings).public_key()
    text = f"ed25519 {audit_integrity.public_key_text(key)} (key id {audit_integrity.key_id(key)})\n"
    headers = {"Content-Disposition": 'attachment; filename="oneplan-audit-public-key.txt"'}
    return PlainTextResponse(text, headers=headers)
