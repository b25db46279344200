"""The plans API: the plan pages' services as JSON; every read and write is audited by the services.

Items are edited with optimistic concurrency: GET gives the item's current revision as a strong
ETag ("3"); PUT must send it back in If-Match (428 without it; 412, with the current text, when
someone saved first). `If-Match: *` is refused with 428: it would overwrite whatever is there.
"""

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import Field as SQLField

from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.errors import Refused
from app.models import (
    AreaOfNeed,
    Child,
    CycleStage,
    Item,
    ItemComment,
    ItemContent,
    ItemKind,
    ItemRevision,
    MemberRole,
    Organisation,
    Person,
    Plan,
    PlanKind,
    PlanMember,
    PlanReview,
    PlanStatus,
    PlanVersion,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
)
from app.models.base import PLAIN_TEXT, PlainText, as_utc, id_of
from app.permissions import Permission, PlanAccess, may_comment, may_revise
from app.routers.api.routing import SharedPathRoute
from app.services.delivery.changes import change_provision
from app.services.plans import changes, content, items, lifecycle, members, plans
from app.services.plans.members import Membership

router = APIRouter(prefix="/api/v1", tags=["plans"], route_class=SharedPathRoute)

MAX_ROW_ID = 2_147_483_647
VERSION_PATTERN = r"^([1-9][0-9]{0,8}|current)$"


# Answers -----------------------------------------------------------------------------------------


class Problem(BaseModel):
    detail: str


class PersonRef(BaseModel):
    id: int
    display_name: str


class OrganisationRef(BaseModel):
    id: int
    name: str


class ChildOut(BaseModel):
    full_name: str
    preferred_name: str | None
    date_of_birth: date
    school_year: str


class PlanBrief(BaseModel):
    """A plan's particulars, without its content."""

    id: int
    reference: str
    kind: PlanKind
    status: PlanStatus
    version: int
    cycle_number: int
    cycle_stage: CycleStage | None
    consultation_ends_on: date | None
    created_at: datetime


class PlanStageOut(PlanBrief):
    next_steps: list[lifecycle.Step]


class PlanSummaryOut(PlanBrief):
    child: ChildOut


class CommentOut(BaseModel):
    id: int
    item_id: int
    revision_number: int
    """The revision the comment answers."""
    author: PersonRef
    text: str
    created_at: datetime


class ContentOut(BaseModel):
    text: str
    area_of_need: AreaOfNeed | None
    achieve_by: date | None
    delivered_by: str | None
    delivered_by_organisation_id: int | None
    amount: float | None
    unit: ProvisionUnit | None
    frequency: ProvisionFrequency | None
    starts_on: date | None
    review_on: date | None
    quantity: str | None
    """How much and how often, in words ("25 hours a week")."""


class RevisionOut(ContentOut):
    number: int
    author: PersonRef
    created_at: datetime


class ItemOut(ContentOut):
    """An item as it reads now (its current revision)."""

    id: int
    plan_id: int
    section: Section
    kind: ItemKind
    author: PersonRef
    voice: PersonRef | None
    """Whose view this is, for a view."""
    revision_number: int
    revised_by: PersonRef
    revised_at: datetime
    created_at: datetime
    may_revise: bool


class PlanItemOut(ItemOut):
    comments: list[CommentOut]


class ItemDetailOut(ItemOut):
    revisions: list[RevisionOut]
    """Every revision, oldest first: nobody's words are ever lost."""
    comments: list[CommentOut]


class SectionOut(BaseModel):
    section: Section
    title: str
    stage: str | None
    """For SEN Support plans, the part of Assess, Plan, Do it belongs to."""
    writable: bool
    items: list[PlanItemOut]


class MemberOut(BaseModel):
    id: int
    person: PersonRef
    role: MemberRole
    is_coordinator: bool
    added_at: datetime


