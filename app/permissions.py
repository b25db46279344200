"""Who may do what: the one place that answers "may this person do this to this thing?".

Routes declare a permission (`app.dependencies.requires`); a test fails on any route that does not.
Role permissions are a plain table; rules about a particular thing (this token, this child, later
this plan) are functions below. A thing the person may not see is reported as absent (404).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant

from app.models import Person, PersonRole

PERMISSION_ATTRIBUTE = "__oneplan_permission__"


class Permission(StrEnum):
    PUBLIC = "public"
    """Anyone, signed in or not: the start page, sign-in, the health check."""
    SECOND_FACTOR_PENDING = "second_factor_pending"
    """Half-way through signing in: only the second-factor step."""
    SIGNED_IN = "signed_in"
    """Anyone signed in: who am I, sign out."""
    MANAGE_OWN_ACCOUNT = "manage_own_account"
    """Own account and API tokens; young people from 16, not younger children (their parents do)."""
    MANAGE_ORGANISATIONS = "manage_organisations"
    MANAGE_PEOPLE = "manage_people"
    READ_OUTBOX = "read_outbox"
    """The operator's view of the mail outbox, in demo mode only."""
    SET_UP_CHILD_SIGN_IN = "set_up_child_sign_in"


_ADULTS = {
    PersonRole.ADMINISTRATOR,
    PersonRole.LA_CASE_OFFICER,
    PersonRole.LA_AUDIT_OFFICER,
    PersonRole.EDUCATION,
    PersonRole.HEALTH,
    PersonRole.SOCIAL_CARE,
    PersonRole.PARENT_CARER,
}
_EVERYONE = {*_ADULTS, PersonRole.CHILD}

ROLE_PERMISSIONS: dict[Permission, set[PersonRole]] = {
    Permission.SIGNED_IN: _EVERYONE,
    Permission.MANAGE_OWN_ACCOUNT: _ADULTS,
    Permission.MANAGE_ORGANISATIONS: {PersonRole.ADMINISTRATOR},
    Permission.MANAGE_PEOPLE: {PersonRole.ADMINISTRATOR},
    Permission.READ_OUTBOX: {PersonRole.ADMINISTRATOR},
    Permission.SET_UP_CHILD_SIGN_IN: {PersonRole.PARENT_CARER, PersonRole.ADMINISTRATOR},
}


def role_may(person: Person, permission: Permission) -> bool:
    """Whether the person's role carries the permission at all (things in particular come after)."""
    if not person.is_active:
        return False
    if permission is Permission.PUBLIC:
        return True
    if permission is Permission.MANAGE_OWN_ACCOUNT and person.role is PersonRole.CHILD:
        return person.makes_own_decisions
    return person.role in ROLE_PERMISSIONS.get(permission, set())


def is_childs_parent(person: Person, child: Person, parent_ids: set[int]) -> bool:
    """A parent or carer linked to this child (`parent_ids`: the child's family links)."""
    return person.role is PersonRole.PARENT_CARER and person.id in parent_ids


def may_set_up_sign_in_for(person: Person, child: Person, parent_ids: set[int]) -> bool:
    """Parents and carers of the child, and administrators; later also the child's plan coordinator.

    Not from 16: the young person's account is then their own, and nobody else holds a way in.
    """
    if not role_may(person, Permission.SET_UP_CHILD_SIGN_IN) or child.role is not PersonRole.CHILD:
        return False
    if child.makes_own_decisions:
        return False
    return person.role is PersonRole.ADMINISTRATOR or is_childs_parent(person, child, parent_ids)


def owns(person: Person, owner_id: int | None) -> bool:
    """Own things only (API tokens, own sessions): someone else's is absent, not forbidden."""
    return person.id is not None and person.id == owner_id


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    dependant: Dependant


def app_routes(app: FastAPI) -> Iterator[RouteInfo]:
    """Every API and page route as served, through included routers (FastAPI nests them)."""
    for context in routing.iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        if isinstance(dependant, Dependant) and context.path:
            yield RouteInfo(context.path, frozenset((context.methods or set()) - {"HEAD"}), dependant)


def declared_permission(dependant: Dependant) -> Permission | None:
    """The permission a route declared through `requires`, looking through nested dependencies."""
    pending = list(dependant.dependencies)
    while pending:
        dependency = pending.pop()
        call: Callable[..., Any] | None = dependency.call
        permission = getattr(call, PERMISSION_ATTRIBUTE, None)
        if permission is not None:
            return Permission(permission)
        pending.extend(dependency.dependencies)
    return None
