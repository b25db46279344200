"""Views, their pictures, and links (what each need, outcome and provision answers), as JSON.

A view hidden by its young person's choice is absent for everyone not chosen: not listed, 404 by id,
its pictures 404, and links to it are left out. Every read and write is audited by the services.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile, status
from pydantic import BaseModel, Field

from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.models import ItemKind, ItemLink, Person, ViewAudience, ViewPicture, ViewPrompt
from app.models.base import WORDS, as_utc, id_of
from app.permissions import Permission, PlanAccess
from app.routers.api.plan_schemas import PersonRef, person_ref
from app.routers.api.responses import MAX_ROW_ID, READ, WRITE, Responses, input_problems, unprocessable
from app.routers.api.routing import SharedPathRoute
from app.services import audit
from app.services.plans import content, items, links, plans
from app.services.voices import pictures, views

router = APIRouter(prefix="/api/v1", tags=["views and links"], route_class=SharedPathRoute)

BodyId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class PictureOut(BaseModel):
    id: int
    media_type: str
    width: int
    height: int
    byte_size: int
    url: str
    """Where to fetch it (only people who may see its view can)."""


class ViewOut(BaseModel):
    id: int
    prompt: ViewPrompt
    """The question it answers."""
    audience: ViewAudience
    """everyone: everyone on the plan; chosen: only the readers its young person (or parent) picked."""
    readers: list[PersonRef]
    voice: PersonRef | None
    """Whose words these are."""
    author: PersonRef
    """Who typed them (someone recording the view with them, or the same person)."""
    text: str
    revision_number: int
    created_at: datetime
    pictures: list[PictureOut]
    answered_by: list[int]
    """The needs, outcomes and provisions that answer it."""


class ViewIn(BaseModel):
    prompt: ViewPrompt = ViewPrompt.OTHER
    text: str = Field(min_length=1, max_length=10000, pattern=WORDS)
    audience: ViewAudience = ViewAudience.EVERYONE
    reader_ids: list[BodyId] = Field(default_factory=list, max_length=views.MAX_READERS)
    voice_id: BodyId | None = None
    """For a view recorded on someone's behalf: the child or parent whose words these are."""
    picture_ids: list[BodyId] = Field(default_factory=list, max_length=views.MAX_PICTURES)


class LinkIn(BaseModel):
    item_id: BodyId
    """The need, outcome or provision that answers."""
    answers_id: BodyId
    """The view, advice, need or outcome it answers."""


class LinkOut(BaseModel):
    id: int
    item_id: int
    answers_id: int
    created_by: PersonRef
    created_at: datetime


class VoiceFigureOut(BaseModel):
    outcomes: int
    answering: int
    """Outcomes that answer at least one view of the child or a parent."""
    percent: int | None


class LinksOut(BaseModel):
    links: list[LinkOut]
    unanswered_view_ids: list[int]
    """Views that nothing on the plan answers yet (of those you may read)."""
    voice_figure: VoiceFigureOut


PICTURE_ANSWER: Responses = {
    200: {
        "content": {"image/png": {}, "image/jpeg": {}},
        "description": "The picture (re-encoded when uploaded, without metadata)",
    }
}


def _picture(plan_id: int, picture: ViewPicture) -> PictureOut:
    return PictureOut(
        id=id_of(picture),
        media_type=picture.media_type,
        width=picture.width,
        height=picture.height,
        byte_size=picture.byte_size,
        url=f"/api/v1/plans/{plan_id}/pictures/{picture.id}",
    )


def _link(link: ItemLink, people: Mapping[int, Person]) -> LinkOut:
    return LinkOut(
        id=id_of(link),
        item_id=link.item_id,
        answers_id=link.answers_id,
        created_by=person_ref(people, link.created_by),
        created_at=as_utc(link.created_at),
    )


def _views(db: SessionDep, access: PlanAccess, entries: list[content.PlanItem]) -> list[ViewOut]:
    ids = {id_of(entry.item) for entry in entries}
    details = views.details_of(db, ids)
    found_pictures = views.pictures_of(db, ids)
    readers = views.readers_of(db, ids)
    standing = links.plan_links(db, id_of(access.plan))
    people = plans.people_by_id(
        db,
        {entry.item.voice_id for entry in entries}
        | {entry.item.author_id for entry in entries}
        | {person_id for chosen in readers.values() for person_id in chosen},
    )
    result = []
    for entry in entries:
        item_id = id_of(entry.item)
        detail = details.get(item_id)
        result.append(
            ViewOut(
                id=item_id,
                prompt=detail.prompt if detail else ViewPrompt.OTHER,
                audience=detail.audience if detail else ViewAudience.EVERYONE,
                readers=[person_ref(people, person_id) for person_id in sorted(readers.get(item_id, set()))],
                voice=person_ref(people, entry.item.voice_id) if entry.item.voice_id else None,
                author=person_ref(people, entry.item.author_id),
                text=entry.revision.text,
                revision_number=entry.item.revision_number,
                created_at=as_utc(entry.item.created_at),
                pictures=[_picture(entry.item.plan_id, picture) for picture in found_pictures[item_id]],
                answered_by=[link.item_id for link in standing if link.answers_id == item_id],
            )
        )
    return result


