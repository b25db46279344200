"""Children's sign-in cards: an unguessable link plus three pictures, set up by a parent.

The link (256 random bits) is the card; the pictures stop someone who finds the card. Only a
digest of the link and an argon2 hash of the pictures are stored. Five wrong tries in a row lock
the card for good (the parent makes a new one), and every try counts towards the per-address
throttle that password sign-in uses too. Young people of 16 or over sign in like adults: their
parents do not hold a way in for them.
"""

from dataclasses import dataclass, replace
from enum import StrEnum

from sqlmodel import Session, col, select

from app.actor import Actor
from app.config import Settings
from app.models import ChildSignInCard, FamilyLink, Outcome, Person, PersonRole, SignInMethod, UserSession
from app.models.base import id_of, utc_now
from app.permissions import may_set_up_sign_in_for
from app.services import audit
from app.services.auth.passwords import hash_password, verify_password
from app.services.auth.secrets import digest, new_token
from app.services.auth.sessions import start_session
from app.services.auth.throttle import Throttled, check_throttle, note_attempt
from app.services.mail import send_mail

PICTURES: tuple[str, ...] = ("cat", "fish", "bird", "tree", "flower", "sun", "star", "house", "boat")
"""The nine pictures, in the order the child sees them; each has a picture in components/pictures.html."""
PICTURES_TO_PICK = 3
WRONG_TRIES_BEFORE_LOCK = 5
CARD_PATH = "/card/"


class ChildNotFound(LookupError):
    """No such child for this person: not theirs to set up, so it does not exist for them."""


class CardDoesNotWork(Exception):
    """Unknown, revoked or locked card, or a child who can no longer use one."""


class WrongPictures(Exception):
    def __init__(self, tries_left: int) -> None:
        super().__init__(f"wrong pictures, {tries_left} tries left")
        self.tries_left = tries_left


class CardState(StrEnum):
    NONE = "none"
    WORKING = "working"
    LOCKED = "locked"
    REVOKED = "revoked"
    OWN_ACCOUNT = "own_account"
    """16 or over: signs in like an adult, no card."""


@dataclass(frozen=True)
class ChildCardStatus:
    child: Person
    state: CardState
    card: ChildSignInCard | None
    """The newest card, whatever its state."""


@dataclass(frozen=True)
class IssuedCard:
    card: ChildSignInCard
    token: str
    """The link's secret: shown once, never stored."""
    pictures: tuple[str, ...]

    def link(self, public_url: str) -> str:
        return card_link(public_url, self.token)


@dataclass(frozen=True)
class ChildSignedIn:
    child: Person
    session_token: str


def card_link(public_url: str, token: str) -> str:
    return public_url.rstrip("/") + CARD_PATH + token


def pictures_from(names: list[str]) -> tuple[str, ...] | None:
    """The sequence when every name is one of the nine and there are exactly three; else None."""
    if len(names) != PICTURES_TO_PICK or any(name not in PICTURES for name in names):
        return None
    return tuple(names)


def _secret(pictures: tuple[str, ...]) -> str:
    return "child-card:" + " ".join(pictures)


def _parent_ids(db: Session, child: Person) -> set[int]:
    return set(db.exec(select(FamilyLink.parent_id).where(FamilyLink.child_id == child.id)))


def may_have_card(child: Person) -> bool:
    """Children under 16 who are still active; from 16 the young person's account is their own."""
    return child.role is PersonRole.CHILD and child.is_active and not child.makes_own_decisions


def child_to_set_up(db: Session, actor: Actor, child_id: int) -> Person:
    """The child whose card this person may manage (their parent or carer)."""
    person = actor.signed_in()
    child = db.get(Person, child_id)
    if child is None or not may_set_up_sign_in_for(person, child, _parent_ids(db, child)):
        raise ChildNotFound(child_id)
    if not may_have_card(child):
        raise ChildNotFound(child_id)
    return child


def _newest_card(db: Session, child: Person) -> ChildSignInCard | None:
    return db.exec(
        select(ChildSignInCard)
        .where(ChildSignInCard.child_id == child.id)
        .order_by(col(ChildSignInCard.created_at).desc(), col(ChildSignInCard.id).desc())
    ).first()


