"""Views, their pictures and links: the family's own page, pictures, what items answer (pages and API).

OWN and OTHER as in tests/matrix/plan_pages.py: the caller on the plan in their fitting part (with an
item of their own), or a plan of another council they are not on.
"""

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from app.models import Item, ItemKind, ItemLink, ItemRevision, Person, PersonRole, Section, ViewPicture
from app.models.base import id_of
from tests.matrix import SEES_NO_PLAN, Relationship, Route, only
from tests.matrix.plan_pages import CONTRIBUTORS, READERS, _item_params, _plan, contributing, reading

FAMILY = frozenset({PersonRole.PARENT_CARER, PersonRole.CHILD})


def _view(db: Session, plan_id: int, writer: Person) -> Item:
    item = Item(
        plan_id=plan_id,
        section=Section.A,
        kind=ItemKind.VIEW,
        author_id=id_of(writer),
        voice_id=id_of(writer),
        revision_number=1,
    )
    db.add(item)
    db.flush()
    revision = ItemRevision(
        item_id=id_of(item), number=1, author_id=id_of(writer), text="A view for the matrix."
    )
    db.add(revision)
    db.flush()
    item.current_revision_id = revision.id
    db.add(item)
    db.flush()
    return item


def _picture_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """A picture with a view for everyone on the plan (its file is absent: the answer is then 404)."""
    plan, writer, _part = _plan(db, caller, relationship)
    view = _view(db, id_of(plan), writer)
    picture = ViewPicture(
        plan_id=id_of(plan),
        item_id=view.id,
        file_name=f"matrix-{view.id}.png",
        media_type="image/png",
        byte_size=1,
        width=1,
        height=1,
        uploaded_by=id_of(writer),
    )
    db.add(picture)
    db.flush()
    return {"plan_id": plan.id, "picture_id": picture.id}


def _link_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """The writer's own item answering a view of the plan."""
    params = _item_params(db, caller, relationship)
    item = db.get(Item, params["item_id"])
    assert item is not None
    view = _view(db, item.plan_id, db.get(Person, item.author_id) or Person())
    link = ItemLink(
        plan_id=item.plan_id, item_id=id_of(item), answers_id=id_of(view), created_by=item.author_id
    )
    db.add(link)
    db.flush()
    return {**params, "link_id": link.id}


def family_page(allowed: int) -> dict[Relationship, dict[str, int]]:
    """The child's and parents' own page: professionals on the plan are refused (403), others 404."""
    return {
        Relationship.OWN: only(FAMILY, allowed, refused=403, anonymous=303) | SEES_NO_PLAN,
        Relationship.OTHER: only(CONTRIBUTORS, 404, refused=404, anonymous=303),
    }


def api(roles: frozenset[PersonRole], allowed: int, **own: int) -> dict[Relationship, dict[str, int]]:
    return {
        Relationship.OWN: only(roles, allowed, refused=403, anonymous=401) | SEES_NO_PLAN | own,
        Relationship.OTHER: only(roles, 404, refused=404, anonymous=401),
    }


PROFESSIONALS = {role.value: 422 for role in CONTRIBUTORS - FAMILY}
"""A professional adding a view must say whose words they record (voice_id): 422 without it."""
BASE = "/api/v1/plans/{plan_id}"

ROUTES = [
    Route("GET", "/plans/{plan_id}/my-views", family_page(200), params=_item_params),
    Route("GET", "/plans/{plan_id}/my-views/new", family_page(200), params=_item_params),
    Route(
        "POST",
        "/plans/{plan_id}/my-views/new",
        family_page(200),
        params=_item_params,
        form={"step": "like", "answer_like": "Drawing.", "go": "next"},
    ),
    # Saving the views to finish later: a parent's (303 to their page); a child's screens have no
    # "save", so theirs is the page again.
    Route(
        "POST",
        "/plans/{plan_id}/my-views/new",
        {
            Relationship.OWN: family_page(303)[Relationship.OWN] | {PersonRole.CHILD.value: 200},
            Relationship.OTHER: family_page(303)[Relationship.OTHER],
        },
        params=_item_params,
        form={"step": "like", "answer_like": "Drawing.", "go": "save"},
    ),
    # The picture's file was never written: readers get as far as the file (404); see test_voices.
    Route("GET", "/plans/{plan_id}/pictures/{picture_id}", reading(404), params=_picture_params),
    Route("GET", "/plans/{plan_id}/items/{item_id}/links", reading(200), params=_item_params),
    # No choice made: the page again with its error (linking is tested in test_voices).
    Route("POST", "/plans/{plan_id}/items/{item_id}/links", contributing(200), params=_item_params),
    Route(
        "POST",
        "/plans/{plan_id}/items/{item_id}/links/{link_id}/remove",
        contributing(303),
        params=_link_params,
    ),
    Route("GET", f"{BASE}/views", api(READERS, 200), params=_item_params),
    Route(
        "POST",
        f"{BASE}/views",
        api(CONTRIBUTORS, 201, **PROFESSIONALS),
        params=_item_params,
        json={"text": "My view, from the matrix.", "prompt": "like"},
    ),
    # No file sent: 422 for everyone who may add pictures to their own plan.
    Route("POST", f"{BASE}/pictures", api(CONTRIBUTORS, 422), params=_item_params),
    Route("GET", f"{BASE}/pictures/{{picture_id}}", api(READERS, 404), params=_picture_params),
    Route("GET", f"{BASE}/links", api(READERS, 200), params=_item_params),
    # An item that is not on the plan: 404 (linking is tested in test_voices).
    Route(
        "POST",
        f"{BASE}/links",
        api(CONTRIBUTORS, 404),
        params=_item_params,
        json={"item_id": 2147483647, "answers_id": 2147483647},
    ),
    Route("DELETE", f"{BASE}/links/{{link_id}}", api(CONTRIBUTORS, 204), params=_link_params),
]
