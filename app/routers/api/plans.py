"""The plans API: the plan pages' services as JSON; every read and write is audited by the services.

Items are edited with optimistic concurrency: GET gives the item's current revision as a strong
ETag ("3"); PUT must send it back in If-Match (428 without it; 412, with the current text, when
someone saved first). `If-Match: *` is refused with 428: it would overwrite whatever is there.
"""

import re
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse

from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.errors import Refused
from app.models import (
    Item,
    ItemKind,
    Person,
    PlanMember,
    PlanReview,
    Section,
)
from app.models.base import as_utc, id_of
from app.page_cache import for_reader, page_cache
from app.permissions import Permission, PlanAccess
from app.routers.api.plan_schemas import (
    CommentIn,
    CommentOut,
    ItemDetailOut,
    ItemIn,
    ItemOut,
    ItemUpdate,
    MemberIn,
    MemberOut,
    PlanBrief,
    PlanIn,
    PlanItemOut,
    PlanOut,
    PlanStageOut,
    PlanSummaryOut,
    ReviewOut,
    StaleOut,
    brief_of,
    child_out,
    comment_out,
    item_out,
    member_out,
    person_ref,
    plan_item_out,
    plan_out,
    revision_out,
)
from app.routers.api.responses import (
    ETAG_HEADER,
    FORBIDDEN,
    READ,
    SENT,
    UNREADABLE,
    UNSIGNED,
    WRITE,
    Problem,
    input_problems,
)
from app.routers.api.routing import SharedPathRoute
from app.services.delivery.changes import change_provision
from app.services.plans import content, items, lifecycle, members, plans

router = APIRouter(prefix="/api/v1", tags=["plans"], route_class=SharedPathRoute)


# Building answers --------------------------------------------------------------------------------


def _written(db: SessionDep, access: PlanAccess, item: Item) -> ItemOut:
    """The item just written, as it now reads (names only are looked up: no content is read)."""
    revision = items.current_revision(db, item)
    people = plans.people_by_id(db, {item.author_id, item.voice_id, revision.author_id})
    organisations = plans.organisations_by_id(db, {revision.delivered_by_organisation_id})
    return ItemOut(**item_out(access, item, revision, people, organisations))


def _member_of(db: SessionDep, member: PlanMember) -> MemberOut:
    people = plans.people_by_id(db, {member.person_id})
    return MemberOut(
        id=id_of(member),
        person=person_ref(people, member.person_id),
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
        current=revision_out(
            current, history.people, plans.organisations_by_id(db, {current.delivered_by_organisation_id})
        ),
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
        PlanSummaryOut(**brief_of(summary.plan), child=child_out(summary.child))
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
        409: {
            "model": Problem,
            "description": "The child already has a live plan of this kind (its address in Location, "
            "for someone on it)",
        },
    },
)
def create_plan(new: PlanIn, db: SessionDep, actor: ActorDep, response: Response) -> PlanBrief:
    """Start a plan: a SENCo a SEN Support plan for their school, an LA case officer an EHC plan.

    A school's designated SENCo may start an Individual Support Plan directly (`kind` "isp"), with its
    `layer` of support, `duty_holder_id` (one of the school's education staff; left out, the SENCo) and
    `next_review_on`; the layer's history starts with it ("Plan started").

    Someone whose role cannot start that kind of plan is refused (403, audited), not told to retype.
    A child has one live plan of each kind: a second is refused (409) and nothing is written.
    """
    with input_problems():
        try:
            plan = plans.create_plan(db, actor, new)
        except plans.PlanAlreadyLive as live:
            where = {"Location": f"/api/v1/plans/{live.plan.id}"} if live.may_see else None
            raise HTTPException(409, detail=str(live), headers=where) from None
        except plans.PlanProblem as problem:
            if problem.field != "kind":
                raise
            raise Refused(
                403, str(problem), action="plan.create_refused", person=actor.person, reason=str(problem)
            ) from None
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return PlanBrief(**brief_of(plan))


@router.get(
    "/plans/{plan_id}",
    dependencies=[requires(Permission.READ_PLANS)],
    responses=READ,
    response_model=PlanOut,
)
def read_plan(request: Request, access: CurrentPlan, db: SessionDep, actor: ActorDep) -> Response:
    """The whole plan: its sections with their current items and comments, and its members."""
    content.record_plan_read(db, actor, access)
    kept_under = for_reader("plan API", access)
    body = page_cache(request).part(
        kept_under, lambda: plan_out(access, content.plan_content(db, access)).model_dump_json().encode()
    )
    return Response(body, media_type="application/json")


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
    organisations = plans.organisations_by_id(
        db, {entry.revision.delivered_by_organisation_id for entry in found.items}
    )
    return [plan_item_out(access, entry, found.people, organisations) for entry in found.items]


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
    organisations = plans.organisations_by_id(
        db, {revision.delivered_by_organisation_id for revision in history.revisions}
    )
    return ItemDetailOut(
        **item_out(access, item, current, history.people, organisations),
        revisions=[revision_out(revision, history.people, organisations) for revision in history.revisions],
        comments=[comment_out(comment, history.people) for comment in history.comments],
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
    return comment_out(comment, {id_of(person): person})


# Members -----------------------------------------------------------------------------------------


@router.get("/plans/{plan_id}/members", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def list_members(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[MemberOut]:
    """Who is on the plan now, the coordinator first."""
    return [member_out(membership) for membership in members.read_members(db, actor, access)]


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
    responses=SENT,
)
def remove_member(
    removal: members.Removal, access: CurrentPlan, member_id: RowId, db: SessionDep, actor: ActorDep
) -> None:
    """Their access ends at once; everything they wrote stays, with their name on it. The reason
    (required) is kept in the audit trail and shown in the plan's history."""
    member = members.plan_member(db, access, member_id)
    with input_problems("path", rename={"member": "member_id"}):
        members.remove_member(db, actor, access, member, removal)


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
    step: lifecycle.StepRequest, access: CurrentPlan, db: SessionDep, actor: ActorDep, settings: SettingsDep
) -> PlanStageOut:
    """Move the plan on: send for consultation, issue, start a review, change stage, cease or close.

    A step the plan's state does not allow now is refused (409) with the reason: sending a draft for
    comment with nobody in the family on the plan, or issuing it before the family's time is up."""
    with input_problems():
        told = lifecycle.take_step(db, actor, access, step, settings=settings)
    return PlanStageOut(
        **brief_of(access.plan),
        next_steps=list(lifecycle.next_steps(access)),
        told=[one.described for one in told],
    )


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
    """Record a review meeting, open; finished (progress per outcome) it keeps a SEN Support cycle's plan."""
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
        recorded_by=person_ref(people, review.recorded_by_id),
        created_at=as_utc(review.created_at),
        finished_at=as_utc(review.finished_at) if review.finished_at else None,
    )
