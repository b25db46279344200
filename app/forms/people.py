"""The forms about people and organisations: adding a member to a plan, and the administrators' forms."""

from typing import Annotated, ClassVar

from app.forms.base import PageForm
from app.forms.fields import Choice, ChosenId, Text
from app.models import MemberRole, OrganisationKind, PersonRole, SettingPhase
from app.services.people import INVITABLE_ROLES

EMAIL_TOO_LONG = "The e-mail address must be 254 characters or fewer"
NAME_TOO_LONG = "The name must be 120 characters or fewer"


class NewMemberForm(PageForm):
    """Someone added to a plan: by e-mail address; a name and organisation for someone new to OnePlan."""

    email: Annotated[str, Text(254, missing="Enter their e-mail address", too_long=EMAIL_TOO_LONG)]
    role: Annotated[MemberRole, Choice(MemberRole, "Select their part on the plan")]
    display_name: Annotated[str, Text(120, too_long=NAME_TOO_LONG)]
    organisation_id: Annotated[int | None, ChosenId()]
    problem_fallback: ClassVar[str | None] = "email"


ROLE_TOO_LONG = "The name of the role must be 100 characters or fewer"


class RemovalForm(PageForm):
    """Why someone is taken off a plan: the family sees it in the plan's history."""

    reason: Annotated[
        str,
        Text(
            2000,
            missing="Enter why they are being removed from the plan",
            too_long="The reason must be 2,000 characters or fewer",
        ),
    ]
    problem_fallback: ClassVar[str | None] = "reason"


class NewOrganisationForm(PageForm):
    name: Annotated[str, Text(200, too_long="The name must be 200 characters or fewer")]
    kind: Annotated[OrganisationKind, Choice(OrganisationKind, "Select what kind of organisation it is")]
    local_authority_id: Annotated[int | None, ChosenId()]
    phase: Annotated[SettingPhase | None, Choice(SettingPhase, optional=True)]


class DelivererRoleForm(PageForm):
    """A role a council adds to the list of who delivers provision (the service checks the rest)."""

    local_authority_id: Annotated[int, ChosenId("Select the local authority whose list it goes on")]
    label: Annotated[str, Text(100, missing="Enter the name of the role", too_long=ROLE_TOO_LONG)]


class InviteStaffForm(PageForm):
    display_name: Annotated[str, Text(120, missing="Enter the person's full name", too_long=NAME_TOO_LONG)]
    email: Annotated[str, Text(254, missing="Enter the person's e-mail address", too_long=EMAIL_TOO_LONG)]
    role: Annotated[PersonRole, Choice(PersonRole, "Select the person's role", among=INVITABLE_ROLES)]
    organisation_id: Annotated[int, ChosenId("Select the person's organisation")]
