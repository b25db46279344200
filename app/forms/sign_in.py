"""The sign-in forms: e-mail address and password, and the second factor's codes."""

from typing import Annotated, ClassVar

from pydantic import StringConstraints

from app.forms.base import PageForm
from app.forms.fields import Text

Password = Annotated[
    str,
    StringConstraints(strip_whitespace=False),
    Text(256, missing="Enter your password", too_long="The password must be 256 characters or fewer"),
]
"""A password is checked exactly as typed, spaces and all."""


class SignInForm(PageForm):
    email: Annotated[
        str,
        Text(
            254,
            missing="Enter your e-mail address",
            too_long="The e-mail address must be 254 characters or fewer",
        ),
    ]
    password: Password
    problem_fallback: ClassVar[str | None] = "email"


NO_CODE = "Enter the 6-digit code from your authenticator app"


class AppCodeForm(PageForm):
    code: Annotated[str, Text(64, missing=NO_CODE, too_long=NO_CODE)]
    problem_fallback: ClassVar[str | None] = "code"


class RecoveryCodeForm(PageForm):
    code: Annotated[
        str, Text(64, missing="Enter one of your recovery codes", too_long="Enter one of your recovery codes")
    ]
    problem_fallback: ClassVar[str | None] = "code"