class PlanOut(PlanSummaryOut):
    local_authority: OrganisationRef | None
    setting: OrganisationRef | None
    my_role: MemberRole | None
    """Your part in this plan (none for the local authority's auditors)."""
    is_coordinator: bool
    may_comment: bool
    next_steps: list[lifecycle.Step]
    sections: list[SectionOut]
    members: list[MemberOut]


class VersionOut(BaseModel):
    number: int
    occasion: str
    made_at: datetime
    made_by: PersonRef


class ReviewOut(BaseModel):
    id: int
    cycle_number: int
    held_on: date
    participants: str
    what_worked: str
    what_changes: str
    recorded_by: PersonRef
    created_at: datetime


class DiffPieceOut(BaseModel):
    change: changes.Change
    text: str


class ParticularOut(BaseModel):
    label: str
    before: str
    after: str


class ChangeOut(BaseModel):
    item_id: int
    section: Section
    kind: ItemKind
    revision_before: int | None
    """None when the item is new."""
    revision_after: int
    revised_by: PersonRef
    revised_at: datetime
    text: str
    words: list[DiffPieceOut]
    """The words, as pieces that are the same, added or removed."""
    particulars: list[ParticularOut]


class ChangesOut(BaseModel):
    compared: str
    changes: list[ChangeOut]


class StaleOut(BaseModel):
    detail: str
    current: RevisionOut
    """The revision someone else saved: merge with it, then PUT again with its ETag."""


# What may be sent --------------------------------------------------------------------------------


BodyId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class PlanIn(plans.NewPlan):
    setting_id: BodyId | None = None


class ItemUpdate(ItemContent):
    delivered_by_organisation_id: int | None = SQLField(default=None, ge=1, le=MAX_ROW_ID)
    reason: PlainText | None = SQLField(
        default=None,
        max_length=items.MAX_REASON,
        description="Why agreed provision changes: required for it (the family is told and can reply)",
    )


class ItemIn(items.NewItem):
    delivered_by_organisation_id: int | None = SQLField(default=None, ge=1, le=MAX_ROW_ID)
    voice_id: int | None = SQLField(default=None, ge=1, le=MAX_ROW_ID)


class CommentIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000, pattern=PLAIN_TEXT)


class MemberIn(members.NewMember):
    person_id: BodyId | None = None
    organisation_id: BodyId | None = None


# Documented answers ------------------------------------------------------------------------------

Responses = dict[int | str, dict[str, Any]]

UNSIGNED: Responses = {401: {"model": Problem, "description": "No valid token or session"}}
FORBIDDEN: Responses = {
    403: {"model": Problem, "description": "Your role, or your part in this plan, does not allow it"}
}
ABSENT: Responses = {
    404: {"model": Problem, "description": "No such plan for you (or no such item or member in it)"}
}
ENDED: Responses = {
    409: {"model": Problem, "description": "The plan's stage does not allow this now (issued or ended)"}
}
UNREADABLE: Responses = {400: {"model": Problem, "description": "The body is not readable JSON"}}
READ: Responses = {**UNSIGNED, **FORBIDDEN, **ABSENT}
SENT: Responses = {**READ, **UNREADABLE}
WRITE: Responses = {**SENT, **ENDED}
ETAG_HEADER: dict[str, Any] = {
    "ETag": {"description": 'The current revision, as a strong ETag ("3")', "schema": {"type": "string"}}
}


@contextmanager
def input_problems(where: str = "body", rename: Mapping[str, str] | None = None) -> Iterator[None]:
    """What the services cannot use, as a 422 shaped like FastAPI's own validation errors."""
    try:
        yield
    except plans.PlanProblem as problem:
        raise _unprocessable({problem.field: str(problem)}, where, rename or {}) from None
    except items.ContentProblem as problem:
        raise _unprocessable(problem.errors, where, rename or {}) from None


