"""A plan's history as JSON: its frozen versions, and what changed word by word (audited reads)."""

from collections.abc import Mapping
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from app.dependencies import ActorDep, CurrentPlan, SessionDep, requires
from app.models import Person, PlanVersion
from app.models.base import as_utc, id_of
from app.permissions import Permission
from app.routers.api.plan_schemas import (
    VERSION_PATTERN,
    ChangeOut,
    ChangesOut,
    DiffPieceOut,
    ParticularOut,
    VersionOut,
    person_ref,
)
from app.routers.api.responses import READ, input_problems
from app.routers.api.routing import SharedPathRoute
from app.services.plans import changes, lifecycle

router = APIRouter(prefix="/api/v1", tags=["plans"], route_class=SharedPathRoute)


@router.get("/plans/{plan_id}/versions", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def list_versions(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[VersionOut]:
    """The plan's frozen versions (made when an EHC plan is issued, or at a SEN Support review)."""
    found = lifecycle.read_versions(db, actor, access)
    return [_version(version, found.people) for version in found.versions]


def _version(version: PlanVersion, people: Mapping[int, Person]) -> VersionOut:
    return VersionOut(
        number=version.number,
        occasion=version.occasion,
        made_at=as_utc(version.made_at),
        made_by=person_ref(people, version.made_by_id),
    )


def _version_choice(value: str) -> changes.VersionChoice:
    return changes.CURRENT if value == changes.CURRENT else int(value)


@router.get("/plans/{plan_id}/changes", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def read_changes(
    access: CurrentPlan,
    db: SessionDep,
    actor: ActorDep,
    since: Annotated[date | None, Query(description="Changes made on or after this day")] = None,
    from_version: Annotated[
        str | None, Query(pattern=VERSION_PATTERN, description="A version number, or current")
    ] = None,
    to_version: Annotated[
        str, Query(pattern=VERSION_PATTERN, description="A version number, or current (the default)")
    ] = changes.CURRENT,
) -> ChangesOut:
    """What changed, word by word: since a day, between two versions, or since the latest version."""
    with input_problems("query"):
        found = changes.read_changes(
            db,
            actor,
            access,
            since=since,
            from_version=_version_choice(from_version) if from_version is not None else None,
            to_version=_version_choice(to_version),
        )
    return ChangesOut(
        compared=found.compared,
        changes=[
            ChangeOut(
                item_id=id_of(change.item),
                section=change.item.section,
                kind=change.item.kind,
                revision_before=change.before.number if change.before else None,
                revision_after=change.after.number,
                revised_by=person_ref(found.people, change.after.author_id),
                revised_at=as_utc(change.after.created_at),
                text=change.after.text,
                words=[DiffPieceOut(change=piece.change, text=piece.text) for piece in change.words],
                particulars=[
                    ParticularOut(label=label, before=before, after=after)
                    for label, before, after in change.particulars
                ],
            )
            for change in found.changes
        ],
    )
