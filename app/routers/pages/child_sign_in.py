"""Children's sign-in cards: a parent makes and revokes them; the child opens one and picks pictures."""

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Request
from markupsafe import Markup, escape
from sqlmodel import Session
from starlette.responses import Response

from app.auth import set_session_cookie
from app.dependencies import ActorDep, CurrentPerson, IdentityDep, RowId, SessionDep, SettingsDep, requires
from app.errors import Refused
from app.forms.account import FamilyWordForm, SignInCardForm
from app.models import FamilyWord, Person, PersonRole
from app.permissions import Permission
from app.rendering import render
from app.routers.pages.inputs import FormValues
from app.services.auth import child_cards, family_words
from app.services.auth.child_cards import PICTURES, PICTURES_TO_PICK, CardDoesNotWork, WrongPictures
from app.services.auth.throttle import Throttled
from app.services.plans.plans import own_memberships
from app.urls import Page, see_other

router = APIRouter()
set_up = [requires(Permission.SET_UP_CHILD_SIGN_IN)]
PICTURE_FIELDS = ("first", "second", "third")


def load_child(child_id: RowId, db: SessionDep, actor: ActorDep) -> Person:
    """The child whose card this person manages; anyone else's child is not found (and audited)."""
    try:
        return child_cards.child_to_set_up(db, actor, child_id)
    except child_cards.ChildNotFound:
        raise Refused(
            404,
            "Not Found",
            action="child_sign_in_card.refused",
            person=actor.person,
            object_type="person",
            object_id=child_id,
        ) from None


ChildToSetUp = Annotated[Person, Depends(load_child)]


def first_name(person: Person) -> str:
    return person.display_name.split()[0] if person.role is PersonRole.CHILD else person.display_name


def qr_code(link: str, label: str) -> Markup:
    """The link as an inline SVG QR code: markup, not script or inline style, so the CSP allows it."""
    svg = segno.make(link, error="m").svg_inline(scale=4, dark="#0b0c0c", light="#ffffff")
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(labelled)  # nosec B704 # segno draws the link as shapes, not text; the label is escaped


def _children_page(
    request: Request, db: Session, actor: ActorDep, errors: dict[str, str] | None = None
) -> Response:
    context = {
        "children": child_cards.my_children(db, actor),
        "words": family_words.words_of_parent(db, actor.signed_in()),
        "family_words": list(FamilyWord),
        "errors": errors or {},
    }
    return render(request, "pages/child_sign_in/children.html", context)


@router.get("/account/children", dependencies=set_up)
def children_page(request: Request, db: SessionDep, actor: ActorDep) -> Response:
    return _children_page(request, db, actor)


@router.post("/account/children/{child_id}/family-word", dependencies=set_up)
def save_family_word(
    request: Request, db: SessionDep, actor: ActorDep, child: ChildToSetUp, form: FormValues
) -> Response:
    """What the child calls this parent: their own pages name the parent so ("Alex, your mum")."""
    typed, errors = FamilyWordForm.read(form)
    if typed is None:
        return _children_page(request, db, actor, {f"child_calls-{child.id}": errors["child_calls"]})
    family_words.set_family_word(db, actor, child, typed.child_calls)
    return see_other(request, Page.CHILD_SIGN_IN)


def _new_card_context(
    db: Session, child: Person, *, errors: dict[str, str], chosen: dict[str, str]
) -> dict[str, Any]:
    status = child_cards.card_status(db, child)
    return {"child": child, "status": status, "pictures": PICTURES, "errors": errors, "chosen": chosen}


@router.get("/account/children/{child_id}/sign-in-card", dependencies=set_up)
def new_card_page(request: Request, db: SessionDep, child: ChildToSetUp) -> Response:
    return render(
        request,
        "pages/child_sign_in/new_card.html",
        _new_card_context(db, child, errors={}, chosen={}),
    )


