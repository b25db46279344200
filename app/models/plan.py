"""Children, their plans, and who is on each plan.

One model serves every kind of plan: a school's SEN Support plan (Assess, Plan, Do, Review), the
Individual Support Plan that replaces it (the same, with a layer of support, a duty holder and review
dates) and the local authority's EHC plan (statutory sections A to K, draft → consultation → issued →
review).
"""

import secrets
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models.base import EnumText, created_at_field, moment_field


class Child(SQLModel, table=True):
    """The child or young person a plan is for; `person_id` is their own account, if they have one."""

    __table_args__ = (Index("ix_child_council_name", "local_authority_id", "full_name", "id"),)
    """The council's list walks this index a page at a time (app/services/lists/council.py)."""

    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(max_length=120)
    preferred_name: str | None = Field(default=None, max_length=60)
    date_of_birth: date
    school_year: str = Field(max_length=20)
    setting_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    local_authority_id: int = Field(foreign_key="organisation.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", unique=True)
    created_at: datetime = created_at_field()

    @property
    def known_as(self) -> str:
        return self.preferred_name or self.full_name.split(" ")[0]


class PlanKind(StrEnum):
    SEN_SUPPORT = "sen_support"
    ISP = "isp"
    """The Individual Support Plan (Schools White Paper, February 2026): a setting's plan for a child
    with SEND, a SEN Support plan with a layer of support; its name is the council's (`PlanWords`)."""
    EHC = "ehc"


PLAN_KIND_LABELS = {
    PlanKind.SEN_SUPPORT: "SEN Support plan",
    PlanKind.ISP: "Individual Support Plan",
    PlanKind.EHC: "EHC plan",
}
"""The default names; an ISP's is the council's own (app.services.plans.words)."""

SETTING_KINDS = frozenset({PlanKind.SEN_SUPPORT, PlanKind.ISP})
"""Plans a setting leads (the SENCo coordinates, Assess, Plan, Do, Review): they behave alike."""


def live_together(kind: PlanKind) -> frozenset[PlanKind]:
    """The kinds of which a child has one live plan at most: an ISP replaces the SEN Support plan."""
    return SETTING_KINDS if kind in SETTING_KINDS else frozenset({kind})


class SupportLayer(StrEnum):
    """The layers of support above the universal offer (Schools White Paper, February 2026)."""

    TARGETED = "targeted"
    TARGETED_PLUS = "targeted_plus"
    SPECIALIST = "specialist"


SUPPORT_LAYER_LABELS = {
    SupportLayer.TARGETED: "Targeted",
    SupportLayer.TARGETED_PLUS: "Targeted Plus",
    SupportLayer.SPECIALIST: "Specialist",
}
"""The white paper's names, the default; a council may use its own (app.services.plans.words)."""


class PlanStatus(StrEnum):
    """SEN Support plans are active until closed; EHC plans follow the statutory stages."""

    ACTIVE = "active"
    DRAFT = "draft"
    CONSULTATION = "consultation"
    ISSUED = "issued"
    UNDER_REVIEW = "under_review"
    CEASED = "ceased"
    CLOSED = "closed"


ENDED_STATUSES = frozenset({PlanStatus.CEASED, PlanStatus.CLOSED})
"""A plan in one of these is no longer live: the child may have a new plan of its kind."""


PLAN_STATUS_LABELS = {
    PlanStatus.ACTIVE: "Active",
    PlanStatus.DRAFT: "Draft",
    PlanStatus.CONSULTATION: "Draft: the family is commenting",
    PlanStatus.ISSUED: "Issued",
    PlanStatus.UNDER_REVIEW: "Under review",
    PlanStatus.CEASED: "Ceased",
    PlanStatus.CLOSED: "Closed",
}


class CycleStage(StrEnum):
    """The graduated approach of SEN Support (Code of Practice 6.44 to 6.56)."""

    ASSESS = "assess"
    PLAN = "plan"
    DO = "do"
    REVIEW = "review"


CYCLE_STAGE_LABELS = {
    CycleStage.ASSESS: "Assess",
    CycleStage.PLAN: "Plan",
    CycleStage.DO: "Do",
    CycleStage.REVIEW: "Review",
}


def new_content_stamp() -> str:
    """Random, not counted: a page kept in one database's memory never matches another database's plan."""
    return secrets.token_hex(16)


def plan_reference(plan_id: int) -> str:
    """A plan's reference from its id alone (plan 42 is OP-1042), for rows read without the plan."""
    return f"OP-{1000 + plan_id}"