def card_status(db: Session, child: Person) -> ChildCardStatus:
    if not may_have_card(child):
        return ChildCardStatus(child, CardState.OWN_ACCOUNT, None)
    card = _newest_card(db, child)
    if card is None:
        state = CardState.NONE
    elif card.revoked_at is not None:
        state = CardState.REVOKED
    elif card.locked_at is not None:
        state = CardState.LOCKED
    else:
        state = CardState.WORKING
    return ChildCardStatus(child, state, card)


def my_children(db: Session, actor: Actor) -> list[ChildCardStatus]:
    """The children linked to the signed-in parent, each with their card's state."""
    person = actor.signed_in()
    children = db.exec(
        select(Person)
        .join(FamilyLink, col(FamilyLink.child_id) == col(Person.id))
        .where(FamilyLink.parent_id == person.id, Person.role == PersonRole.CHILD)
        .order_by(col(Person.display_name))
    )
    return [card_status(db, child) for child in children]


def _working_cards(db: Session, child: Person) -> list[ChildSignInCard]:
    return list(
        db.exec(
            select(ChildSignInCard).where(
                ChildSignInCard.child_id == child.id,
                col(ChildSignInCard.revoked_at).is_(None),
                col(ChildSignInCard.locked_at).is_(None),
            )
        )
    )


def _revoke_all(db: Session, actor: Actor, child: Person, reason: str) -> int:
    cards = _working_cards(db, child)
    for card in cards:
        card.revoked_at = utc_now()
        db.add(card)
        audit.record(
            db,
            actor,
            "child_sign_in_card.revoked",
            object_type="child_sign_in_card",
            object_id=card.id,
            reason=reason,
            details={"child_id": child.id},
        )
    return len(cards)


def _tell_parents(db: Session, settings: Settings, creator: Person, child: Person) -> list[int]:
    """E-mail every parent linked to the child that a new card replaced the old one (a card is a way in).

    The message names nobody but who made the card: it goes to an inbox, not to OnePlan.
    """
    parents = db.exec(
        select(Person)
        .join(FamilyLink, col(FamilyLink.parent_id) == col(Person.id))
        .where(FamilyLink.child_id == child.id, col(Person.deactivated_at).is_(None))
        .order_by(col(Person.id))
    )
    told = []
    for parent in parents:
        if not parent.email:
            continue
        message = send_mail(
            db,
            settings,
            parent.email,
            f"A new sign-in card was made on {settings.service_name}",
            f"{creator.display_name} has made a new sign-in card for a child you look after on "
            f"{settings.service_name}. The card it replaces no longer works.\n\n"
            "If you did not expect this, sign in, open Your children and switch the new card off:\n"
            f"{settings.public_url.rstrip('/')}/account/children\n",
        )
        told.append(id_of(message))
    return told


def create_card(
    db: Session, settings: Settings, actor: Actor, child: Person, pictures: tuple[str, ...]
) -> IssuedCard:
    """Make a new card for a child from `child_to_set_up`; the old one stops working, and the parents
    are told by e-mail when one is replaced (the event names the messages)."""
    if pictures_from(list(pictures)) is None:
        raise ValueError("a card needs three of the nine pictures")
    creator = actor.signed_in()
    replaces = _newest_card(db, child) is not None
    _revoke_all(db, actor, child, reason="replaced by a new card")
    told = _tell_parents(db, settings, creator, child) if replaces else []
    token = new_token()
    card = ChildSignInCard(
        child_id=id_of(child),
        token_hash=digest(token),
        pictures_hash=hash_password(_secret(pictures)),
        created_by_id=id_of(creator),
    )
    db.add(card)
    db.flush()
    audit.record(
        db,
        actor,
        "child_sign_in_card.created",
        object_type="child_sign_in_card",
        object_id=card.id,
        details={"child_id": child.id, "replaced": replaces, "parents_told": told},
    )
    return IssuedCard(card, token, pictures)