def _unprocessable(errors: Mapping[str, str], where: str, rename: Mapping[str, str]) -> HTTPException:
    detail = [
        {"loc": [where, rename.get(field, field)], "msg": message, "type": "value_error"}
        for field, message in errors.items()
    ]
    return HTTPException(422, detail=detail)


# Building answers --------------------------------------------------------------------------------


def _person(people: Mapping[int, Person], person_id: int) -> PersonRef:
    person = people.get(person_id)
    return PersonRef(id=person_id, display_name=person.display_name if person else "Someone")


def _organisation(
    organisations: Mapping[int, Organisation], organisation_id: int | None
) -> OrganisationRef | None:
    organisation = organisations.get(organisation_id) if organisation_id is not None else None
    return OrganisationRef(id=id_of(organisation), name=organisation.name) if organisation else None


def _child(child: Child) -> ChildOut:
    return ChildOut(
        full_name=child.full_name,
        preferred_name=child.preferred_name,
        date_of_birth=child.date_of_birth,
        school_year=child.school_year,
    )


def _brief(plan: Plan) -> dict[str, Any]:
    return {
        "id": id_of(plan),
        "reference": plan.reference,
        "kind": plan.kind,
        "status": plan.status,
        "version": plan.version,
        "cycle_number": plan.cycle_number,
        "cycle_stage": plan.cycle_stage,
        "consultation_ends_on": plan.consultation_ends_on,
        "created_at": as_utc(plan.created_at),
    }


def _content(revision: ItemContent) -> dict[str, Any]:
    return {
        **revision.model_dump(include=set(ItemContent.model_fields)),
        "quantity": revision.quantity,
    }


def _revision(revision: ItemRevision, people: Mapping[int, Person]) -> RevisionOut:
    return RevisionOut(
        **_content(revision),
        number=revision.number,
        author=_person(people, revision.author_id),
        created_at=as_utc(revision.created_at),
    )


def _comment(comment: ItemComment, people: Mapping[int, Person]) -> CommentOut:
    return CommentOut(
        id=id_of(comment),
        item_id=comment.item_id,
        revision_number=comment.revision_number,
        author=_person(people, comment.author_id),
        text=comment.text,
        created_at=as_utc(comment.created_at),
    )


def _item(
    access: PlanAccess, item: Item, revision: ItemRevision, people: Mapping[int, Person]
) -> dict[str, Any]:
    return {
        **_content(revision),
        "id": id_of(item),
        "plan_id": item.plan_id,
        "section": item.section,
        "kind": item.kind,
        "author": _person(people, item.author_id),
        "voice": _person(people, item.voice_id) if item.voice_id is not None else None,
        "revision_number": item.revision_number,
        "revised_by": _person(people, revision.author_id),
        "revised_at": as_utc(revision.created_at),
        "created_at": as_utc(item.created_at),
        "may_revise": may_revise(access, item),
    }


def _plan_item(access: PlanAccess, entry: content.PlanItem, people: Mapping[int, Person]) -> PlanItemOut:
    return PlanItemOut(
        **_item(access, entry.item, entry.revision, people),
        comments=[_comment(comment, people) for comment in entry.comments],
    )


def _written(db: SessionDep, access: PlanAccess, item: Item) -> ItemOut:
    """The item just written, as it now reads (names only are looked up: no content is read)."""
    revision = items.current_revision(db, item)
    people = plans.people_by_id(db, {item.author_id, item.voice_id, revision.author_id})
    return ItemOut(**_item(access, item, revision, people))


def _member(membership: Membership) -> MemberOut:
    member = membership.member
    return MemberOut(
        id=id_of(member),
        person=PersonRef(id=id_of(membership.person), display_name=membership.person.display_name),
        role=member.role,
        is_coordinator=member.is_coordinator,
        added_at=as_utc(member.added_at),
    )


def _member_of(db: SessionDep, member: PlanMember) -> MemberOut:
    people = plans.people_by_id(db, {member.person_id})
    return MemberOut(
        id=id_of(member),
        person=_person(people, member.person_id),
        role=member.role,
        is_coordinator=member.is_coordinator,
        added_at=as_utc(member.added_at),
    )


