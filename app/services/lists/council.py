"""The council's searchable list of every child and plan in its area, for its case and audit officers.

Keyset-paged by the child's name, the child and the plan's number (no OFFSET): a page is a walk of the index
`ix_child_council_name` from where the last page ended, so page 4,000 costs what page 1 does, and the
list of 100,000 plans what the list of 100 does. The search takes part of a name, in any case, or a
plan's reference (OP-1003).
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, tuple_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.actor import Actor
from app.errors import Refused
from app.models import (
    PLAN_KIND_LABELS,
    PLAN_STATUS_LABELS,
    Child,
    Organisation,
    OrganisationKind,
    Plan,
    PlanKind,
    PlanStatus,
    SupportLayer,
)
from app.models.plan import plan_reference
from app.services import audit
from app.services.audit.search import plan_id_from_reference

PAGE_SIZE = 25
MAX_SEARCH = 100


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
    query = (
        sa_select(
            col(Plan.id),
            col(Child.full_name),
            col(Organisation.name),
            col(Plan.kind),
            col(Plan.status),
            col(Plan.support_layer),
        )
        .join(Child, col(Child.id) == col(Plan.child_id))
        .outerjoin(Organisation, col(Organisation.id) == col(Plan.setting_id))
        .where(col(Child.local_authority_id) == council_id, col(Plan.local_authority_id) == council_id)
    )
    plan_id = plan_id_from_reference(search) if search else None
    if plan_id is not None:
        query = query.where(col(Plan.id) == plan_id)
    elif search:
        query = query.where(func.lower(col(Child.full_name)).contains(search.lower(), autoescape=True))
    backwards = before is not None and after is None
    cursor_id = before if backwards else after
    cursor = _cursor(db, council_id, cursor_id)
    if cursor is not None:
        # The range is on the index's own columns (name, child); the cursor child's other plans are
        # sorted by plan number within it. A row comparison of two tables' columns would not use it.
        key = tuple_(col(Child.full_name), col(Child.id))
        same_child = col(Child.id) == cursor[1]
        if backwards:
            query = query.where(key <= cursor, or_(~same_child, col(Plan.id) < cursor_id))
        else:
            query = query.where(key >= cursor, or_(~same_child, col(Plan.id) > cursor_id))
    order = (col(Child.full_name), col(Child.id), col(Plan.id))
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