def revoke_card(db: Session, actor: Actor, child: Person) -> int:
    """Stop the child's card working; returns how many were (0 when there was none)."""
    return _revoke_all(db, actor, child, reason="revoked by the person who manages it")


def _card_and_child(
    db: Session, token: str, *, for_update: bool = False
) -> tuple[ChildSignInCard, Person] | None:
    query = (
        select(ChildSignInCard, Person)
        .join(Person, col(Person.id) == col(ChildSignInCard.child_id))
        .where(ChildSignInCard.token_hash == digest(token))
    )
    if for_update:
        query = query.with_for_update(of=ChildSignInCard)
    row = db.exec(query).first()
    return (row[0], row[1]) if row is not None else None


def _works(card: ChildSignInCard, child: Person) -> bool:
    return card.revoked_at is None and card.locked_at is None and may_have_card(child)


def child_for_card(db: Session, token: str) -> Person:
    """The child a working card belongs to (for greeting them); CardDoesNotWork otherwise."""
    found = _card_and_child(db, token)
    if found is None or not _works(*found):
        raise CardDoesNotWork()
    return found[1]


def sign_in_with_card(
    db: Session,
    settings: Settings,
    actor: Actor,
    token: str,
    pictures: list[str],
    *,
    replaces: UserSession | None = None,
) -> ChildSignedIn:
    """Check the pictures against the card; start the child's session, or count the wrong try.

    Raises Throttled, CardDoesNotWork (also when this try locked the card) or WrongPictures.
    """
    # Whoever tries a card acts as the child-to-be, not as whoever was signed in on this browser.
    actor = replace(actor, person=None)
    address = actor.client_address
    details: dict[str, object] = {"method": SignInMethod.CHILD_CARD.value}
    try:
        check_throttle(db, settings, None, address)
    except Throttled:
        audit.record(
            db, actor, "sign_in.failed", outcome=Outcome.REFUSED, reason="throttled", details=details
        )
        raise
    found = _card_and_child(db, token, for_update=True)
    if found is None or not _works(*found):
        note_attempt(db, settings, None, address, succeeded=False)
        card = found[0] if found else None
        audit.record(
            db,
            actor,
            "sign_in.failed",
            subject=found[1] if found else None,
            object_type="person" if found else None,
            object_id=found[1].id if found else None,
            outcome=Outcome.REFUSED,
            reason="card does not work" if found else "unknown card",
            details={**details, "card_id": card.id} if card else details,
        )
        raise CardDoesNotWork()
    card, child = found
    details["card_id"] = id_of(card)
    chosen = pictures_from(pictures)
    if chosen is None or not verify_password(card.pictures_hash, _secret(chosen)):
        note_attempt(db, settings, None, address, succeeded=False)
        card.failed_attempts += 1
        db.add(card)
        audit.record(
            db,
            actor,
            "sign_in.failed",
            subject=child,
            object_type="person",
            object_id=child.id,
            outcome=Outcome.REFUSED,
            reason="wrong pictures",
            details=details,
        )
        if card.failed_attempts >= WRONG_TRIES_BEFORE_LOCK:
            card.locked_at = utc_now()
            audit.record(
                db,
                actor,
                "child_sign_in_card.locked",
                subject=child,
                object_type="child_sign_in_card",
                object_id=card.id,
                reason=f"{card.failed_attempts} wrong tries in a row",
                details={"child_id": child.id},
            )
            raise CardDoesNotWork()
        raise WrongPictures(WRONG_TRIES_BEFORE_LOCK - card.failed_attempts)
    note_attempt(db, settings, None, address, succeeded=True)
    card.failed_attempts = 0
    db.add(card)
    session_token = start_session(
        db,
        child,
        SignInMethod.CHILD_CARD,
        second_factor_done=True,
        client_address=address,
        replaces=replaces,
    )
    audit.record(
        db,
        actor,
        "sign_in.succeeded",
        subject=child,
        object_type="person",
        object_id=child.id,
        details=details,
    )
    return ChildSignedIn(child, session_token)
