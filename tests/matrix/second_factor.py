"""The second factor: the /sign-in/... steps answer only a sign-in waiting on its second factor.

The matrix signs every caller in fully, so no caller here is half-way: visitors and signed-in
people alike are sent to /sign-in (303) by `requires(SECOND_FACTOR_PENDING)`; the half-way state
itself is tested in tests/test_second_factor.py. The account page is for staff: families get
404 (they have no second factor), children under 16 the role refusal (403).
"""

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from app.models import STAFF_ROLES, Person
from app.models.base import utc_now
from tests.matrix import Relationship, Route, only, statuses

CODE = {"code": "123456"}
NOT_HALF_WAY = {Relationship.NONE: statuses(303)}


def with_authenticator_app(
    db: Session, person: Person | None, _relationship: Relationship
) -> Mapping[str, Any]:
    """Give the caller a set-up app, so that staff really make new recovery codes."""
    if person is not None:
        person.totp_secret = "JBSWY3DPEHPK3PXP"
        person.totp_confirmed_at = utc_now()
        db.add(person)
        db.flush()
    return {}


def staff_only() -> dict[str, int]:
    return {**only(STAFF_ROLES, 200, refused=404, anonymous=303), "child": 403}


ROUTES = [
    Route("GET", "/sign-in/second-factor", NOT_HALF_WAY),
    Route("POST", "/sign-in/second-factor", NOT_HALF_WAY, form=CODE),
    Route("GET", "/sign-in/second-factor/set-up", NOT_HALF_WAY),
    Route("POST", "/sign-in/second-factor/set-up", NOT_HALF_WAY, form=CODE),
    Route("GET", "/sign-in/recovery-code", NOT_HALF_WAY),
    Route("POST", "/sign-in/recovery-code", NOT_HALF_WAY, form={"code": "abcd-efgh-jkmn"}),
    Route("GET", "/account/second-factor", {Relationship.NONE: staff_only()}),
    Route(
        "POST",
        "/account/second-factor/recovery-codes",
        {Relationship.NONE: staff_only()},
        params=with_authenticator_app,
    ),
]