@router.post("/account/children/{child_id}/sign-in-card", dependencies=set_up)
def create_card(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    child: ChildToSetUp,
    form: FormValues,
) -> Response:
    typed, errors = SignInCardForm.read(form)
    pictures = child_cards.pictures_from([typed.first, typed.second, typed.third]) if typed else None
    if pictures is None:
        chosen = {field: form.get(field, "") for field in PICTURE_FIELDS}
        context = _new_card_context(db, child, errors=errors, chosen=chosen)
        return render(request, "pages/child_sign_in/new_card.html", context)
    issued = child_cards.create_card(db, settings, actor, child, pictures)
    link = issued.link(settings.public_url)
    context = {
        "child": child,
        "first_name": first_name(child),
        "link": link,
        "qr_code": qr_code(link, f"QR code for {first_name(child)}'s sign-in card"),
        "pictures": issued.pictures,
    }
    return render(request, "pages/child_sign_in/card_made.html", context)


@router.post("/account/children/{child_id}/sign-in-card/revoke", dependencies=set_up)
def revoke_card(request: Request, db: SessionDep, actor: ActorDep, child: ChildToSetUp) -> Response:
    child_cards.revoke_card(db, actor, child)
    return see_other(request, Page.CHILD_SIGN_IN)


def _card_page(
    request: Request,
    token: str,
    *,
    chosen: list[str],
    signed_in_as: Person | None,
    problem: str | None = None,
) -> Response:
    context = {
        "token": token,
        "chosen": chosen,
        "pictures": PICTURES,
        "to_pick": PICTURES_TO_PICK,
        "problem": problem,
        "signed_in_as": signed_in_as,
    }
    return render(request, "pages/child_sign_in/card.html", context)


def _card_not_working(request: Request) -> Response:
    return render(request, "pages/child_sign_in/card_not_working.html", status_code=404)


@router.get("/card/{token}", dependencies=[requires(Permission.PUBLIC)])
def card_page(request: Request, token: str, db: SessionDep, identity: IdentityDep) -> Response:
    try:
        child = child_cards.child_for_card(db, token)
    except CardDoesNotWork:
        return _card_not_working(request)
    if identity.person is not None and identity.person.id == child.id:
        return see_other(request, Page.WELCOME)
    return _card_page(request, token, chosen=[], signed_in_as=identity.person)


@router.post("/card/{token}", dependencies=[requires(Permission.PUBLIC)])
def pick_picture(
    request: Request,
    token: str,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    identity: IdentityDep,
    picture: Annotated[str, Form(max_length=20)] = "",
    chosen: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """One tap per request (no script needed): the pictures so far ride along in the form."""
    picked = [name for name in chosen.split() if name in PICTURES][: PICTURES_TO_PICK - 1]
    if picture in PICTURES:
        picked.append(picture)
    try:
        if len(picked) < PICTURES_TO_PICK:
            child_cards.child_for_card(db, token)
            return _card_page(request, token, chosen=picked, signed_in_as=identity.person)
        signed_in = child_cards.sign_in_with_card(
            db, settings, actor, token, picked, replaces=identity.session
        )
    except CardDoesNotWork:
        return _card_not_working(request)
    except WrongPictures as wrong:
        problem = "Those are not your pictures. Tap your 3 pictures again, in order."
        if wrong.tries_left <= 2:
            problem += f" You can try {wrong.tries_left} more {'time' if wrong.tries_left == 1 else 'times'}."
        return _card_page(request, token, chosen=[], signed_in_as=identity.person, problem=problem)
    except Throttled as throttled:
        return _card_page(request, token, chosen=[], signed_in_as=identity.person, problem=throttled.message)
    response = see_other(request, Page.WELCOME)
    set_session_cookie(response, signed_in.session_token, settings)
    return response


@router.get("/welcome", dependencies=[requires(Permission.SIGNED_IN)])
def welcome_page(request: Request, db: SessionDep, person: CurrentPerson) -> Response:
    """Where a child lands after their card: straight on to their own page when they have a plan."""
    plan_ids = sorted(own_memberships(db, person))
    context = {"first_name": first_name(person), "plan_ids": plan_ids}
    return render(request, "pages/child_sign_in/welcome.html", context)
