"""The account forms: API tokens, passwords (set from an invitation or a reset link), children's cards."""

from typing import Annotated

from pydantic import StringConstraints

from app.forms.base import PageForm
from app.forms.fields import Choice, OneOf, Text
from app.models import FamilyWord
from app.services.auth.child_cards import PICTURES

NewPassword = Annotated[
    str,
    StringConstraints(strip_whitespace=False),
    Text(256, too_long="The password must be 256 characters or fewer"),
]
"""A new password exactly as typed; whether it will do is the service's to say (links.PasswordRejected)."""


class TokenForm(PageForm):
    name: Annotated[
        str,
        Text(
            80,
            missing="Enter a name for the token, such as the program that will use it",
            too_long="The name must be 80 characters or fewer",
        ),
    ]


class PasswordResetForm(PageForm):
    email: Annotated[
        str,
        Text(
            254,
            missing="Enter your e-mail address",
            too_long="The e-mail address must be 254 characters or fewer",
        ),
    ]


class NewPasswordForm(PageForm):
    """A new password typed twice (from an invitation, or a link to reset a forgotten one)."""

    password: NewPassword
    confirm_password: NewPassword


class SignInCardForm(PageForm):
    """The three pictures on a child's sign-in card, in order."""

    first: Annotated[str, OneOf(PICTURES, "Choose the first picture")]
    second: Annotated[str, OneOf(PICTURES, "Choose the second picture")]
    third: Annotated[str, OneOf(PICTURES, "Choose the third picture")]


class FamilyWordForm(PageForm):
    """What the child calls the parent, for the child's own pages."""

    child_calls: Annotated[FamilyWord, Choice(FamilyWord, "Choose what your child calls you")]
