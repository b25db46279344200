"""Advice where it is asked for: the adviser opens the request (from their dashboard or the timeline),
writes the advice with any files and returns it in one post; the files are served to the plan's members."""

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.forms.timelines import WrittenAdviceForm
from app.models.timeline import AdviceRequest
from app.permissions import Permission, PlanAccess, may_record_return
from app.rendering import render
from app.services.plans.plans import PlanProblem
from app.services.timelines import advice_files, timelines
from app.services.timelines.advice_files import Upload
from app.services.timelines.labels import LABELS
from app.urls import Page, see_other

router = APIRouter()

LARGER_BODIES = {re.compile(r"/plans/\d+/advice-requests/\d+/advice"): advice_files.REQUEST_BYTES}
"""The one post allowed more than the service's request limit (for app.main's body limit): five files."""

FILE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def _advice_page(
    request: Request,
    db: Session,
    access: PlanAccess,
    advice: AdviceRequest,
    errors: dict[str, str],
    values: dict[str, str],
) -> Response:
    timeline = timelines.plan_timeline(db, access)
    entry = next(
        entry for entry in timeline.entries if entry.advice is not None and entry.advice.id == advice.id
    )
    written = timelines.advice_written(db, access, advice)
    context = {
        "plan": access.plan,
        "child": timeline.child,
        "entry": entry,
        "advice": advice,
        "asked": timeline.people.get(advice.person_id or 0),
        "organisation": timeline.organisations.get(advice.organisation_id),
        "written": written,
        "may_return": advice.returned_on is None and may_record_return(access, advice),
        "max_files": advice_files.MAX_FILES,
        "max_file_bytes": advice_files.MAX_BYTES,
        "too_big": advice_files.TOO_BIG,
        "too_many": advice_files.TOO_MANY,
        "labels": LABELS,
        "errors": errors,
        "values": values,
    }
    return render(request, "pages/timelines/advice.html", context)


@router.get(
    "/plans/{plan_id}/advice-requests/{advice_id}",
    name="advice_page",
    dependencies=[requires(Permission.READ_PLANS)],
)
def advice_page(request: Request, db: SessionDep, access: CurrentPlan, advice_id: RowId) -> Response:
    advice = timelines.plan_advice(db, access, advice_id)
    return _advice_page(request, db, access, advice, {}, {})


@dataclass(frozen=True)
class Posted:
    values: dict[str, str]
    uploads: list[Upload]


async def _posted(request: Request) -> Posted:
    """Read the advice and its files on the event loop (each up to one byte over the limit)."""
    form = await request.form()
    values = {name: str(form.get(name, ""))[:20000] for name in WrittenAdviceForm.html_names()}
    uploads: list[Upload] = []
    for chosen in form.getlist("attachments")[: advice_files.MAX_FILES + 1]:
        if isinstance(chosen, UploadFile) and chosen.filename:
            uploads.append(Upload(chosen.filename, await chosen.read(advice_files.MAX_BYTES + 1)))
    await form.close()
    return Posted(values, uploads)


@router.post(
    "/plans/{plan_id}/advice-requests/{advice_id}/advice",
    name="return_advice_form",
    dependencies=[requires(Permission.CONTRIBUTE)],
)
def return_advice(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    access: CurrentPlan,
    advice_id: RowId,
    posted: Annotated[Posted, Depends(_posted)],
) -> Response:
    """A plain `def`: the files' checks and the audited writes run in the thread pool."""
    advice = timelines.plan_advice(db, access, advice_id)
    timelines.check_may_record_return(access, advice)
    typed, errors = WrittenAdviceForm.read(posted.values)
    if typed is not None:
        try:
            timelines.return_advice(
                db,
                actor,
                access,
                settings.data_dir,
                advice,
                timelines.WrittenAdvice(text=typed.advice_text),
                posted.uploads,
            )
        except PlanProblem as problem:
            errors = WrittenAdviceForm.problem_errors(problem)
        else:
            return see_other(request, Page.TIMELINE, plan_id=access.plan.id, query={"done": "returned"})
    return _advice_page(request, db, access, advice, errors, WrittenAdviceForm.shown(posted.values))


@router.get(
    "/plans/{plan_id}/advice-files/{attachment_id}",
    name="advice_file",
    dependencies=[requires(Permission.READ_PLANS)],
)
def advice_file(
    db: SessionDep, actor: ActorDep, settings: SettingsDep, access: CurrentPlan, attachment_id: RowId
) -> Response:
    found = advice_files.plan_attachment(db, access, attachment_id)
    data = advice_files.read_attachment(db, actor, access, settings.data_dir, found)
    disposition = "inline" if found.media_type != "application/pdf" else "attachment"
    headers: dict[str, Any] = {
        **FILE_HEADERS,
        "Content-Disposition": f'{disposition}; filename="{found.shown_name}"',
    }
    return Response(data, media_type=found.media_type, headers=headers)