def _etag(number: int) -> str:
    return f'"{number}"'


_ENTITY_TAG = re.compile(r'^\s*"([0-9]{1,9})"\s*$')


def _offered_revisions(if_match: str) -> list[int]:
    """The revision numbers in an If-Match list; weak tags never match (RFC 9110, 13.1.1)."""
    return [int(found.group(1)) for part in if_match.split(",") if (found := _ENTITY_TAG.match(part))]


def _stale(db: SessionDep, actor: ActorDep, access: PlanAccess, item: Item) -> JSONResponse:
    """412 with the current revision to merge with (someone else's words: a read, audited like GET)."""
    history = items.item_history(db, actor, access, item)
    current = next(revision for revision in history.revisions if revision.id == item.current_revision_id)
    body = StaleOut(
        detail=f"Someone saved revision {current.number} of this item after the one you edited, so nothing "
        f"was saved. Merge your words with the current text below, then send them again with "
        f"If-Match: {_etag(current.number)}.",
        current=_revision(current, history.people),
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status.HTTP_412_PRECONDITION_FAILED,
        headers={"ETag": _etag(current.number)},
    )


# Plans -------------------------------------------------------------------------------------------


@router.get("/plans", dependencies=[requires(Permission.READ_PLANS)], responses={**UNSIGNED, **FORBIDDEN})
def list_plans(db: SessionDep, actor: ActorDep) -> list[PlanSummaryOut]:
    """The plans you are on (and, for an LA audit officer, every plan of your council)."""
    return [
        PlanSummaryOut(**_brief(summary.plan), child=_child(summary.child))
        for summary in plans.visible_plans(db, actor)
    ]


@router.post(
    "/plans",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CREATE_PLAN)],
    responses={
        **UNSIGNED,
        **FORBIDDEN,
        **UNREADABLE,
        201: {"headers": {"Location": {"description": "The new plan", "schema": {"type": "string"}}}},
    },
)
def create_plan(new: PlanIn, db: SessionDep, actor: ActorDep, response: Response) -> PlanBrief:
    """Start a plan: a SENCo a SEN Support plan for their school, an LA case officer an EHC plan.

    Someone whose role cannot start that kind of plan is refused (403, audited), not told to retype.
    """
    with input_problems():
        try:
            plan = plans.create_plan(db, actor, new)
        except plans.PlanProblem as problem:
            if problem.field != "kind":
                raise
            raise Refused(
                403, str(problem), action="plan.create_refused", person=actor.person, reason=str(problem)
            ) from None
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return PlanBrief(**_brief(plan))


