"""Organisations: created by administrators (and by the demo)."""

from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import Organisation, OrganisationKind, SettingPhase
from app.services import audit


class OrganisationProblem(ValueError):
    """Something to show beside a field: (field, message)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def ensure_organisation(
    session: Session,
    name: str,
    kind: OrganisationKind,
    local_authority: Organisation | None = None,
    phase: SettingPhase | None = None,
) -> Organisation:
    """Return the organisation of that name, creating it if it is new (keeps the demo idempotent).

    A school made before phases were kept is given its `phase` if it has none.
    """
    existing = session.exec(select(Organisation).where(Organisation.name == name)).first()
    if existing is not None:
        if existing.phase is None and phase is not None:
            existing.phase = phase
            session.add(existing)
            session.flush()
        return existing
    organisation = Organisation(
        name=name,
        kind=kind,
        local_authority_id=local_authority.id if local_authority is not None else None,
        phase=phase,
    )
    session.add(organisation)
    session.flush()
    return organisation


def list_organisations(db: Session) -> list[Organisation]:
    return list(db.exec(select(Organisation).order_by(col(Organisation.name))))


def local_authorities(db: Session) -> list[Organisation]:
    return list(
        db.exec(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.LOCAL_AUTHORITY)
            .order_by(col(Organisation.name))
        )
    )


def create_organisation(
    db: Session,
    actor: Actor,
    name: str,
    kind: OrganisationKind,
    local_authority_id: int | None,
    phase: SettingPhase | None = None,
) -> Organisation:
    """An LA stands alone; every other organisation belongs to an LA. Only a school or college has a
    phase (moves to it are checked against the child's year; without one, each needs a reason)."""
    name = " ".join(name.split())
    if not name:
        raise OrganisationProblem("name", "Enter the organisation's name")
    if db.exec(select(Organisation).where(Organisation.name == name)).first() is not None:
        raise OrganisationProblem("name", "An organisation with this name already exists")
    local_authority = None
    if kind is not OrganisationKind.LOCAL_AUTHORITY:
        local_authority = db.get(Organisation, local_authority_id) if local_authority_id else None
        if local_authority is None or local_authority.kind is not OrganisationKind.LOCAL_AUTHORITY:
            raise OrganisationProblem("local_authority_id", "Select the local authority it belongs to")
    organisation = Organisation(
        name=name,
        kind=kind,
        local_authority_id=local_authority.id if local_authority else None,
        phase=phase if kind is OrganisationKind.SCHOOL else None,
    )
    db.add(organisation)
    db.flush()
    audit.record(
        db,
        actor,
        "organisation.created",
        object_type="organisation",
        object_id=organisation.id,
        details={
            "kind": kind.value,
            "local_authority_id": organisation.local_authority_id,
            "phase": organisation.phase.value if organisation.phase else None,
        },
    )
    return organisation
