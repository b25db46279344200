"""Files to keep, answered the same way by the pages and the API: a plan's PDF or its export zip."""

from typing import Annotated

from fastapi import Query
from starlette.responses import Response

from app.services.paper.pdf import PDF_MEDIA_TYPE

ZIP_MEDIA_TYPE = "application/zip"


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


def zip_response(archive: bytes, file_name: str) -> Response:
    return Response(
        archive,
        media_type=ZIP_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{file_name}"', "Cache-Control": "no-store"},
    )
