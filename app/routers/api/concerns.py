"""The concerns API: raising a concern with the setting, its answer, the family's word on it, making it a
complaint, and the council's list of complaints. The same services as the pages; each step audited by them.
"""

from datetime import date

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from app.dependencies import ActorDep, CurrentPerson, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.models import (
    Complaint,
    ComplaintStage,
    ConcernAbout,
    ConcernOutcome,
    ConcernStatus,
    PlanConcern,
    Section,
)
from app.permissions import Permission
from app.routers.api.responses import FORBIDDEN, READ, UNSIGNED, WRITE, input_problems
from app.routers.api.routing import SharedPathRoute
from app.services.concerns import complaints, concerns

router = APIRouter(prefix="/api/v1", tags=["concerns"], route_class=SharedPathRoute)


class ConcernIn(BaseModel):
    about: ConcernAbout
    section: Section | None = None
    item_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    words: str = Field(max_length=concerns.MAX_WORDS)


class WordsIn(BaseModel):
    words: str = Field(max_length=concerns.MAX_WORDS)


class OutcomeIn(BaseModel):
    outcome: ConcernOutcome


class HandlingIn(BaseModel):
    stage: ComplaintStage
    answer: str = Field(default="", max_length=concerns.MAX_WORDS)


class ComplaintOut(BaseModel):
    id: int
    made_on: date
    reason: str
    stage: ComplaintStage
    handler_id: int | None
    taken_on: date | None
    answer: str | None
    answered_on: date | None
    closed_on: date | None


class ConcernOut(BaseModel):
    id: int
    about: ConcernAbout
    section: Section | None
    item_id: int | None
    words: str
    raised_by_id: int
    raised_on: date
    answer_days: int
    due_on: date
    status: ConcernStatus
    answer: str | None
    answered_by_id: int | None
    answered_on: date | None
    complaint: ComplaintOut | None = None


class CouncilComplaintOut(ComplaintOut):
    plan_id: int
    plan_reference: str
    concern: ConcernOut


def complaint_out(complaint: Complaint) -> ComplaintOut:
    return ComplaintOut.model_validate(complaint, from_attributes=True)


def concern_out(concern: PlanConcern, complaint: Complaint | None = None) -> ConcernOut:
    found = ConcernOut.model_validate(concern, from_attributes=True)
    return found.model_copy(update={"complaint": complaint_out(complaint) if complaint else None})


@router.get("/plans/{plan_id}/concerns", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def list_concerns(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[ConcernOut]:
    """The plan's concerns, newest first, each with its complaint if it became one."""
    found = concerns.read_concerns(db, actor, access)
    return [concern_out(concern, found.complaints.get(concern.id or 0)) for concern in found.concerns]


@router.post(
    "/plans/{plan_id}/concerns",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def raise_concern(
    new: ConcernIn, access: CurrentPlan, db: SessionDep, settings: SettingsDep, actor: ActorDep
) -> ConcernOut:
    """The family raises a concern with the setting; the setting's staff on the plan are mailed."""
    with input_problems():
        concern = concerns.raise_concern(db, settings, actor, access, concerns.NewConcern(**new.model_dump()))
    return concern_out(concern)


@router.post(
    "/plans/{plan_id}/concerns/{concern_id}/answer",
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def answer_concern(
    given: WordsIn,
    access: CurrentPlan,
    concern_id: RowId,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
) -> ConcernOut:
    """The setting's answer (its staff on the plan), once; the family is mailed."""
    concern = concerns.concern_of(db, access, concern_id)
    with input_problems():
        concerns.answer(db, settings, actor, access, concern, concerns.Words(words=given.words))
    return concern_out(concern)


@router.post(
    "/plans/{plan_id}/concerns/{concern_id}/outcome",
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def say_outcome(
    given: OutcomeIn, access: CurrentPlan, concern_id: RowId, db: SessionDep, actor: ActorDep
) -> ConcernOut:
    """The family says whether the setting's answer resolves their concern."""
    concern = concerns.concern_of(db, access, concern_id)
    concerns.say_outcome(db, actor, access, concern, given.outcome)
    return concern_out(concern)


@router.post(
    "/plans/{plan_id}/concerns/{concern_id}/complaint",
    status_code=status.HTTP_201_CREATED,
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
)
def make_complaint(
    given: WordsIn,
    access: CurrentPlan,
    concern_id: RowId,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
) -> ConcernOut:
    """Make the concern a complaint to the council: once it is overdue, or not resolved by the answer."""
    concern = concerns.concern_of(db, access, concern_id)
    with input_problems():
        complaint = complaints.escalate(
            db, settings, actor, access, concern, concerns.Words(words=given.words)
        )
    return concern_out(concern, complaint)


@router.get(
    "/la/complaints",
    dependencies=[requires(Permission.READ_LA_OVERVIEW)],
    responses={**UNSIGNED, **FORBIDDEN},
)
def council_complaints(db: SessionDep, actor: ActorDep, person: CurrentPerson) -> list[CouncilComplaintOut]:
    """Every complaint about the council's plans, newest first."""
    found = complaints.council_complaints(db, actor, person)
    return [council_complaint_out(row) for row in found.rows]


def council_complaint_out(row: complaints.ComplaintRow) -> CouncilComplaintOut:
    return CouncilComplaintOut(
        **complaint_out(row.complaint).model_dump(),
        plan_id=row.plan.id or 0,
        plan_reference=row.plan.reference,
        concern=concern_out(row.concern),
    )


@router.post(
    "/la/complaints/{complaint_id}",
    dependencies=[requires(Permission.HANDLE_COMPLAINTS)],
    responses=WRITE,
)
def handle_complaint(
    given: HandlingIn, complaint_id: RowId, db: SessionDep, actor: ActorDep, person: CurrentPerson
) -> CouncilComplaintOut:
    """A case officer of the council takes the complaint on, moves its stage, or answers it."""
    row = complaints.council_complaint(db, person, complaint_id).rows[0]
    with input_problems():
        complaints.handle(db, actor, person, row, complaints.Handling(**given.model_dump()))
    return council_complaint_out(row)