@router.get("/plans/{plan_id}", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def read_plan(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> PlanOut:
    """The whole plan: its sections with their current items and comments, and its members."""
    plan_content = content.load_plan(db, actor, access)
    people = plan_content.people
    return PlanOut(
        **_brief(access.plan),
        child=_child(plan_content.child),
        local_authority=_organisation(plan_content.organisations, access.plan.local_authority_id),
        setting=_organisation(plan_content.organisations, access.plan.setting_id),
        my_role=access.member_role,
        is_coordinator=access.is_coordinator,
        may_comment=may_comment(access),
        next_steps=list(lifecycle.next_steps(access)),
        sections=[
            SectionOut(
                section=section.section,
                title=section.title,
                stage=heading or None,
                writable=section.writable,
                items=[_plan_item(access, entry, people) for entry in section.items],
            )
            for heading, sections in plan_content.groups
            for section in sections
        ],
        members=[_member(membership) for membership in plan_content.members],
    )


# Items -------------------------------------------------------------------------------------------


@router.get("/plans/{plan_id}/items", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def list_items(
    access: CurrentPlan,
    db: SessionDep,
    actor: ActorDep,
    section: Annotated[Section | None, Query()] = None,
    kind: Annotated[ItemKind | None, Query()] = None,
) -> list[PlanItemOut]:
    """The plan's current items, of one section or one kind if asked, with their comments."""
    found = content.read_items(db, actor, access, section=section, kind=kind)
    return [_plan_item(access, entry, found.people) for entry in found.items]


@router.post(
    "/plans/{plan_id}/items",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses={
        **WRITE,
        201: {
            "headers": {
                **ETAG_HEADER,
                "Location": {"description": "The new item", "schema": {"type": "string"}},
            }
        },
    },
)
def add_item(
    new: ItemIn, access: CurrentPlan, db: SessionDep, actor: ActorDep, response: Response
) -> ItemOut:
    """Add an item to a section you write in (its first revision)."""
    with input_problems():
        item = items.add_item(db, actor, access, new)
    response.headers["Location"] = f"/api/v1/plans/{access.plan.id}/items/{item.id}"
    response.headers["ETag"] = _etag(item.revision_number)
    return _written(db, access, item)


@router.get(
    "/plans/{plan_id}/items/{item_id}",
    dependencies=[requires(Permission.READ_PLANS)],
    responses={**READ, 200: {"headers": ETAG_HEADER}},
)
def read_item(
    access: CurrentPlan, item_id: RowId, db: SessionDep, actor: ActorDep, response: Response
) -> ItemDetailOut:
    """The item with every revision and comment; the ETag names its current revision."""
    item = items.plan_item(db, access, item_id)
    history = items.item_history(db, actor, access, item)
    current = next(revision for revision in history.revisions if revision.id == item.current_revision_id)
    response.headers["ETag"] = _etag(item.revision_number)
    return ItemDetailOut(
        **_item(access, item, current, history.people),
        revisions=[_revision(revision, history.people) for revision in history.revisions],
        comments=[_comment(comment, history.people) for comment in history.comments],
    )


@router.put(
    "/plans/{plan_id}/items/{item_id}",
    response_model=ItemOut,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses={
        **WRITE,
        200: {"headers": ETAG_HEADER},
        412: {"model": StaleOut, "description": "Someone saved first: nothing was saved; here is their text"},
        428: {"model": Problem, "description": "Send If-Match with the ETag from GET (not *)"},
    },
)
def revise_item(
    change: ItemUpdate,
    access: CurrentPlan,
    item_id: RowId,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    response: Response,
    if_match: Annotated[
        str | None,
        Header(description='The ETag of the revision you edited, from GET (for example "3")', max_length=200),
    ] = None,
) -> ItemOut | JSONResponse:
    """Save a new revision of an item, if nobody has saved one since the revision you edited.

    Agreed provision (in the plan's latest issued or reviewed version) changes only with a `reason`;
    the family and the coordinator are told, and the family can reply.
    """
    item = items.plan_item(db, access, item_id)
    items.check_revisable(access, item)
    if if_match is None or if_match.strip() == "*":
        raise HTTPException(
            status.HTTP_428_PRECONDITION_REQUIRED,
            detail=f"Send If-Match with the ETag from GET /api/v1/plans/{access.plan.id}/items/{item.id} "
            '(the revision you edited, for example If-Match: "3"), so that nobody\'s words are overwritten. '
            "If-Match: * is not accepted.",
        )
    offered = _offered_revisions(if_match)
    if not offered:
        return _stale(db, actor, access, item)
    based_on = item.revision_number if item.revision_number in offered else offered[0]
    with input_problems():
        try:
            revised = change_provision(
                db, settings, actor, access, item, change, based_on=based_on, reason=change.reason
            )
        except items.StaleRevision as stale:
            return _stale(db, actor, access, stale.item)
    response.headers["ETag"] = _etag(revised.revision_number)
    return _written(db, access, revised)


@router.post(
    "/plans/{plan_id}/items/{item_id}/comments",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=SENT,
)
def add_comment(
    new: CommentIn, access: CurrentPlan, item_id: RowId, db: SessionDep, actor: ActorDep
) -> CommentOut:
    """Comment on an item (anyone on the plan): the comment answers its current revision."""
    item = items.plan_item(db, access, item_id)
    with input_problems(rename={"comment": "text"}):
        comment = items.add_comment(db, actor, access, item, new.text)
    person = access.person
    return _comment(comment, {id_of(person): person})


# Members -----------------------------------------------------------------------------------------


@router.get("/plans/{plan_id}/members", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def list_members(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[MemberOut]:
    """Who is on the plan now, the coordinator first."""
    return [_member(membership) for membership in members.read_members(db, actor, access)]


@router.post(
    "/plans/{plan_id}/members",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.COORDINATE)],
    responses=SENT,
)
def add_member(
    new: MemberIn, access: CurrentPlan, db: SessionDep, settings: SettingsDep, actor: ActorDep
) -> MemberOut:
    """Add someone by id or e-mail address (someone without an account is invited to make one)."""
    with input_problems():
        member = members.add_member(db, settings, actor, access, new)
    return _member_of(db, member)


@router.delete(
    "/plans/{plan_id}/members/{member_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[requires(Permission.COORDINATE)],
    responses=READ,
)
def remove_member(access: CurrentPlan, member_id: RowId, db: SessionDep, actor: ActorDep) -> None:
    """Their access ends at once; everything they wrote stays, with their name on it."""
    member = members.plan_member(db, access, member_id)
    with input_problems("path", rename={"member": "member_id"}):
        members.remove_member(db, actor, access, member)


@router.post(
    "/plans/{plan_id}/members/{member_id}/coordinator",
    dependencies=[requires(Permission.COORDINATE)],
    responses=READ,
)
def hand_on_coordinator(access: CurrentPlan, member_id: RowId, db: SessionDep, actor: ActorDep) -> MemberOut:
    """Hand the coordinator's role to a colleague on the plan (in the coordinator's part)."""
    member = members.plan_member(db, access, member_id)
    with input_problems("path", rename={"member": "member_id"}):
        members.hand_on_coordinator(db, actor, access, member)
    return _member_of(db, member)


# Stages, reviews, versions and changes -----------------------------------------------------------


@router.post("/plans/{plan_id}/steps", dependencies=[requires(Permission.COORDINATE)], responses=WRITE)
def take_step(
    step: lifecycle.StepRequest, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> PlanStageOut:
    """Move the plan on: send for consultation, issue, start a review, change stage, cease or close."""
    with input_problems():
        lifecycle.take_step(db, actor, access, step)
    return PlanStageOut(**_brief(access.plan), next_steps=list(lifecycle.next_steps(access)))


@router.get("/plans/{plan_id}/reviews", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def list_reviews(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[ReviewOut]:
    found = lifecycle.read_reviews(db, actor, access)
    return [_review(review, found.people) for review in found.reviews]


@router.post(
    "/plans/{plan_id}/reviews",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.COORDINATE)],
    responses=WRITE,
)
def record_review(
    new: lifecycle.NewReview, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> ReviewOut:
    """Record a review meeting; a SEN Support review keeps the plan as a version and starts the next cycle."""
    with input_problems():
        review = lifecycle.record_review(db, actor, access, new)
    return _review(review, {id_of(access.person): access.person})


def _review(review: PlanReview, people: Mapping[int, Person]) -> ReviewOut:
    return ReviewOut(
        id=id_of(review),
        cycle_number=review.cycle_number,
        held_on=review.held_on,
        participants=review.participants,
        what_worked=review.what_worked,
        what_changes=review.what_changes,
        recorded_by=_person(people, review.recorded_by_id),
        created_at=as_utc(review.created_at),
    )


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
        made_by=_person(people, version.made_by_id),
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
                revised_by=_person(found.people, change.after.author_id),
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
