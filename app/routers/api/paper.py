"""The plan on paper through the API: the PDF of a chosen version (audited as "plan.exported")."""

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPlan, SessionDep, SettingsDep, requires
from app.permissions import Permission
from app.routers.api.responses import READ
from app.routers.downloads import VersionQuery, pdf_response, zip_response
from app.services.paper import bundle, downloads

router = APIRouter(prefix="/api/v1", tags=["paper and export"])

PDF_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
    **READ,
}


@router.get(
    "/plans/{plan_id}/plan.pdf",
    dependencies=[requires(Permission.READ_PLANS)],
    responses=PDF_CONTENT,
    response_class=Response,
)
def plan_pdf(
    db: SessionDep, actor: ActorDep, settings: SettingsDep, access: CurrentPlan, version: VersionQuery = None
) -> Response:
    """The plan as a tagged PDF: the current version, or a frozen one (`?version=1`). Members only."""
    paper, document = downloads.plan_pdf(db, actor, access, settings.data_dir, version)
    return pdf_response(document, f"{access.plan.reference}-version-{paper.version}.pdf")


@router.get(
    "/plans/{plan_id}/tribunal-bundle.pdf",
    dependencies=[requires(Permission.READ_PLANS)],
    responses=PDF_CONTENT,
    response_class=Response,
)
def tribunal_bundle(
    db: SessionDep, actor: ActorDep, settings: SettingsDep, access: CurrentPlan, version: VersionQuery = None
) -> Response:
    """One paginated PDF for a tribunal: the plan as issued (or `?version=1`), its changes, views and
    advice, delivery and audit extract, closing with the chain hash and checkpoint. Members and the
    council's audit officers."""
    made, document = bundle.tribunal_bundle(db, settings, actor, access, version)
    return pdf_response(document, f"{access.plan.reference}-tribunal-bundle-version-{made.paper.version}.pdf")


ZIP_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}},
    **READ,
}


@router.get(
    "/plans/{plan_id}/export",
    dependencies=[requires(Permission.READ_PLANS)],
    responses=ZIP_CONTENT,
    response_class=Response,
)
def plan_export(db: SessionDep, actor: ActorDep, settings: SettingsDep, access: CurrentPlan) -> Response:
    """For moving a plan to another OnePlan service (docs/export-schema-v2.json): export.json and the
    pictures, in a signed zip. For a tribunal, `tribunal-bundle.pdf`."""
    archive = downloads.plan_export(db, settings, actor, access)
    return zip_response(archive, f"{access.plan.reference}-export.zip")


@router.get(
    "/me/data",
    dependencies=[requires(Permission.READ_PLANS)],
    responses=ZIP_CONTENT,
    response_class=Response,
)
def my_data(db: SessionDep, actor: ActorDep, settings: SettingsDep) -> Response:
    """Everything OnePlan holds about you (subject access), in the export's format, as a zip."""
    return zip_response(downloads.subject_access(db, settings, actor), "oneplan-my-data.zip")
