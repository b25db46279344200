"""The plan on paper: its PDF (a chosen version), and the child's own easy-read "My plan"."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPlan, SessionDep, SettingsDep, requires
from app.permissions import Permission
from app.rendering import render
from app.services.paper import downloads, easy_read
from app.services.paper.pdf import PDF_MEDIA_TYPE

router = APIRouter()

VersionQuery = Annotated[int | None, Query(ge=1, le=100_000)]


def pdf_response(document: bytes, file_name: str) -> Response:
    """A PDF to keep: downloaded under a name that carries the plan reference, never the child's name."""
    return Response(
        document,
        media_type=PDF_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{file_name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/plans/{plan_id}/plan.pdf", dependencies=[requires(Permission.READ_PLANS)])
def plan_pdf(
    db: SessionDep, actor: ActorDep, settings: SettingsDep, access: CurrentPlan, version: VersionQuery = None
) -> Response:
    paper, document = downloads.plan_pdf(db, actor, access, settings.data_dir, version)
    return pdf_response(document, f"{access.plan.reference}-version-{paper.version}.pdf")


@router.get("/plans/{plan_id}/my-plan", dependencies=[requires(Permission.READ_PLANS)])
def my_plan(request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan) -> Response:
    summary = easy_read.my_plan(db, actor, access)
    return render(request, "pages/paper/my_plan.html", {"summary": summary, "plan": access.plan})


@router.get("/plans/{plan_id}/my-plan.pdf", dependencies=[requires(Permission.READ_PLANS)])
def my_plan_pdf(db: SessionDep, actor: ActorDep, access: CurrentPlan) -> Response:
    document = easy_read.my_plan_pdf(db, actor, access)
    return pdf_response(document, f"{access.plan.reference}-my-plan.pdf")


ZIP_MEDIA_TYPE = "application/zip"


def zip_response(archive: bytes, file_name: str) -> Response:
    return Response(
        archive,
        media_type=ZIP_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{file_name}"', "Cache-Control": "no-store"},
    )


@router.get("/plans/{plan_id}/export.zip", dependencies=[requires(Permission.READ_PLANS)])
def plan_export(db: SessionDep, actor: ActorDep, settings: SettingsDep, access: CurrentPlan) -> Response:
    archive = downloads.plan_export(db, settings, actor, access)
    return zip_response(archive, f"{access.plan.reference}-export.zip")


@router.get("/account/my-data.zip", dependencies=[requires(Permission.READ_PLANS)])
def my_data(db: SessionDep, actor: ActorDep, settings: SettingsDep) -> Response:
    return zip_response(downloads.subject_access(db, settings, actor), "oneplan-my-data.zip")
