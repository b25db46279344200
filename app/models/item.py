"""What a plan is made of: items in sections, each edit a new revision, and comments on them.

Nothing here is ever overwritten: an item's words are the revisions its authors saved, in order.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.models.base import EnumText, PlainText, created_at_field
from app.models.provision import (
    LARGEST_SMALL_GROUP,
    ROLE_MAX_LENGTH,
    GroupSize,
    ProvisionFrequency,
    ProvisionUnit,
    provision_sentence,
    quantity_words,
)


class Section(StrEnum):
    """The statutory sections of an EHC plan (Code of Practice 9.62); SEN Support uses most of them."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"
    H1 = "H1"
    H2 = "H2"
    I = "I"  # noqa: E741 - the statutory name of the section
    J = "J"
    K = "K"


class ItemKind(StrEnum):
    NEED = "need"
    OUTCOME = "outcome"
    PROVISION = "provision"
    VIEW = "view"
    ADVICE = "advice"
    ARRANGEMENT = "arrangement"
    """What the LA decides in sections I and J: the placement, the personal budget."""


ITEM_KIND_LABELS = {
    ItemKind.NEED: "Need",
    ItemKind.OUTCOME: "Outcome",
    ItemKind.PROVISION: "Provision",
    ItemKind.VIEW: "View",
    ItemKind.ADVICE: "Advice",
    ItemKind.ARRANGEMENT: "Arrangement",
}


class AreaOfNeed(StrEnum):
    """The four broad areas of the Code of Practice (6.28 to 6.35), and independence."""

    COMMUNICATION_AND_INTERACTION = "communication_and_interaction"
    COGNITION_AND_LEARNING = "cognition_and_learning"
    SOCIAL_EMOTIONAL_AND_MENTAL_HEALTH = "social_emotional_mental_health"  # stored in 32 characters
    SENSORY_AND_PHYSICAL = "sensory_and_physical"
    INDEPENDENCE = "independence"


AREA_OF_NEED_LABELS = {
    AreaOfNeed.COMMUNICATION_AND_INTERACTION: "Communication and interaction",
    AreaOfNeed.COGNITION_AND_LEARNING: "Cognition and learning",
    AreaOfNeed.SOCIAL_EMOTIONAL_AND_MENTAL_HEALTH: "Social, emotional and mental health",
    AreaOfNeed.SENSORY_AND_PHYSICAL: "Sensory and/or physical",
    AreaOfNeed.INDEPENDENCE: "Independence",
}


class Item(SQLModel, table=True):
    """One need, outcome, provision, view, piece of advice or arrangement, in one section."""

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    section: Section = Field(sa_type=EnumText(Section))
    kind: ItemKind = Field(sa_type=EnumText(ItemKind))
    author_id: int = Field(foreign_key="person.id")
    voice_id: int | None = Field(default=None, foreign_key="person.id")
    """Whose view this is (the child or a parent), when someone recorded it on their behalf or not."""
    revision_number: int = 0
    """How many revisions the item has: the API's ETag, and the check that no save overwrites another."""
    current_revision_id: int | None = None
    """The newest revision (no foreign key: item and revision point at each other)."""
    carried_from_id: int | None = Field(default=None, foreign_key="item.id")
    """The SEN Support plan's item this one was carried from (an EHC draft made from an assessment)."""
    carried_from_on: date | None = None
    """The day (UK) its words were written there: "From the SEN Support plan, 3 March 2026"."""
    created_at: datetime = created_at_field()


