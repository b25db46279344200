"""API bearer tokens: shown once, stored as a digest, revocable, acting with their owner's rights."""

from datetime import timedelta

from sqlmodel import Session, col, select

from app.actor import Actor
from app.db import update_after_reading
from app.models import ApiToken, Person
from app.models.base import as_utc, id_of, utc_now
from app.permissions import owns
from app.services import audit
from app.services.auth.secrets import digest, new_token

TOKEN_PREFIX = "op_"


class TokenNotFound(LookupError):
    """No such token among the person's own."""


def create_token(db: Session, actor: Actor, owner: Person, name: str) -> tuple[ApiToken, str]:
    """Return the token row and the secret, which is never shown again."""
    secret = TOKEN_PREFIX + new_token()
    token = ApiToken(
        person_id=id_of(owner),
        name=name.strip() or "API token",
        token_hash=digest(secret),
        prefix=secret[:10],
    )
    db.add(token)
    db.flush()
    audit.record(db, actor, "api_token.created", subject=owner, object_type="api_token", object_id=token.id)
    return token, secret


def own_tokens(db: Session, person: Person) -> list[ApiToken]:
    return list(
        db.exec(
            select(ApiToken)
            .where(ApiToken.person_id == person.id, col(ApiToken.revoked_at).is_(None))
            .order_by(col(ApiToken.created_at).desc())
        )
    )


def revoke_token(db: Session, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens; anyone else's does not exist for them."""
    person = actor.signed_in()
    token = db.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None or not owns(person, token.person_id):
        raise TokenNotFound(token_id)
    token.revoked_at = utc_now()
    db.add(token)
    audit.record(db, actor, "api_token.revoked", object_type="api_token", object_id=token.id)
    return token


def person_for_token(db: Session, secret: str) -> Person | None:
    """The active owner of a live token, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = db.exec(
        select(ApiToken, Person)
        .join(Person, col(Person.id) == col(ApiToken.person_id))
        .where(ApiToken.token_hash == digest(secret), col(ApiToken.revoked_at).is_(None))
    ).first()
    if row is None:
        return None
    token, person = row
    if not person.is_active:
        return None
    now = utc_now()
    # Note use at most once a minute: a write on every API call would cost more than the call.
    if token.last_used_at is None or now - as_utc(token.last_used_at) > timedelta(minutes=1):
        update_after_reading(db, token, last_used_at=now)
    return person
