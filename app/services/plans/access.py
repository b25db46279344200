"""Finding a plan for a person: a plan they may not see does not exist for them (404, audited)."""

from collections.abc import Mapping
from typing import Any, NamedTuple, NoReturn, Protocol, TypeVar

from sqlalchemy import and_, bindparam
from sqlmodel import Session, col, select

from app.actor import Actor
from app.errors import Refused
from app.models import SETTING_KINDS, Person, Plan, PlanMember, PlanWording
from app.models.seen import PlanSeen
from app.permissions import PlanAccess, audits_plan
from app.services.plans.words import DEFAULT_WORDS, PlanWords, words_of


class OfAPlan(Protocol):
    plan_id: int


Row = TypeVar("Row", bound=OfAPlan)
_MAX_ROW_ID = 2_147_483_647


def plan_access(db: Session, actor: Actor, plan_id: int) -> PlanAccess:
    """The plan with the person's membership, in one query; refused as absent unless they may see it."""
    return _access(db, actor.signed_in(), plan_id)


def absent_unless_seen(db: Session, person: Person, path_params: Mapping[str, Any]) -> None:
    """Before a role is refused (403) on a plan's address: a plan the person may not see is absent (404).

    An administrator, or a member of one council refused another council's plan, meets the same
    "Not Found" as a stranger and as a plan that does not exist; the refusal is audited as such.
    """
    plan_id = str(path_params.get("plan_id", ""))
    if plan_id.isdigit() and 1 <= int(plan_id) <= _MAX_ROW_ID:
        _access(db, person, int(plan_id))


_MEMBERSHIP = and_(
    col(PlanMember.plan_id) == col(Plan.id),
    col(PlanMember.person_id) == bindparam("person_id"),
    col(PlanMember.removed_at).is_(None),
)
_PLAN_WITH_MEMBERSHIP = (
    select(Plan, PlanMember).outerjoin(PlanMember, _MEMBERSHIP).where(col(Plan.id) == bindparam("plan_id"))
)
"""Built once: every request about a plan asks it."""

_PLAN_OPENED = (
    select(Plan, PlanMember, PlanSeen, PlanWording)
    .outerjoin(PlanMember, _MEMBERSHIP)
    .outerjoin(
        PlanSeen,
        and_(col(PlanSeen.plan_id) == col(Plan.id), col(PlanSeen.person_id) == bindparam("person_id")),
    )
    .outerjoin(PlanWording, col(PlanWording.local_authority_id) == col(Plan.local_authority_id))
    .where(col(Plan.id) == bindparam("plan_id"))
)


class PlanOpened(NamedTuple):
    """What the plan page needs before it can look for the page it keeps (`app.page_cache`)."""

    access: PlanAccess
    mark: PlanSeen | None
    """How far the reader last read the plan (`services.plans.seen`)."""
    words: PlanWords


def open_plan(db: Session, actor: Actor, plan_id: int) -> PlanOpened:
    """The plan, the person's membership, how far they last read it and the council's words for it,
    in one query: the plan page is the most read page of the service."""
    person = actor.signed_in()
    row = db.exec(_PLAN_OPENED, params={"person_id": person.id, "plan_id": plan_id}).first()
    plan, membership, mark, wording = row if row is not None else (None, None, None, None)
    access = _seen_or_refused(person, plan_id, plan, membership)
    return PlanOpened(access, mark, words_of(wording) if access.plan.kind in SETTING_KINDS else DEFAULT_WORDS)


def _access(db: Session, person: Person, plan_id: int) -> PlanAccess:
    row = db.exec(_PLAN_WITH_MEMBERSHIP, params={"person_id": person.id, "plan_id": plan_id}).first()
    plan, membership = row if row is not None else (None, None)
    return _seen_or_refused(person, plan_id, plan, membership)


def _seen_or_refused(
    person: Person, plan_id: int, plan: Plan | None, membership: PlanMember | None
) -> PlanAccess:
    if plan is not None:
        access = PlanAccess(person, plan, membership, audits_plan(person, plan))
        if access.may_see:
            return access
    raise Refused(
        404, "Not Found", action="plan.refused", person=person, object_type="plan", object_id=plan_id
    )


def refuse(
    access: PlanAccess, detail: str, *, action: str, object_type: str = "plan", object_id: int | None = None
) -> NoReturn:
    """Refuse something the person may see but not do (403), with the reason they are told."""
    raise Refused(
        403,
        detail,
        action=action,
        person=access.person,
        object_type=object_type,
        object_id=object_id if object_id is not None else access.plan.id,
    )


def refuse_as_absent(access: PlanAccess) -> NoReturn:
    """Refuse someone who may not see this of the plan as if the plan did not exist (404)."""
    raise Refused(
        404,
        "Not Found",
        action="plan.refused",
        person=access.person,
        object_type="plan",
        object_id=access.plan.id,
    )


def refuse_change(access: PlanAccess, detail: str, *, action: str) -> NoReturn:
    """Refuse a change the plan's state does not allow now (409): issued, ceased, or out of order."""
    raise Refused(
        409, detail, action=action, person=access.person, object_type="plan", object_id=access.plan.id
    )


def row_of_plan(
    db: Session,
    access: PlanAccess,
    model: type[Row],
    row_id: int,
    *,
    object_type: str,
    action: str,
    standing_only: bool = False,
) -> Row:
    """A row of this plan; any other is absent (404), as is a removed one if `standing_only`.

    Asking for another plan's row by its number finds nothing, and the refusal is audited.
    """
    row = db.get(model, row_id)
    if (
        row is None
        or row.plan_id != access.plan.id
        or (standing_only and getattr(row, "removed_at", None) is not None)
    ):
        raise Refused(
            404, "Not Found", action=action, person=access.person, object_type=object_type, object_id=row_id
        )
    return row
