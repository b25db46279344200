"""The council's searchable list of every child and plan in its area, for its case and audit officers.

Keyset-paged by the child's name, the child and the plan's number (no OFFSET): a page is a walk of an
index from where the last page ended, so page 4,000 costs what page 1 does, and the list of 100,000
plans what the list of 100 does. Unsearched, the walk is of `ix_child_council_name` (council, name,
child). A search is for the start of any word of the name, in any case ("sam", "tay" for Sam Taylor),
every word searched matching a word of the name: it walks `ix_child_name_part_walk` (council, word
start, name, child) at the longest word searched, already in the list's order, and checks the others
by the child's own rows of that index (app/models/child_names.py), so a rare name costs what a common
one does. A plan's reference (OP-1003) finds that plan.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, false, or_, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.actor import Actor
from app.errors import Refused
from app.models import (
    PLAN_KIND_LABELS,
    PLAN_STATUS_LABELS,
    Child,
    ChildNamePart,
    Organisation,
    OrganisationKind,
    Plan,
    PlanKind,
    PlanStatus,
    SupportLayer,
)
from app.models.child_names import PREFIX_MAX, words_of
from app.models.plan import plan_reference
from app.services import audit
from app.services.audit.search import plan_id_from_reference

PAGE_SIZE = 25
MAX_SEARCH = 100
MAX_WORDS = 6
"""Words of a search looked for; more than a name has are not."""


@dataclass(frozen=True)
class CouncilRow:
    plan_id: int
    child_name: str
    setting: str | None
    kind: PlanKind
    status: PlanStatus
    layer: SupportLayer | None = None
    """An ISP's layer of support (none for other plans)."""

    @property
    def reference(self) -> str:
        return plan_reference(self.plan_id)

    @property
    def kind_label(self) -> str:
        return PLAN_KIND_LABELS[self.kind]

    @property
    def status_label(self) -> str:
        return PLAN_STATUS_LABELS[self.status]


@dataclass(frozen=True)
class CouncilPage:
    rows: list[CouncilRow]
    search: str
    after: int | None
    """The plan to start the next page after, if there is a next page."""
    before: int | None
    """The plan to end the previous page before, if there is a previous page."""


def council_of(db: Session, actor: Actor) -> Organisation:
    """The officer's own council: the list is of its plans only."""
    person = actor.signed_in()
    council = db.get(Organisation, person.organisation_id) if person.organisation_id else None
    if council is None or council.kind is not OrganisationKind.LOCAL_AUTHORITY:
        raise Refused(
            403, "Your account is not part of a local authority.", action="la.plans_refused", person=person
        )
    return council


def _cursor(db: Session, council_id: int, plan_id: int | None) -> tuple[str, int] | None:
    """Where a page starts or ends: the name and number of that plan's child."""
    if plan_id is None:
        return None
    found = db.exec(
        select(Child.full_name, Child.id)
        .join(Plan, col(Plan.child_id) == col(Child.id))
        .where(col(Plan.id) == plan_id, col(Child.local_authority_id) == council_id)
    ).first()
    return (found[0], int(found[1] or 0)) if found is not None else None


def _listed(name: Any, child: Any, council_id: int) -> Any:
    """The list's columns, the child's name and number taken from `name` and `child`'s table."""
    return (
        sa_select(
            col(Plan.id),
            name,
            col(Organisation.name),
            col(Plan.kind),
            col(Plan.status),
            col(Plan.support_layer),
        )
        .join(Plan, col(Plan.child_id) == child)
        .outerjoin(Organisation, col(Organisation.id) == col(Plan.setting_id))
        .where(col(Plan.local_authority_id) == council_id)
    )


def _searched(council_id: int, search: str) -> tuple[Any, Any, Any]:
    """The plans of the children with a name with a word starting with each word searched, and the
    columns to walk in order: the index's rows at the longest word searched (the fewest names, as a
    rule), which hold the child's council and name, so the child's own row is not read."""
    words = sorted(set(words_of(search)), key=len, reverse=True)[:MAX_WORDS]
    walked = aliased(ChildNamePart, name="walked")
    name, child = col(walked.full_name), col(walked.child_id)
    query = (
        _listed(name, child, council_id)
        .select_from(walked)
        .where(col(walked.local_authority_id) == council_id)
    )
    if not words:
        return query.where(false()), name, child
    query = query.where(col(walked.prefix) == words[0][:PREFIX_MAX])
    for word in words[1:]:
        other = aliased(ChildNamePart)
        query = query.where(
            exists().where(col(other.child_id) == child, col(other.prefix) == word[:PREFIX_MAX])
        )
    return query, name, child


def council_page(
    db: Session,
    actor: Actor,
    council_id: int,
    *,
    search: str = "",
    after: int | None = None,
    before: int | None = None,
) -> CouncilPage:
    """One page of the council's list, forwards from `after` or back from `before` (audited as a read)."""
    search = " ".join(search.split())[:MAX_SEARCH]
    plan_id = plan_id_from_reference(search) if search else None
    if search and plan_id is None:
        query, name, child = _searched(council_id, search)
    else:
        name, child = col(Child.full_name), col(Child.id)
        query = (
            _listed(name, child, council_id)
            .select_from(Child)
            .where(col(Child.local_authority_id) == council_id)
        )
        if plan_id is not None:
            query = query.where(col(Plan.id) == plan_id)
    backwards = before is not None and after is None
    cursor_id = before if backwards else after
    cursor = _cursor(db, council_id, cursor_id)
    if cursor is not None:
        # The range is on the walked index's own columns (name, child); the cursor child's other plans
        # are sorted by plan number within it. A row comparison of two tables' columns would not use it.
        key = tuple_(name, child)
        same_child = child == cursor[1]
        if backwards:
            query = query.where(key <= cursor, or_(~same_child, col(Plan.id) < cursor_id))
        else:
            query = query.where(key >= cursor, or_(~same_child, col(Plan.id) > cursor_id))
    order = (name, child, col(Plan.id))
    query = query.order_by(*(column.desc() for column in order) if backwards else order)
    found = [
        CouncilRow(
            int(plan_id or 0),
            name,
            setting,
            PlanKind(kind),
            PlanStatus(status),
            SupportLayer(layer) if layer else None,
        )
        for plan_id, name, setting, kind, status, layer in db.execute(query.limit(PAGE_SIZE + 1)).all()
    ]
    more = len(found) > PAGE_SIZE
    rows = found[:PAGE_SIZE]
    if backwards:
        rows.reverse()
    moved = cursor is not None
    page = CouncilPage(
        rows,
        search,
        after=rows[-1].plan_id if rows and (more or (backwards and moved)) else None,
        before=rows[0].plan_id if rows and ((backwards and more) or (not backwards and moved)) else None,
    )
    audit.record(
        db,
        actor,
        "la.plans_listed",
        object_type="organisation",
        object_id=council_id,
        details={"shown": len(rows), "searched": bool(search)},
    )
    return page
