"""Who is on a plan: everyone sees the members; the coordinator adds, removes and hands the role on."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from app.actor import Actor
from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.forms.people import NewMemberForm, RemovalForm
from app.models import (
    MEMBER_ROLE_LABELS,
    ORGANISATION_KIND_LABELS,
    Child,
    MemberRole,
    Person,
)
from app.models.base import as_utc, utc_now
from app.permissions import COORDINATOR_ROLES, Permission, PlanAccess, may_coordinate
from app.rendering import render
from app.routers.pages.inputs import FormValues
from app.services.plans import members as member_service
from app.services.plans.access import refuse
from app.services.plans.members import STAFF_ORGANISATION_KINDS, Membership, NewMember
from app.services.plans.plans import PlanProblem, local_organisations, organisations_by_id
from app.urls import Page, see_other

router = APIRouter(prefix="/plans/{plan_id}")

ROLE_HINTS = {
    MemberRole.LOCAL_AUTHORITY: "An LA case officer: writes the placement and personal budget",
    MemberRole.EDUCATION: "School or college staff: write needs, outcomes and support in school",
    MemberRole.HEALTH: "Health staff: write health needs and health provision",
    MemberRole.SOCIAL_CARE: "Social care staff: write social care needs and provision",
    MemberRole.PARENT_CARER: "Adds their views and comments; reads the whole plan",
    MemberRole.CHILD: "The child or young person: adds their own views",
    MemberRole.READER: "Reads the plan and comments; they must already have an account",
}


def _child(db: Session, access: PlanAccess) -> Child | None:
    return db.get(Child, access.plan.child_id)


def _staff_organisations(db: Session, access: PlanAccess) -> list[tuple[str, str]]:
    """Schools, health and social care organisations of the plan's local authority."""
    kinds = set(STAFF_ORGANISATION_KINDS.values())
    return [
        (str(organisation.id), f"{organisation.name} ({ORGANISATION_KIND_LABELS[organisation.kind]})")
        for organisation in local_organisations(db, access.plan.local_authority_id, kinds)
    ]


def _banner(
    everyone: list[Membership],
    *,
    coordinating: bool,
    added: str,
    invited: str,
    removed: str,
    coordinator: str,
) -> str | None:
    """The message after a change, from the member id in the address (there is no session flash).

    Who was added or removed is told to the coordinator who did it (the address typed is theirs to see);
    a hand-over to the one who handed it on, who is no longer the coordinator.
    """
    by_id = {str(membership.member.id): membership for membership in everyone}
    if (shown := by_id.get(coordinator)) is not None and shown.member.is_coordinator:
        return f"{shown.person.display_name} is now the coordinator of this plan."
    if not coordinating:
        return None
    if (shown := by_id.get(invited)) is not None and shown.member.is_current:
        return (
            f"We have e-mailed {shown.person.email} an invitation to make an account. "
            f"{shown.person.display_name} is on the plan as {MEMBER_ROLE_LABELS[shown.member.role].lower()}."
        )
    if (shown := by_id.get(added)) is not None and shown.member.is_current:
        return (
            f"{shown.person.display_name} has been added to the plan as "
            f"{MEMBER_ROLE_LABELS[shown.member.role].lower()}. We have e-mailed them to say so."
        )
    if (shown := by_id.get(removed)) is not None and not shown.member.is_current:
        return f"{shown.person.display_name} has been removed from the plan. What they wrote stays on it."
    return None


def _members_page(
    request: Request,
    db: Session,
    actor: Actor,
    access: PlanAccess,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    banner: dict[str, str] | None = None,
) -> Response:
    current = member_service.read_members(db, actor, access)
    removed = [
        membership
        for membership in member_service.members(db, access, include_removed=True)
        if not membership.member.is_current
    ]
    everyone = current + removed
    removed.sort(key=lambda membership: membership.member.removed_at or membership.member.added_at)
    coordinating = may_coordinate(access)
    chosen_role = (values or {}).get("role")
    context = {
        "plan": access.plan,
        "child": _child(db, access),
        "current": current,
        "removed": removed,
        "organisations": organisations_by_id(
            db, {membership.person.organisation_id for membership in everyone}
        ),
        "coordinating": coordinating,
        "coordinator_role": COORDINATOR_ROLES[access.plan.kind],
        "banner": _banner(everyone, coordinating=coordinating, **banner) if banner else None,
        "errors": errors or {},
        "values": values or {},
        "role_items": [
            {
                "value": role.value,
                "text": MEMBER_ROLE_LABELS[role],
                "hint": {"text": ROLE_HINTS[role]},
                "checked": role.value == chosen_role,
            }
            for role in MemberRole
        ],
        "staff_organisations": _staff_organisations(db, access) if coordinating else [],
    }
    return render(request, "pages/plans/members.html", context)