@router.get("/plans/{plan_id}/views", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def list_views(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[ViewOut]:
    """The plan's views that you may read, with their questions, pictures and what answers them."""
    found = content.read_items(db, actor, access, kind=ItemKind.VIEW)
    return _views(db, access, found.items)


@router.post(
    "/plans/{plan_id}/views",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def add_view(new: ViewIn, access: CurrentPlan, db: SessionDep, actor: ActorDep) -> ViewOut:
    """Add a view: your own words (or someone's, recorded with them), and who may read it."""
    with input_problems():
        item = views.add_view(db, actor, access, views.NewView(**new.model_dump()))
    revision = items.current_revision(db, item)
    return _views(db, access, [content.PlanItem(item, revision)])[0]


@router.post(
    "/plans/{plan_id}/pictures",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def upload_picture(
    access: CurrentPlan,
    db: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="A PNG or JPEG, up to 5 MB")],
) -> PictureOut:
    """Upload a picture for a view you are about to add (send its id in the view's picture_ids).

    A file that is not a PNG or JPEG, is over 5 MB or is damaged is refused (422) with what to do.
    A plain `def`: the image work and the audited write run in the thread pool, never on the event loop.
    """
    data = file.file.read(pictures.MAX_BYTES + 1)
    try:
        picture = pictures.add_picture(db, actor, access, settings.data_dir, data)
    except pictures.PictureProblem as problem:
        raise unprocessable({"file": str(problem)}, "body", {}) from None
    return _picture(id_of(access.plan), picture)


@router.get(
    "/plans/{plan_id}/pictures/{picture_id}",
    dependencies=[requires(Permission.READ_PLANS)],
    responses={**READ, **PICTURE_ANSWER},
    response_class=Response,
)
def read_picture(
    access: CurrentPlan, picture_id: RowId, db: SessionDep, actor: ActorDep, settings: SettingsDep
) -> Response:
    """A view's picture, for people who may read the view."""
    found = pictures.plan_picture(db, access, picture_id)
    data = pictures.read_picture(db, actor, access, settings.data_dir, found)
    return Response(
        data,
        media_type=found.media_type,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/plans/{plan_id}/links", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def list_links(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> LinksOut:
    """What each need, outcome and provision answers, the views nothing answers, the voice figure."""
    entries = content.plan_items(db, access)
    evidence = views.evidence(db, access, entries)
    readable = {id_of(entry.item) for entry in entries}
    standing = [
        link
        for link in links.plan_links(db, id_of(access.plan))
        if link.item_id in readable and link.answers_id in readable
    ]
    people = plans.people_by_id(db, {link.created_by for link in standing})
    audit.record(
        db,
        actor,
        "links.read",
        object_type="plan",
        object_id=access.plan.id,
        details={"links": len(standing)},
    )
    return LinksOut(
        links=[_link(link, people) for link in standing],
        unanswered_view_ids=[id_of(entry.item) for entry in evidence.unanswered_views],
        voice_figure=VoiceFigureOut(
            outcomes=evidence.figure.outcomes,
            answering=evidence.figure.answering,
            percent=evidence.figure.percent,
        ),
    )


@router.post(
    "/plans/{plan_id}/links",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def add_link(new: LinkIn, access: CurrentPlan, db: SessionDep, actor: ActorDep) -> LinkOut:
    """Say that a need, outcome or provision answers a view, advice, need or outcome of the plan."""
    item = items.plan_item(db, access, new.item_id)
    with input_problems():
        link = links.add_link(db, actor, access, item, new.answers_id)
    return _link(link, {id_of(access.person): access.person})


@router.delete(
    "/plans/{plan_id}/links/{link_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def remove_link(access: CurrentPlan, link_id: RowId, db: SessionDep, actor: ActorDep) -> None:
    """End a link (it stays in the plan's history, with who ended it and when)."""
    links.remove_link(db, actor, access, links.plan_link(db, access, link_id))
