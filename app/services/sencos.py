"""Who is each setting's SENCo: an explicit designation, not a guess from who coordinates plans.

A school may have more than one (an assistant SENCo). The council's administrator designates them; a
setting's SENCo may designate a colleague too (`may_designate_senco`). A designation counts only while
the person is active education staff of that setting (`leads_setting`). Every change is audited.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.actor import Actor
from app.errors import Refused
from app.models import Organisation, OrganisationKind, Person, PersonRole, SettingSenco
from app.models.base import id_of
from app.permissions import leads_setting, may_designate_senco, may_manage_sencos_of
from app.services import audit


class SencoProblem(ValueError):
    """Something about the person chosen that stops the change: (field, message)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def is_designated(db: Session, person: Person, setting_id: int) -> bool:
    """Whether the person holds a designation as this setting's SENCo (one query)."""
    if person.id is None:
        return False
    found = db.exec(
        select(SettingSenco.id).where(
            col(SettingSenco.setting_id) == setting_id, col(SettingSenco.person_id) == person.id
        )
    ).first()
    return found is not None


def leads(db: Session, person: Person, setting_id: int) -> bool:
    """Whether the person is the setting's SENCo now (`leads_setting` with their designation)."""
    return leads_setting(person, setting_id, is_designated(db, person, setting_id))


def designated_ids(db: Session, setting_ids: list[int]) -> dict[int, set[int]]:
    """Each setting's SENCos now, by setting id (one query): designated there and still its active
    education staff (a designation of someone who left, or was switched off, counts for nothing)."""
    found: dict[int, set[int]] = {setting_id: set() for setting_id in setting_ids}
    if setting_ids:
        for setting_id, person_id in db.exec(
            select(SettingSenco.setting_id, SettingSenco.person_id)
            .join(Person, col(Person.id) == col(SettingSenco.person_id))
            .where(
                col(SettingSenco.setting_id).in_(setting_ids),
                col(Person.organisation_id) == col(SettingSenco.setting_id),
                col(Person.role) == PersonRole.EDUCATION.value,
                col(Person.deactivated_at).is_(None),
            )
        ):
            found[setting_id].add(person_id)
    return found


@dataclass(frozen=True)
class StaffMember:
    person: Person
    is_senco: bool
    may_change: bool
    """Whether the person looking may designate this colleague or end their designation."""


def staff_of(db: Session, viewer: Person, setting_id: int) -> list[StaffMember]:
    """The setting's active education staff, each with whether they are its SENCo (two queries)."""
    staff = db.exec(
        select(Person)
        .where(
            col(Person.organisation_id) == setting_id,
            col(Person.role) == PersonRole.EDUCATION.value,
            col(Person.deactivated_at).is_(None),
        )
        .order_by(col(Person.display_name))
    ).all()
    designated = designated_ids(db, [setting_id])[setting_id]
    viewer_designated = viewer.id in designated
    return [
        StaffMember(
            person,
            person.id in designated,
            may_designate_senco(viewer, setting_id, viewer_designated, person),
        )
        for person in staff
    ]


def setting_to_manage(db: Session, actor: Actor, setting_id: int) -> Organisation:
    """The school whose SENCos this person manages (`may_manage_sencos_of`); otherwise absent (404)."""
    me = actor.signed_in()
    setting = db.get(Organisation, setting_id)
    if (
        setting is None
        or setting.kind is not OrganisationKind.SCHOOL
        or not may_manage_sencos_of(me, setting_id, is_designated(db, me, setting_id))
    ):
        raise Refused(
            404,
            "Not Found",
            action="setting.senco_refused",
            person=me,
            object_type="organisation",
            object_id=setting_id,
        )
    return setting


def designated_people(db: Session) -> set[int]:
    """Everyone designated at the setting they work at now (the administrator's list of people)."""
    found = db.exec(
        select(SettingSenco.person_id)
        .join(Person, col(Person.id) == col(SettingSenco.person_id))
        .where(col(Person.organisation_id) == col(SettingSenco.setting_id))
    )
    return set(found)


def _checked(db: Session, actor: Actor, setting_id: int, person_id: int) -> tuple[Person, Organisation]:
    """The colleague and their setting, if the actor may change their designation there.

    A setting the actor may not manage is absent (404, audited); an administrator, or the setting's
    SENCo, choosing someone who cannot be designated there is told why (`SencoProblem`).
    """
    me = actor.signed_in()
    setting = setting_to_manage(db, actor, setting_id)
    colleague = db.get(Person, person_id)
    if (
        colleague is None
        or colleague.organisation_id != setting_id
        or colleague.role is not PersonRole.EDUCATION
    ):
        raise SencoProblem("person_id", f"Only {setting.name}'s education staff can be its SENCo")
    if not may_designate_senco(me, setting_id, is_designated(db, me, setting_id), colleague):
        raise SencoProblem("person_id", "Ask the council's administrator to end your own designation")
    return colleague, setting


def designate(db: Session, actor: Actor, setting_id: int, person_id: int) -> SettingSenco:
    """Make a member of a setting's staff one of its SENCos (already one: nothing changes)."""
    colleague, setting = _checked(db, actor, setting_id, person_id)
    if not colleague.is_active:
        raise SencoProblem("person_id", f"{colleague.display_name}'s account is switched off")
    existing = db.exec(
        select(SettingSenco).where(
            col(SettingSenco.setting_id) == setting.id, col(SettingSenco.person_id) == colleague.id
        )
    ).first()
    if existing is not None:
        return existing
    designation = SettingSenco(
        setting_id=id_of(setting), person_id=id_of(colleague), designated_by_id=actor.signed_in().id
    )
    db.add(designation)
    db.flush()
    audit.record(
        db,
        actor,
        "setting.senco_designated",
        object_type="person",
        object_id=colleague.id,
        details={"setting_id": setting.id, "designation_id": designation.id},
    )
    return designation


def end_designation(db: Session, actor: Actor, setting_id: int, person_id: int) -> bool:
    """The person is no longer a SENCo of their setting; False if they were not one."""
    colleague, setting = _checked(db, actor, setting_id, person_id)
    existing = db.exec(
        select(SettingSenco).where(
            col(SettingSenco.setting_id) == setting.id, col(SettingSenco.person_id) == colleague.id
        )
    ).first()
    if existing is None:
        return False
    db.delete(existing)
    db.flush()
    audit.record(
        db,
        actor,
        "setting.senco_undesignated",
        object_type="person",
        object_id=colleague.id,
        details={"setting_id": setting.id, "designation_id": existing.id},
    )
    return True