@router.get("/members", dependencies=[requires(Permission.READ_PLANS)])
def members_page(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: CurrentPlan,
    added: Annotated[str, Query(max_length=12)] = "",
    invited: Annotated[str, Query(max_length=12)] = "",
    removed: Annotated[str, Query(max_length=12)] = "",
    coordinator: Annotated[str, Query(max_length=12)] = "",
) -> Response:
    banner = {"added": added, "invited": invited, "removed": removed, "coordinator": coordinator}
    return _members_page(request, db, actor, access, banner=banner)


@router.post("/members", name="add_member_form", dependencies=[requires(Permission.COORDINATE)])
def add_member(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    access: CurrentPlan,
    form: FormValues,
) -> Response:
    if not may_coordinate(access):
        # Someone who may not change the members learns that first, not what was wrong with the form.
        refuse(access, "Only the plan's coordinator can change who is on the plan.", action="member.refused")
    typed, errors = NewMemberForm.read(form)
    if typed is not None:
        new = NewMember(
            role=typed.role,
            email=typed.email,
            display_name=typed.display_name or None,
            organisation_id=typed.organisation_id,
        )
        started = utc_now()
        try:
            member = member_service.add_member(db, settings, actor, access, new)
        except PlanProblem as problem:
            errors = NewMemberForm.problem_errors(problem)
        else:
            person = db.get(Person, member.person_id)
            invited = person is not None and as_utc(person.created_at) >= started
            flag = "invited" if invited else "added"
            return see_other(request, Page.MEMBERS, plan_id=access.plan.id, query={flag: member.id})
    return _members_page(request, db, actor, access, errors=errors, values=NewMemberForm.shown(form))


def _change(change: Callable[[], None]) -> None:
    """Removing or handing on: a change the plan's members do not allow now is a 409 that says why."""
    try:
        change()
    except PlanProblem as problem:
        raise HTTPException(409, str(problem)) from None


def _removal_page(
    request: Request,
    db: Session,
    access: PlanAccess,
    member_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    if not may_coordinate(access):
        refuse(access, "Only the plan's coordinator can change who is on the plan.", action="member.refused")
    member = member_service.plan_member(db, access, member_id)
    person = db.get(Person, member.person_id)
    context = {
        "plan": access.plan,
        "child": _child(db, access),
        "member": member,
        "person": person,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "pages/plans/member_remove.html", context)


@router.get(
    "/members/{member_id}/remove", name="remove_member_page", dependencies=[requires(Permission.COORDINATE)]
)
def remove_member_page(request: Request, member_id: RowId, db: SessionDep, access: CurrentPlan) -> Response:
    """Are you sure? Who they are, what they will lose, and why (the family reads the reason)."""
    return _removal_page(request, db, access, member_id)


@router.post(
    "/members/{member_id}/remove", name="remove_member_form", dependencies=[requires(Permission.COORDINATE)]
)
def remove_member(
    request: Request, member_id: RowId, db: SessionDep, actor: ActorDep, access: CurrentPlan, form: FormValues
) -> Response:
    member = member_service.plan_member(db, access, member_id)
    typed, errors = RemovalForm.read(form)
    if typed is not None:
        try:
            member_service.remove_member(
                db, actor, access, member, member_service.Removal(reason=typed.reason)
            )
        except PlanProblem as problem:
            errors = RemovalForm.problem_errors(problem)
        else:
            return see_other(request, Page.MEMBERS, plan_id=access.plan.id, query={"removed": member.id})
    return _removal_page(request, db, access, member_id, errors=errors, values=RemovalForm.shown(form))


@router.post(
    "/members/{member_id}/coordinator",
    name="hand_on_coordinator_form",
    dependencies=[requires(Permission.COORDINATE)],
)
def hand_on_coordinator(
    request: Request, member_id: RowId, db: SessionDep, actor: ActorDep, access: CurrentPlan
) -> Response:
    member = member_service.plan_member(db, access, member_id)
    _change(lambda: member_service.hand_on_coordinator(db, actor, access, member))
    return see_other(request, Page.MEMBERS, plan_id=access.plan.id, query={"coordinator": member.id})
