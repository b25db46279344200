"""The demo world of DESIGN.md (Northshire), so far as the service has parts for it."""

from sqlmodel import Session

from app.models import Organisation, OrganisationKind
from app.services.organisations import ensure_organisation

NORTHSHIRE = "Northshire County Council"
DEMO_ORGANISATIONS: tuple[tuple[str, OrganisationKind], ...] = (
    ("Riverside Primary School", OrganisationKind.SCHOOL),
    ("Hillcrest Academy", OrganisationKind.SCHOOL),
    ("Northshire NHS Trust", OrganisationKind.HEALTH),
    ("Northshire Children's Services", OrganisationKind.SOCIAL_CARE),
)


def create_demo(session: Session) -> list[Organisation]:
    """Create the demo organisations; running it again changes nothing."""
    council = ensure_organisation(session, NORTHSHIRE, OrganisationKind.LOCAL_AUTHORITY)
    others = [ensure_organisation(session, name, kind, council) for name, kind in DEMO_ORGANISATIONS]
    return [council, *others]
