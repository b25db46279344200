"""The plans API's shapes: what it answers and what may be sent (the routes are in `plans`)."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field
from sqlmodel import Field as SQLField

from app.models import (
    AreaOfNeed,
    Child,
    CycleStage,
    GroupSize,
    Item,
    ItemComment,
    ItemContent,
    ItemKind,
    ItemRevision,
    MemberRole,
    Organisation,
    Person,
    Plan,
    PlanKind,
    PlanStatus,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
    SupportLayer,
    provision_sentence,
)
from app.models.base import PLAIN_TEXT, PlainText, as_utc, id_of
from app.permissions import PlanAccess, may_comment, may_revise
from app.routers.api.responses import MAX_ROW_ID
from app.services.plans import changes, content, items, lifecycle, members, plans
from app.services.plans.members import Membership

VERSION_PATTERN = r"^([1-9][0-9]{0,8}|current)$"


# Answers -----------------------------------------------------------------------------------------


class PersonRef(BaseModel):
    id: int
    display_name: str


class OrganisationRef(BaseModel):
    id: int
    name: str


class ChildOut(BaseModel):
    full_name: str
    preferred_name: str | None
    date_of_birth: date
    school_year: str


class PlanBrief(BaseModel):
    """A plan's particulars, without its content."""

    id: int
    reference: str
    kind: PlanKind
    status: PlanStatus
    version: int
    cycle_number: int
    cycle_stage: CycleStage | None
    consultation_ends_on: date | None
    created_at: datetime
    support_layer: SupportLayer | None = None
    """An Individual Support Plan's layer of support now (its history: `/plans/{id}/layers`)."""
    next_review_on: date | None = None
    """An Individual Support Plan's next review as agreed."""


class PlanStageOut(PlanBrief):
    next_steps: list[lifecycle.Step]
    told: list[str] = []
    """Who in the family the step told (sending a draft for comment), by name and part."""


class PlanSummaryOut(PlanBrief):
    child: ChildOut


class CommentOut(BaseModel):
    id: int
    item_id: int
    revision_number: int
    """The revision the comment answers."""
    author: PersonRef
    text: str
    created_at: datetime


class ContentOut(BaseModel):
    text: str
    area_of_need: AreaOfNeed | None
    achieve_by: date | None
    delivered_by: str | None
    delivered_by_organisation_id: int | None
    amount: float | None
    unit: ProvisionUnit | None
    frequency: ProvisionFrequency | None
    starts_on: date | None
    review_on: date | None
    session_minutes: int | None
    """How long each session is, in minutes."""
    group_size: GroupSize | None
    group_of: int | None
    """How many children in a small group, the child included."""
    deliverer_role: str | None
    """Who delivers it, from the list of roles: a built-in role's value or the name of a role the
    council added; `delivered_by` names a service or another role."""
    expertise: str | None
    location: str | None
    ends_on: date | None
    quantity: str | None
    """How much and how often, in words ("25 hours a week")."""
    sentence: str | None
    """Every particular of a provision in one standard sentence ("30 minutes, 3 times a week, one to one,
    by a speech and language therapist; in the therapy room; from 4 January 2027 to 16 July 2027.")."""


class RevisionOut(ContentOut):
    number: int
    author: PersonRef
    created_at: datetime


class ItemOut(ContentOut):
    """An item as it reads now (its current revision)."""

    id: int
    plan_id: int
    section: Section
    kind: ItemKind
    author: PersonRef
    voice: PersonRef | None
    """Whose view this is, for a view."""
    revision_number: int
    revised_by: PersonRef
    revised_at: datetime
    created_at: datetime
    may_revise: bool


class PlanItemOut(ItemOut):
    comments: list[CommentOut]


class ItemDetailOut(ItemOut):
    revisions: list[RevisionOut]
    """Every revision, oldest first: nobody's words are ever lost."""
    comments: list[CommentOut]


class SectionOut(BaseModel):
    section: Section
    title: str
    stage: str | None
    """For SEN Support plans, the part of Assess, Plan, Do it belongs to."""
    writable: bool
    items: list[PlanItemOut]


class MemberOut(BaseModel):
    id: int
    person: PersonRef
    role: MemberRole
    is_coordinator: bool
    added_at: datetime


class PlanOut(PlanSummaryOut):
    local_authority: OrganisationRef | None
    setting: OrganisationRef | None
    my_role: MemberRole | None
    """Your part in this plan (none for the local authority's auditors)."""
    is_coordinator: bool
    may_comment: bool
    next_steps: list[lifecycle.Step]
    sections: list[SectionOut]
    members: list[MemberOut]


class VersionOut(BaseModel):
    number: int
    occasion: str
    made_at: datetime
    made_by: PersonRef


class ReviewOut(BaseModel):
    id: int
    cycle_number: int
    held_on: date
    participants: str
    what_worked: str
    what_changes: str
    recorded_by: PersonRef
    created_at: datetime
    finished_at: datetime | None = None
    """None while the review is open (progress per outcome: /reviews/{id}/progress)."""


class DiffPieceOut(BaseModel):
    change: changes.Change
    text: str


class ParticularOut(BaseModel):
    label: str
    before: str
    after: str


class ChangeOut(BaseModel):
    item_id: int
    section: Section
    kind: ItemKind
    revision_before: int | None
    """None when the item is new."""
    revision_after: int
    revised_by: PersonRef
    revised_at: datetime
    text: str
    words: list[DiffPieceOut]
    """The words, as pieces that are the same, added or removed."""
    particulars: list[ParticularOut]


class ChangesOut(BaseModel):
    compared: str
    changes: list[ChangeOut]


class StaleOut(BaseModel):
    detail: str
    current: RevisionOut
    """The revision someone else saved: merge with it, then PUT again with its ETag."""


