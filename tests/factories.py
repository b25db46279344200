"""Plain factory functions for test data (after polar's tests): no framework, just rows."""

import itertools

from sqlmodel import Session

from app.models import Organisation, OrganisationKind, Person, PersonRole, SignInMethod
from app.models.base import id_of, utc_now
from app.services.auth.passwords import hash_password
from app.services.auth.sessions import start_session

_numbers = itertools.count(1)
PASSWORD = "correct horse battery"


def make_organisation(
    db: Session, kind: OrganisationKind = OrganisationKind.SCHOOL, local_authority: Organisation | None = None
) -> Organisation:
    organisation = Organisation(
        name=f"Test {kind.value} {next(_numbers)}",
        kind=kind,
        local_authority_id=local_authority.id if local_authority else None,
    )
    db.add(organisation)
    db.flush()
    return organisation


def make_person(
    db: Session,
    role: PersonRole = PersonRole.PARENT_CARER,
    *,
    organisation: Organisation | None = None,
    email: str | None = "",
    password: str | None = PASSWORD,
    totp_secret: str | None = None,
) -> Person:
    """A person; email "" makes a unique address, None makes none (a young child)."""
    number = next(_numbers)
    person = Person(
        display_name=f"Test {role.value} {number}",
        email=f"person{number}@test.example" if email == "" else email,
        role=role,
        organisation_id=id_of(organisation) if organisation else None,
        password_hash=hash_password(password) if password else None,
        totp_secret=totp_secret,
        totp_confirmed_at=utc_now() if totp_secret else None,
    )
    db.add(person)
    db.flush()
    return person


def session_token_for(db: Session, person: Person, *, second_factor_done: bool = True) -> str:
    """A signed-in session's cookie token, as if the person had just signed in."""
    return start_session(
        db, person, SignInMethod.PASSWORD, second_factor_done=second_factor_done, client_address="testclient"
    )
