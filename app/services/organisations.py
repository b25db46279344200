"""Organisations: created by administrators and by the demo."""

from sqlmodel import Session, select

from app.models import Organisation, OrganisationKind


def ensure_organisation(
    session: Session, name: str, kind: OrganisationKind, local_authority: Organisation | None = None
) -> Organisation:
    """Return the organisation of that name, creating it if it is new (keeps the demo idempotent)."""
    existing = session.exec(select(Organisation).where(Organisation.name == name)).first()
    if existing is not None:
        return existing
    organisation = Organisation(
        name=name,
        kind=kind,
        local_authority_id=local_authority.id if local_authority is not None else None,
    )
    session.add(organisation)
    session.flush()
    return organisation