class Plan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: PlanKind = Field(sa_type=EnumText(PlanKind))
    child_id: int = Field(foreign_key="child.id", index=True)
    local_authority_id: int = Field(foreign_key="organisation.id", index=True)
    setting_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    status: PlanStatus = Field(sa_type=EnumText(PlanStatus))
    version: int = 1
    """The version being written now; versions before it are frozen snapshots."""
    cycle_number: int = 1
    cycle_stage: CycleStage | None = Field(default=None, sa_type=EnumText(CycleStage))
    consultation_ends_on: date | None = None
    created_at: datetime = created_at_field()
    ceased_at: datetime | None = moment_field()
    support_layer: SupportLayer | None = Field(default=None, sa_type=EnumText(SupportLayer))
    """An ISP's layer of support now (its history: `SupportLayerChange`); None for other kinds."""
    duty_holder_id: int | None = Field(default=None, foreign_key="person.id")
    """An ISP's duty holder: the member of the setting who answers for the plan (the SENCo, often)."""
    next_review_on: date | None = None
    """An ISP's next review as agreed; without one, the SEN Support rule (four months) applies."""
    content_stamp: str = Field(default_factory=new_content_stamp, max_length=32)
    """A new random value each time a change to the plan commits (app.plan_stamp): pages worked out
    from the plan are kept under it, and a page kept under an old stamp is never shown again."""

    @property
    def reference(self) -> str:
        """The plan's name in messages that must carry no personal details ("plan OP-1042")."""
        return plan_reference(self.id or 0)

    @property
    def is_frozen(self) -> bool:
        """An issued EHC plan changes only through a review; a ceased or closed plan not at all."""
        return self.status in {PlanStatus.ISSUED, PlanStatus.CEASED, PlanStatus.CLOSED}


class MemberRole(StrEnum):
    """A person's part in one plan: it decides which sections they write."""

    LOCAL_AUTHORITY = "local_authority"
    EDUCATION = "education"
    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    PARENT_CARER = "parent_carer"
    CHILD = "child"
    READER = "reader"


MEMBER_ROLE_LABELS = {
    MemberRole.LOCAL_AUTHORITY: "Local authority",
    MemberRole.EDUCATION: "Education",
    MemberRole.HEALTH: "Health",
    MemberRole.SOCIAL_CARE: "Social care",
    MemberRole.PARENT_CARER: "Parent or carer",
    MemberRole.CHILD: "Child or young person",
    MemberRole.READER: "Reader",
}
PROFESSIONAL_MEMBER_ROLES = frozenset(
    {MemberRole.LOCAL_AUTHORITY, MemberRole.EDUCATION, MemberRole.HEALTH, MemberRole.SOCIAL_CARE}
)
FAMILY_MEMBER_ROLES = frozenset({MemberRole.PARENT_CARER, MemberRole.CHILD})


class PlanMember(SQLModel, table=True):
    """A person on a plan; removing them ends their access (`removed_at`) and keeps their words."""

    __tablename__ = "plan_member"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: MemberRole = Field(sa_type=EnumText(MemberRole))
    is_coordinator: bool = False
    added_at: datetime = created_at_field()
    added_by_id: int | None = Field(default=None, foreign_key="person.id")
    removed_at: datetime | None = moment_field()
    removed_by_id: int | None = Field(default=None, foreign_key="person.id")

    @property
    def is_current(self) -> bool:
        return self.removed_at is None


class PlanReview(SQLModel, table=True):
    """A review meeting's record: SEN Support at least three times a year, EHC plans every year."""

    __tablename__ = "plan_review"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    cycle_number: int
    held_on: date
    participants: str = Field(max_length=2000)
    what_worked: str = Field(max_length=10000)
    what_changes: str = Field(max_length=10000)
    recorded_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()
    finished_at: datetime | None = moment_field()
    """When the review was finished (every outcome rated): its record and progress are frozen from then."""


class PlanVersion(SQLModel, table=True):
    """A frozen version: which revision of each item it held (made at issue, or at a review)."""

    __tablename__ = "plan_version"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    number: int
    made_at: datetime = created_at_field()
    made_by_id: int = Field(foreign_key="person.id")
    occasion: str = Field(max_length=40)
    """Why it was frozen: "issued" (EHC plan) or "review" (SEN Support)."""


class PlanVersionItem(SQLModel, table=True):
    __tablename__ = "plan_version_item"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="plan_version.id", index=True)
    item_id: int = Field(foreign_key="item.id")
    revision_id: int = Field(foreign_key="item_revision.id")
