"""Experts at Hand: a setting asks a named service about a child; the service's reply joins the plan.

The reply is written into the plan in the same step as it is recorded: as advice (the plan's advice
section) or as structured provision delivered by the service. The replier is not a member of the plan:
the request is what lets them write this one item, and nothing else.
"""

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import UK_TIME
from app.clock import uk_today as today
from app.config import Settings
from app.errors import Refused
from app.models import (
    DelivererRole,
    ExpertRequest,
    ExpertService,
    Item,
    ItemContent,
    ItemKind,
    Organisation,
    Person,
    Plan,
    ReplyKind,
    RequestKind,
    Section,
    Specialism,
)
from app.models.base import as_utc, id_of, utc_now
from app.models.plan import Child
from app.permissions import PLAN_SECTIONS, PlanAccess, answers_for_service, may_ask_experts
from app.services import audit
from app.services.experts import contacts
from app.services.plans.access import refuse
from app.services.plans.items import ContentProblem, checked_content, content_digest, new_item

MAX_ROW_ID = 2_147_483_647
REPLY_SECTIONS = {ReplyKind.ADVICE: Section.K, ReplyKind.PROVISION: Section.F}
"""Advice joins the plan's advice section; provision its special educational provision (support in school)."""
SPECIALIST_ROLES = {
    Specialism.SPEECH_AND_LANGUAGE_THERAPY: DelivererRole.SPEECH_AND_LANGUAGE_THERAPIST,
    Specialism.EDUCATIONAL_PSYCHOLOGY: DelivererRole.EDUCATIONAL_PSYCHOLOGIST,
    Specialism.SPECIALIST_TEACHING: DelivererRole.SPECIALIST_TEACHER,
    Specialism.OCCUPATIONAL_THERAPY: DelivererRole.OCCUPATIONAL_THERAPIST,
    Specialism.PHYSIOTHERAPY: DelivererRole.PHYSIOTHERAPIST,
}
"""Who delivers provision a service replies with, unless the reply names someone else."""


class NewExpertRequest(BaseModel):
    service_id: int = Field(ge=1, le=MAX_ROW_ID)
    kind: RequestKind
    question: str = Field(min_length=1, max_length=2000)
    due_on: date


class ExpertReply(ItemContent):
    """The reply: advice (its words) or provision (its words and particulars)."""

    reply_kind: ReplyKind


@dataclass(frozen=True)
class ServiceChoice:
    service: ExpertService
    organisation: Organisation


@dataclass(frozen=True)
class RequestRow:
    request: ExpertRequest
    service_name: str
    service_organisation_id: int
    plan: Plan
    child: Child


def services_of(db: Session, local_authority_id: int) -> list[ServiceChoice]:
    """The council's Experts at Hand services, by name."""
    found = db.exec(
        select(ExpertService, Organisation)
        .join(Organisation, col(Organisation.id) == col(ExpertService.organisation_id))
        .where(col(Organisation.local_authority_id) == local_authority_id)
        .order_by(col(Organisation.name))
    )
    return [ServiceChoice(service, organisation) for service, organisation in found]


def check_may_ask(access: PlanAccess) -> None:
    if not may_ask_experts(access):
        refuse(
            access,
            "Only the setting's staff on this plan ask a service for advice or direct work.",
            action="expert_request.refused",
        )


def ask(
    db: Session, settings: Settings, actor: Actor, access: PlanAccess, new: NewExpertRequest
) -> ExpertRequest:
    """Record the request to the service, audited; its people see it on their dashboard, and its contact
    address (or its people) is mailed through the outbox."""
    check_may_ask(access)
    errors: dict[str, str] = {}
    choices = {choice.service.id: choice for choice in services_of(db, access.plan.local_authority_id)}
    if new.service_id not in choices:
        errors["service_id"] = "Select a service of this plan's local authority"
    question = new.question.strip()
    if not question:
        errors["question"] = "Enter the question you are asking the service"
    if new.due_on < today():
        errors["due_on"] = "The date the reply is due must be today or later"
    if errors:
        raise ContentProblem(errors)
    request = ExpertRequest(
        plan_id=id_of(access.plan),
        service_id=new.service_id,
        kind=new.kind,
        question=question,
        due_on=new.due_on,
        asked_by_id=id_of(access.person),
    )
    db.add(request)
    db.flush()
    mailed = contacts.tell_service(db, settings, request, access.plan, access.person)
    audit.record(
        db,
        actor,
        "expert_request.made",
        object_type="expert_request",
        object_id=request.id,
        details={
            "plan_id": request.plan_id,
            "service_id": request.service_id,
            "kind": request.kind.value,
            "due_on": request.due_on.isoformat(),
            "outbox_message_ids": [message.id for message in mailed],
        },
    )
    return request


