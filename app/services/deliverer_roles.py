"""Who delivers provision: the built-in roles, and the roles each local authority adds to its own list.

A provision keeps the role it was given (a built-in role's value, or a council role's name), so a plan
reads the same wherever it goes and whatever the list becomes later.
"""

from sqlmodel import Session, col, select

from app.actor import Actor
from app.errors import Refused
from app.models import DELIVERER_ROLE_LABELS, CouncilDelivererRole, Organisation, OrganisationKind
from app.models.base import id_of
from app.models.provision import BUILT_IN_ROLES, ROLE_MAX_LENGTH
from app.permissions import Permission, role_may
from app.services import audit


class RoleProblem(ValueError):
    """A role that cannot be added, with the field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def council_roles(db: Session, local_authority_id: int) -> list[CouncilDelivererRole]:
    """The roles this local authority added, by name."""
    return list(
        db.exec(
            select(CouncilDelivererRole)
            .where(CouncilDelivererRole.local_authority_id == local_authority_id)
            .order_by(col(CouncilDelivererRole.label))
        )
    )


def role_choices(db: Session, local_authority_id: int) -> list[tuple[str, str]]:
    """What a provision form offers, (value, label): the built-in roles, then the council's own."""
    built_in = [(role.value, label) for role, label in DELIVERER_ROLE_LABELS.items()]
    return built_in + [(role.label, role.label) for role in council_roles(db, local_authority_id)]


def is_on_list(db: Session, local_authority_id: int, role: str | None) -> bool:
    """Whether a provision of a plan of this local authority may name this role (none is fine)."""
    if role is None or role in BUILT_IN_ROLES:
        return True
    found = db.exec(
        select(CouncilDelivererRole.id).where(
            CouncilDelivererRole.local_authority_id == local_authority_id, CouncilDelivererRole.label == role
        )
    ).first()
    return found is not None


def add_role(db: Session, actor: Actor, local_authority_id: int | None, label: str) -> CouncilDelivererRole:
    """Add a role to a local authority's list (audited); a name already on the list is refused.

    Only an administrator, who keeps the organisations and their lists; asked here, not only by the route.
    """
    person = actor.signed_in()
    if not role_may(person, Permission.MANAGE_ORGANISATIONS):
        raise Refused(
            403,
            "Only an administrator adds to a council's list of who delivers provision.",
            action="deliverer_role.refused",
            person=person,
            object_type="organisation",
            object_id=local_authority_id,
        )
    name = " ".join(label.split())
    local_authority = db.get(Organisation, local_authority_id) if local_authority_id else None
    if local_authority is None or local_authority.kind is not OrganisationKind.LOCAL_AUTHORITY:
        raise RoleProblem("local_authority_id", "Select the local authority whose list it goes on")
    if not name:
        raise RoleProblem("label", "Enter the name of the role")
    if len(name) > ROLE_MAX_LENGTH:
        raise RoleProblem("label", f"The name of the role must be {ROLE_MAX_LENGTH} characters or fewer")
    taken = {label.casefold() for label in DELIVERER_ROLE_LABELS.values()} | set(BUILT_IN_ROLES)
    taken |= {role.label.casefold() for role in council_roles(db, id_of(local_authority))}
    if name.casefold() in taken:
        raise RoleProblem("label", f"“{name}” is already on the list")
    role = CouncilDelivererRole(
        local_authority_id=id_of(local_authority), label=name, created_by=id_of(person)
    )
    db.add(role)
    db.flush()
    audit.record(
        db,
        actor,
        "deliverer_role.added",
        object_type="council_deliverer_role",
        object_id=role.id,
        details={"local_authority_id": role.local_authority_id, "label": name},
    )
    return role
