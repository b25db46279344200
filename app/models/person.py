"""People: staff of organisations, families, children and young people, administrators."""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.clock import uk_today
from app.models.base import EnumText, created_at_field, moment_field


class PersonRole(StrEnum):
    """A person's standing in OnePlan; their part in a given plan comes with plan membership."""

    ADMINISTRATOR = "administrator"
    LA_CASE_OFFICER = "la_case_officer"
    LA_AUDIT_OFFICER = "la_audit_officer"
    EDUCATION = "education"
    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    PARENT_CARER = "parent_carer"
    CHILD = "child"


ROLE_LABELS: dict[PersonRole, str] = {
    PersonRole.ADMINISTRATOR: "Administrator",
    PersonRole.LA_CASE_OFFICER: "Local authority SEND case officer",
    PersonRole.LA_AUDIT_OFFICER: "Local authority audit officer",
    PersonRole.EDUCATION: "Education (school or college)",
    PersonRole.HEALTH: "Health",
    PersonRole.SOCIAL_CARE: "Social care",
    PersonRole.PARENT_CARER: "Parent or carer",
    PersonRole.CHILD: "Child or young person",
}

STAFF_ROLES = frozenset(
    {
        PersonRole.ADMINISTRATOR,
        PersonRole.LA_CASE_OFFICER,
        PersonRole.LA_AUDIT_OFFICER,
        PersonRole.EDUCATION,
        PersonRole.HEALTH,
        PersonRole.SOCIAL_CARE,
    }
)
FAMILY_ROLES = frozenset({PersonRole.PARENT_CARER, PersonRole.CHILD})


class Person(SQLModel, table=True):
    """Someone who may sign in. Deactivated people keep their record: what they wrote stays theirs."""

    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(max_length=120)
    email: str | None = Field(default=None, max_length=254, unique=True)
    role: PersonRole = Field(sa_type=EnumText(PersonRole))
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    date_of_birth: date | None = None
    password_hash: str | None = Field(default=None, max_length=255)
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_confirmed_at: datetime | None = moment_field()
    sso_subject: str | None = Field(default=None, max_length=255, unique=True)
    created_at: datetime = created_at_field()
    last_signed_in_at: datetime | None = moment_field()
    deactivated_at: datetime | None = moment_field()

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def makes_own_decisions(self) -> bool:
        """Adults, and young people from 16: the rights pass to them (Code of Practice 8.13)."""
        if self.role is not PersonRole.CHILD:
            return True
        age = self.age_on(uk_today())
        return age is not None and age >= 16


class FamilyWord(StrEnum):
    """What the child calls a parent or carer, as the parent says: the child's pages use it."""

    MUM = "mum"
    DAD = "dad"
    CARER = "carer"
    GRAN = "gran"
    GRANDAD = "grandad"


class FamilyLink(SQLModel, table=True):
    """A parent or carer of a child: they may set up the child's sign-in."""

    __tablename__ = "family_link"

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int = Field(foreign_key="person.id", index=True)
    child_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = created_at_field()
    child_calls: FamilyWord | None = Field(default=None, sa_type=EnumText(FamilyWord))
    """What the child calls this parent ("mum"); unset, the child's pages say "your mum, dad or carer"."""


class InviteStaff(SQLModel):
    """What an administrator types to invite a member of staff."""

    display_name: str = Field(min_length=1, max_length=120)
    email: str = Field(min_length=3, max_length=254)
    role: PersonRole
    organisation_id: int