# What may be sent --------------------------------------------------------------------------------


BodyId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class PlanIn(plans.NewPlan):
    setting_id: BodyId | None = None
    duty_holder_id: BodyId | None = None


class ItemUpdate(ItemContent):
    delivered_by_organisation_id: int | None = SQLField(default=None, ge=1, le=MAX_ROW_ID)
    reason: PlainText | None = SQLField(
        default=None,
        max_length=items.MAX_REASON,
        description="Why agreed provision changes: required for it (the family is told and can reply)",
    )


class ItemIn(items.NewItem):
    delivered_by_organisation_id: int | None = SQLField(default=None, ge=1, le=MAX_ROW_ID)
    voice_id: int | None = SQLField(default=None, ge=1, le=MAX_ROW_ID)


class CommentIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000, pattern=PLAIN_TEXT)


class MemberIn(members.NewMember):
    person_id: BodyId | None = None
    organisation_id: BodyId | None = None


def person_ref(people: Mapping[int, Person], person_id: int) -> PersonRef:
    person = people.get(person_id)
    return PersonRef(id=person_id, display_name=person.display_name if person else "Someone")


# Building answers --------------------------------------------------------------------------------


def organisation_ref(
    organisations: Mapping[int, Organisation], organisation_id: int | None
) -> OrganisationRef | None:
    organisation = organisations.get(organisation_id) if organisation_id is not None else None
    return OrganisationRef(id=id_of(organisation), name=organisation.name) if organisation else None


def child_out(child: Child) -> ChildOut:
    return ChildOut(
        full_name=child.full_name,
        preferred_name=child.preferred_name,
        date_of_birth=child.date_of_birth,
        school_year=child.school_year,
    )


def brief_of(plan: Plan) -> dict[str, Any]:
    return {
        "id": id_of(plan),
        "reference": plan.reference,
        "kind": plan.kind,
        "status": plan.status,
        "version": plan.version,
        "cycle_number": plan.cycle_number,
        "cycle_stage": plan.cycle_stage,
        "consultation_ends_on": plan.consultation_ends_on,
        "created_at": as_utc(plan.created_at),
        "support_layer": plan.support_layer,
        "next_review_on": plan.next_review_on,
    }


Names = Mapping[int, Organisation]
"""The organisations delivering provision, by id: the sentence names the one that delivers it."""


def content_of(revision: ItemContent, organisations: Names | None = None) -> dict[str, Any]:
    organisation_id = revision.delivered_by_organisation_id
    organisation = (organisations or {}).get(organisation_id) if organisation_id else None
    return {
        **revision.model_dump(include=set(ItemContent.model_fields)),
        "quantity": revision.quantity,
        "sentence": provision_sentence(revision, organisation.name if organisation else None),
    }


def revision_out(
    revision: ItemRevision, people: Mapping[int, Person], organisations: Names | None = None
) -> RevisionOut:
    return RevisionOut(
        **content_of(revision, organisations),
        number=revision.number,
        author=person_ref(people, revision.author_id),
        created_at=as_utc(revision.created_at),
    )


def comment_out(comment: ItemComment, people: Mapping[int, Person]) -> CommentOut:
    return CommentOut(
        id=id_of(comment),
        item_id=comment.item_id,
        revision_number=comment.revision_number,
        author=person_ref(people, comment.author_id),
        text=comment.text,
        created_at=as_utc(comment.created_at),
    )


def item_out(
    access: PlanAccess,
    item: Item,
    revision: ItemRevision,
    people: Mapping[int, Person],
    organisations: Names | None = None,
) -> dict[str, Any]:
    return {
        **content_of(revision, organisations),
        "id": id_of(item),
        "plan_id": item.plan_id,
        "section": item.section,
        "kind": item.kind,
        "author": person_ref(people, item.author_id),
        "voice": person_ref(people, item.voice_id) if item.voice_id is not None else None,
        "revision_number": item.revision_number,
        "revised_by": person_ref(people, revision.author_id),
        "revised_at": as_utc(revision.created_at),
        "created_at": as_utc(item.created_at),
        "may_revise": may_revise(access, item),
    }


def plan_item_out(
    access: PlanAccess,
    entry: content.PlanItem,
    people: Mapping[int, Person],
    organisations: Names | None = None,
) -> PlanItemOut:
    return PlanItemOut(
        **item_out(access, entry.item, entry.revision, people, organisations),
        comments=[comment_out(comment, people) for comment in entry.comments],
    )


def member_out(membership: Membership) -> MemberOut:
    member = membership.member
    return MemberOut(
        id=id_of(member),
        person=PersonRef(id=id_of(membership.person), display_name=membership.person.display_name),
        role=member.role,
        is_coordinator=member.is_coordinator,
        added_at=as_utc(member.added_at),
    )


def plan_out(access: PlanAccess, plan_content: content.PlanContent) -> PlanOut:
    """The whole plan as the API answers it (kept per plan stamp, reader and day by app.page_cache)."""
    people = plan_content.people
    return PlanOut(
        **brief_of(access.plan),
        child=child_out(plan_content.child),
        local_authority=organisation_ref(plan_content.organisations, access.plan.local_authority_id),
        setting=organisation_ref(plan_content.organisations, access.plan.setting_id),
        my_role=access.member_role,
        is_coordinator=access.is_coordinator,
        may_comment=may_comment(access),
        next_steps=list(lifecycle.next_steps(access)),
        sections=[
            SectionOut(
                section=section.section,
                title=section.title,
                stage=heading or None,
                writable=section.writable,
                items=[plan_item_out(access, entry, people) for entry in section.items],
            )
            for heading, sections in plan_content.groups
            for section in sections
        ],
        members=[member_out(membership) for membership in plan_content.members],
    )
