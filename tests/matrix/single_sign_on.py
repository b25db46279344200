"""Single sign-on: open to everyone where it is configured; the test app has no issuer, so both
addresses answer 404 to every caller, signed in or not (tests/test_single_sign_on.py covers them
with a real provider)."""

from tests.matrix import Relationship, Route, statuses

ROUTES = [
    Route("GET", "/sign-in/sso", {Relationship.NONE: statuses(404)}),
    Route("GET", "/sign-in/sso/callback", {Relationship.NONE: statuses(404)}),
]