class ItemContent(SQLModel):
    """What a person writes in an item; the kind decides which of the particulars apply."""

    text: PlainText = Field(min_length=1, max_length=10000)
    area_of_need: AreaOfNeed | None = Field(default=None, sa_type=EnumText(AreaOfNeed))
    achieve_by: date | None = None
    delivered_by: PlainText | None = Field(default=None, max_length=200)
    """Who delivers it: the role or team ("teaching assistant trained in Lego therapy")."""
    delivered_by_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    amount: float | None = Field(default=None, gt=0, le=10000)
    unit: ProvisionUnit | None = Field(default=None, sa_type=EnumText(ProvisionUnit))
    frequency: ProvisionFrequency | None = Field(default=None, sa_type=EnumText(ProvisionFrequency))
    starts_on: date | None = None
    review_on: date | None = None
    # Structured provision (app/models/provision.py): each particular of Code of Practice 9.69 its own.
    session_minutes: int | None = Field(default=None, gt=0, le=600)
    """How long each session is, in minutes ("30 minutes, 3 times a week")."""
    group_size: GroupSize | None = Field(default=None, sa_type=EnumText(GroupSize))
    group_of: int | None = Field(default=None, ge=2, le=LARGEST_SMALL_GROUP)
    """How many children in a small group, the child included."""
    deliverer_role: PlainText | None = Field(
        default=None, max_length=ROLE_MAX_LENGTH, sa_type=String(ROLE_MAX_LENGTH)
    )
    """Who delivers it, from the list of roles: a built-in role's value (DelivererRole) or the name of
    a role its council added (CouncilDelivererRole); `delivered_by` names a service or another role."""
    expertise: PlainText | None = Field(default=None, max_length=200)
    """The expertise or training needed ("trained in Colourful Semantics")."""
    location: PlainText | None = Field(default=None, max_length=200)
    """Where it happens ("the therapy room")."""
    ends_on: date | None = None

    @property
    def quantity(self) -> str | None:
        """How much and how often, in words: "25 hours a week"."""
        return quantity_words(self.amount, self.unit, self.frequency)

    @property
    def sentence(self) -> str | None:
        """Every particular of the provision in one standard sentence (the organisation by its id aside)."""
        return provision_sentence(self)


class ItemRevision(ItemContent, table=True):
    __tablename__ = "item_revision"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    number: int
    author_id: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()


class ItemComment(SQLModel, table=True):
    """Anyone on the plan may comment; comments answer a revision and are never edited either."""

    __tablename__ = "item_comment"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    revision_number: int
    author_id: int = Field(foreign_key="person.id")
    text: str = Field(max_length=5000)
    created_at: datetime = created_at_field()


SECTION_KIND: dict[Section, ItemKind] = {
    Section.A: ItemKind.VIEW,
    Section.B: ItemKind.NEED,
    Section.C: ItemKind.NEED,
    Section.D: ItemKind.NEED,
    Section.E: ItemKind.OUTCOME,
    Section.F: ItemKind.PROVISION,
    Section.G: ItemKind.PROVISION,
    Section.H1: ItemKind.PROVISION,
    Section.H2: ItemKind.PROVISION,
    Section.I: ItemKind.ARRANGEMENT,
    Section.J: ItemKind.ARRANGEMENT,
    Section.K: ItemKind.ADVICE,
}
"""Each section holds one kind of item."""

EHC_SECTION_TITLES: dict[Section, str] = {
    Section.A: "Views, interests and aspirations",
    Section.B: "Special educational needs",
    Section.C: "Health needs",
    Section.D: "Social care needs",
    Section.E: "Outcomes",
    Section.F: "Special educational provision",
    Section.G: "Health provision",
    Section.H1: "Social care provision (Chronically Sick and Disabled Persons Act)",
    Section.H2: "Other social care provision",
    Section.I: "Placement",
    Section.J: "Personal budget",
    Section.K: "Advice and information",
}
SEN_SUPPORT_SECTION_TITLES: dict[Section, str] = {
    Section.A: "What the child and family say",
    Section.B: "Barriers to learning",
    Section.C: "Health needs",
    Section.D: "Social care needs",
    Section.K: "Advice and reports",
    Section.E: "Outcomes: what we want to achieve",
    Section.F: "Support in school",
    Section.G: "Health support",
    Section.H1: "Social care support",
}
"""SEN Support uses the same kinds of content, in the order of Assess (A to D, K), Plan (E), Do (F to H1)."""


class ItemLink(SQLModel, table=True):
    """One item answers another: an outcome answers a need or a view, a provision serves an outcome.

    Links are the plan's evidence trail and its golden thread. Removing one keeps the row (with who
    removed it and when), so the plan's history still shows what answered what.
    """

    __tablename__ = "item_link"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    """The item that answers: a need, an outcome or a provision."""
    answers_id: int = Field(foreign_key="item.id", index=True)
    """What it answers: a view, advice, a need or an outcome (see LINKABLE)."""
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()
    removed_by: int | None = Field(default=None, foreign_key="person.id")
    removed_at: datetime | None = None


LINKABLE: dict[ItemKind, frozenset[ItemKind]] = {
    ItemKind.NEED: frozenset({ItemKind.VIEW, ItemKind.ADVICE}),
    ItemKind.OUTCOME: frozenset({ItemKind.NEED, ItemKind.VIEW, ItemKind.ADVICE}),
    ItemKind.PROVISION: frozenset({ItemKind.OUTCOME, ItemKind.NEED, ItemKind.VIEW, ItemKind.ADVICE}),
}
"""What each kind of item may answer: evidence (views, advice) and the thread need -> outcome -> provision."""
