"""The demo's Experts at Hand services (Hannah Reed is the speech and language therapist) and
Riverside's inclusion base."""

from sqlmodel import Session, select

from app.models import ExpertService, InclusionBase, Organisation, Person, Specialism
from app.models.base import id_of

SPEECH_AND_LANGUAGE_THERAPY = "Northshire Speech and Language Therapy Service"
EDUCATIONAL_PSYCHOLOGY = "Northshire Educational Psychology Service"
RIVERSIDE_BASE = "The Nest"
SLT_REQUESTS = "slt.requests@nhs.example"
"""The speech and language therapy service's shared inbox, where requests to it are mailed."""
SERVICES = (
    (SPEECH_AND_LANGUAGE_THERAPY, Specialism.SPEECH_AND_LANGUAGE_THERAPY, SLT_REQUESTS),
    (EDUCATIONAL_PSYCHOLOGY, Specialism.EDUCATIONAL_PSYCHOLOGY, None),
)


def create_demo_experts(
    session: Session, people: dict[str, Person], organisations: dict[str, Organisation]
) -> None:
    """Make the demo organisations Experts at Hand services, and give Riverside its base (once)."""
    for name, specialism, contact in SERVICES:
        organisation_id = id_of(organisations[name])
        found = session.exec(
            select(ExpertService).where(ExpertService.organisation_id == organisation_id)
        ).first()
        if found is None:
            session.add(
                ExpertService(organisation_id=organisation_id, specialism=specialism, contact_email=contact)
            )
    riverside = id_of(organisations["Riverside Primary School"])
    base = session.exec(
        select(InclusionBase).where(
            InclusionBase.setting_id == riverside, InclusionBase.name == RIVERSIDE_BASE
        )
    ).first()
    if base is None:
        session.add(
            InclusionBase(
                setting_id=riverside, name=RIVERSIDE_BASE, created_by_id=id_of(people["Priya Shah"])
            )
        )
    session.flush()