def _rows(db: Session, *where: ColumnElement[bool]) -> list[RequestRow]:
    found = db.exec(
        select(ExpertRequest, Organisation, Plan, Child)
        .join(ExpertService, col(ExpertService.id) == col(ExpertRequest.service_id))
        .join(Organisation, col(Organisation.id) == col(ExpertService.organisation_id))
        .join(Plan, col(Plan.id) == col(ExpertRequest.plan_id))
        .join(Child, col(Child.id) == col(Plan.child_id))
        .where(*where)
        .order_by(col(ExpertRequest.due_on), col(ExpertRequest.id))
    )
    return [
        RequestRow(request, organisation.name, id_of(organisation), plan, child)
        for request, organisation, plan, child in found
    ]


def row_of(db: Session, request: ExpertRequest) -> RequestRow:
    """The request just made, with its service, plan and child (not a read: the caller wrote it)."""
    [row] = _rows(db, col(ExpertRequest.id) == request.id)
    return row


def requests_of_plan(db: Session, actor: Actor, access: PlanAccess) -> list[RequestRow]:
    """The plan's requests to services and where each stands, for everyone on the plan (a read, audited)."""
    rows = _rows(db, col(ExpertRequest.plan_id) == access.plan.id)
    audit.record(db, actor, "expert_requests.read", object_type="plan", object_id=access.plan.id, details={})
    return rows


def open_for_my_service(db: Session, person: Person) -> list[RequestRow]:
    """The requests to the person's service still waiting for a reply (their dashboard), in one query."""
    if person.organisation_id is None or not answers_for_service(person, person.organisation_id):
        return []
    return _rows(
        db,
        col(Organisation.id) == person.organisation_id,
        col(ExpertRequest.answered_at).is_(None),
    )


def request_to_answer(db: Session, actor: Actor, request_id: int, *, reading: bool = True) -> RequestRow:
    """A request to the person's own service; any other is absent (404, audited).

    `reading`: the page shows it (a read, audited); a reply records its own one event instead.
    """
    person = actor.signed_in()
    rows = _rows(db, col(ExpertRequest.id) == request_id) if 1 <= request_id <= MAX_ROW_ID else []
    if not rows or not answers_for_service(person, rows[0].service_organisation_id):
        raise Refused(
            404,
            "Not Found",
            action="expert_request.refused",
            person=person,
            object_type="expert_request",
            object_id=request_id,
        )
    row = rows[0]
    if not reading:
        return row
    audit.record(
        db,
        actor,
        "expert_request.read",
        object_type="expert_request",
        object_id=row.request.id,
        details={"plan_id": row.plan.id},
    )
    return row


def reply(db: Session, settings: Settings, actor: Actor, row: RequestRow, answer: ExpertReply) -> Item:
    """Answer the request and write the reply into the plan as advice or provision: one step, one event;
    the person who asked is mailed."""
    request, plan = row.request, row.plan
    person = actor.signed_in()
    if request.answered_at is not None:
        raise ContentProblem({"reply_kind": "This request has already been answered"})
    section = REPLY_SECTIONS[answer.reply_kind]
    if plan.is_frozen or section not in PLAN_SECTIONS[plan.kind]:
        raise ContentProblem(
            {"reply_kind": "The plan cannot take a new item now: ask the setting to add your reply at review"}
        )
    kind = ItemKind.ADVICE if answer.reply_kind is ReplyKind.ADVICE else ItemKind.PROVISION
    typed = ItemContent.model_validate(answer.model_dump(include=set(ItemContent.model_fields)))
    if kind is ItemKind.PROVISION:
        service = db.get(ExpertService, request.service_id)
        typed.delivered_by_organisation_id = service.organisation_id if service else None
        if typed.deliverer_role is None and service is not None:
            typed.deliverer_role = SPECIALIST_ROLES.get(service.specialism)
    item = new_item(db, plan, person, section, typed)
    request.answered_at = utc_now()
    request.answered_by_id = id_of(person)
    request.reply_kind = answer.reply_kind
    request.reply_item_id = item.id
    db.add_all([item, request])
    db.flush()
    mailed = contacts.tell_asker(db, settings, request, plan, person)
    audit.record(
        db,
        actor,
        "expert_request.answered",
        object_type="expert_request",
        object_id=request.id,
        details={
            "plan_id": plan.id,
            "item_id": item.id,
            "reply_kind": answer.reply_kind.value,
            "section": section.value,
            "digest": content_digest(checked_content(kind, typed)),
            "outbox_message_id": mailed.id if mailed is not None else None,
        },
    )
    return item


def days_to_reply(request: ExpertRequest) -> int | None:
    """Whole UK days from asking to the reply (0 when answered the same day)."""
    if request.answered_at is None:
        return None
    return (_uk_day(request.answered_at) - _uk_day(request.asked_at)).days


def _uk_day(moment: datetime) -> date:
    return as_utc(moment).astimezone(UK_TIME).date()
