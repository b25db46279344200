"""The plan on paper: its PDF (a chosen version), its tribunal bundle, and the child's own "My plan"."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPlan, SessionDep, SettingsDep, requires
from app.permissions import Permission
from app.rendering import render
from app.routers.downloads import VersionQuery, pdf_response, zip_response
from app.services.paper import bundle, downloads, easy_read

router = APIRouter()


@router.get(
    "/plans/{plan_id}/plan.pdf", name="plan_pdf_download", dependencies=[requires(Permission.READ_PLANS)]
)
def plan_pdf(
    db: SessionDep, actor: ActorDep, settings: SettingsDep, access: CurrentPlan, version: VersionQuery = None
) -> Response:
    paper, document = downloads.plan_pdf(db, actor, access, settings.data_dir, version)
    return pdf_response(document, f"{access.plan.reference}-version-{paper.version}.pdf")


@router.get(
    "/plans/{plan_id}/tribunal-bundle.pdf",
    name="tribunal_bundle_download",
    dependencies=[requires(Permission.READ_PLANS)],
)
def tribunal_bundle(
    db: SessionDep, actor: ActorDep, settings: SettingsDep, access: CurrentPlan, version: VersionQuery = None
) -> Response:
    made, document = bundle.tribunal_bundle(db, settings, actor, access, version)
    return pdf_response(document, f"{access.plan.reference}-tribunal-bundle-version-{made.paper.version}.pdf")


@router.get("/plans/{plan_id}/my-plan", dependencies=[requires(Permission.READ_PLANS)])
def my_plan(request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan) -> Response:
    summary = easy_read.my_plan(db, actor, access)
    return render(request, "pages/paper/my_plan.html", {"summary": summary, "plan": access.plan})


@router.get("/plans/{plan_id}/my-plan.pdf", dependencies=[requires(Permission.READ_PLANS)])
def my_plan_pdf(db: SessionDep, actor: ActorDep, access: CurrentPlan) -> Response:
    document = easy_read.my_plan_pdf(db, actor, access)
    return pdf_response(document, f"{access.plan.reference}-my-plan.pdf")


@router.get(
    "/plans/{plan_id}/export.zip", name="plan_export_zip", dependencies=[requires(Permission.READ_PLANS)]
)
def plan_export(db: SessionDep, actor: ActorDep, settings: SettingsDep, access: CurrentPlan) -> Response:
    archive = downloads.plan_export(db, settings, actor, access)
    return zip_response(archive, f"{access.plan.reference}-export.zip")


@router.get("/account/my-data.zip", name="my_data_zip", dependencies=[requires(Permission.READ_PLANS)])
def my_data(db: SessionDep, actor: ActorDep, settings: SettingsDep) -> Response:
    return zip_response(downloads.subject_access(db, settings, actor), "oneplan-my-data.zip")
