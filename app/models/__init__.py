"""All tables, imported here so that Alembic and relationships see every one of them."""

from app.models.audit import AuditEvent, Channel, Outcome
from app.models.auth import (
    ApiToken,
    ChildSignInCard,
    LinkPurpose,
    OneTimeLink,
    RecoveryCode,
    SignInAttempt,
    SignInMethod,
    UserSession,
)
from app.models.mail import OutboxMessage
from app.models.organisation import ORGANISATION_KIND_LABELS, Organisation, OrganisationKind
from app.models.person import (
    FAMILY_ROLES,
    ROLE_LABELS,
    STAFF_ROLES,
    FamilyLink,
    InviteStaff,
    Person,
    PersonRole,
)

__all__ = [
    "FAMILY_ROLES",
    "ORGANISATION_KIND_LABELS",
    "ROLE_LABELS",
    "STAFF_ROLES",
    "ApiToken",
    "AuditEvent",
    "Channel",
    "ChildSignInCard",
    "FamilyLink",
    "InviteStaff",
    "LinkPurpose",
    "OneTimeLink",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "Outcome",
    "Person",
    "PersonRole",
    "RecoveryCode",
    "SignInAttempt",
    "SignInMethod",
    "UserSession",
]
