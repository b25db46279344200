"""Which views a person may read: the young person's choice, applied by every service that shows views.

The rule itself is `app.permissions.may_see_view`; this module finds the views it hides, in a fixed
number of queries, for the services (content, items, changes, links, pictures) to leave them out.
A hidden view is absent for that person: not listed, and 404 when asked for by its address.
"""

from sqlmodel import Session, col, select

from app.errors import Refused
from app.models import Item, ItemKind, ViewAudience, ViewDetail, ViewReader
from app.permissions import PlanAccess, may_see_view


def hidden_views(db: Session, access: PlanAccess) -> set[int]:
    """The ids of this plan's views that this person may not read (two queries, whatever the plan's size)."""
    chosen = list(
        db.exec(
            select(Item)
            .join(ViewDetail, col(ViewDetail.item_id) == col(Item.id))
            .where(
                col(ViewDetail.plan_id) == access.plan.id,
                col(ViewDetail.audience) == ViewAudience.CHOSEN.value,
            )
        )
    )
    if not chosen:
        return set()
    picked = set(
        db.exec(
            select(ViewReader.item_id).where(
                col(ViewReader.person_id) == access.person.id,
                col(ViewReader.item_id).in_([item.id for item in chosen]),
            )
        )
    )
    me = {access.person.id or 0}
    return {
        int(item.id or 0)
        for item in chosen
        if not may_see_view(access, item, ViewAudience.CHOSEN, me if item.id in picked else set())
    }


def may_read(db: Session, access: PlanAccess, item: Item) -> bool:
    """Whether this person may read this one item (views by their young person's choice; others: yes)."""
    if item.kind is not ItemKind.VIEW:
        return access.may_see
    detail = db.get(ViewDetail, item.id)
    audience = detail.audience if detail is not None else None
    readers: set[int] = set()
    if audience is ViewAudience.CHOSEN:
        readers = set(
            db.exec(
                select(ViewReader.person_id).where(
                    col(ViewReader.item_id) == item.id, col(ViewReader.person_id) == access.person.id
                )
            )
        )
    return may_see_view(access, item, audience, readers)


def check_may_read(db: Session, access: PlanAccess, item: Item) -> None:
    """A view this person may not read does not exist for them (404, audited as a refusal)."""
    if not may_read(db, access, item):
        raise Refused(
            404,
            "Not Found",
            action="item.refused",
            person=access.person,
            object_type="item",
            object_id=item.id,
        )
