"""Advice for an assessment: asking an agency for it, and recording that it came back."""

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import (
    Item,
    ItemKind,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
)
from app.models.base import id_of
from app.models.timeline import (
    AdviceRequest,
    AdviceTopic,
)
from app.permissions import (
    PlanAccess,
    may_manage_assessment,
)
from app.services import audit
from app.services.plans.access import refuse, refuse_change, row_of_plan
from app.services.plans.plans import PlanProblem
from app.services.timelines import rules
from app.services.timelines.assessment import open_request
from app.services.timelines.steps import check_day


class NewAdviceRequest(BaseModel):
    topic: AdviceTopic
    organisation_id: int = Field(ge=1, le=2_147_483_647)
    person_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    sent_on: date


class AdviceReturned(BaseModel):
    returned_on: date
    advice_item_id: int | None = Field(default=None, ge=1, le=2_147_483_647)


def check_may_ask_for_advice(access: PlanAccess) -> None:
    if not may_manage_assessment(access):
        refuse(
            access, "Only the council's case officer on this plan asks for advice.", action="advice.refused"
        )


def check_may_record_return(access: PlanAccess, advice: AdviceRequest) -> None:
    if not may_record_return(access, advice):
        refuse(
            access,
            "Only the case officer or the team asked records that advice came back.",
            action="advice.refused",
        )


def advice_organisations(db: Session, access: PlanAccess) -> list[Organisation]:
    """Whom advice can be asked of: the council's schools, health, social care and other services."""
    return list(
        db.exec(
            select(Organisation)
            .where(
                Organisation.local_authority_id == access.plan.local_authority_id,
                col(Organisation.kind) != OrganisationKind.LOCAL_AUTHORITY,
            )
            .order_by(col(Organisation.name))
        )
    )


def advice_people(db: Session, organisation_ids: Iterable[int]) -> list[Person]:
    """The staff who may be named on an advice request (active, of those organisations)."""
    ids = set(organisation_ids)
    if not ids:
        return []
    return list(
        db.exec(
            select(Person)
            .where(col(Person.organisation_id).in_(ids), col(Person.deactivated_at).is_(None))
            .order_by(col(Person.display_name))
        )
    )


def send_advice_request(
    db: Session, actor: Actor, access: PlanAccess, new: NewAdviceRequest
) -> AdviceRequest:
    """Ask an organisation's team (and a named person, if chosen) for advice, due 6 weeks after sending."""
    check_may_ask_for_advice(access)
    organisation = db.get(Organisation, new.organisation_id)
    if (
        organisation is None
        or organisation.local_authority_id != access.plan.local_authority_id
        or organisation.kind is OrganisationKind.LOCAL_AUTHORITY
    ):
        raise PlanProblem("organisation_id", "Select an organisation of this council's area")
    if new.person_id is not None:
        person = db.get(Person, new.person_id)
        if person is None or person.organisation_id != organisation.id or not person.is_active:
            raise PlanProblem("person_id", f"Select someone who works at {organisation.name}, or nobody")
    request = open_request(db, id_of(access.plan))
    check_day(new.sent_on, "sent_on", not_before=request.requested_on if request else None)
    advice = AdviceRequest(
        plan_id=id_of(access.plan),
        assessment_id=request.id if request else None,
        topic=new.topic,
        organisation_id=id_of(organisation),
        person_id=new.person_id,
        sent_on=new.sent_on,
        due_on=rules.advice_due(new.sent_on),
        sent_by_id=id_of(access.person),
    )
    db.add(advice)
    db.flush()
    audit.record(
        db,
        actor,
        "advice.requested",
        object_type="advice_request",
        object_id=advice.id,
        details={
            "plan_id": advice.plan_id,
            "organisation_id": advice.organisation_id,
            "person_id": advice.person_id,
            "topic": advice.topic.value,
            "due_on": advice.due_on.isoformat(),
        },
    )
    return advice


def plan_advice(db: Session, access: PlanAccess, advice_id: int) -> AdviceRequest:
    return row_of_plan(
        db, access, AdviceRequest, advice_id, object_type="advice_request", action="advice.refused"
    )


def may_record_return(access: PlanAccess, advice: AdviceRequest) -> bool:
    """The case officer, the person asked, or a member of the team asked (on the plan)."""
    person = access.person
    on_plan = access.membership is not None
    return may_manage_assessment(access) or (
        on_plan
        and person.role is not PersonRole.LA_AUDIT_OFFICER
        and (person.id == advice.person_id or (person.organisation_id or 0) == advice.organisation_id)
    )


def record_advice_returned(
    db: Session, actor: Actor, access: PlanAccess, advice: AdviceRequest, returned: AdviceReturned
) -> AdviceRequest:
    check_may_record_return(access, advice)
    if advice.returned_on is not None:
        refuse_change(access, "This advice has already come back.", action="advice.refused")
    check_day(returned.returned_on, "returned_on", not_before=advice.sent_on)
    if returned.advice_item_id is not None:
        item = db.get(Item, returned.advice_item_id)
        if item is None or item.plan_id != advice.plan_id or item.kind is not ItemKind.ADVICE:
            raise PlanProblem("advice_item_id", "Choose advice written in this plan (section K), or none")
    advice.returned_on, advice.returned_by_id = returned.returned_on, id_of(access.person)
    advice.advice_item_id = returned.advice_item_id
    db.add(advice)
    db.flush()
    audit.record(
        db,
        actor,
        "advice.returned",
        object_type="advice_request",
        object_id=advice.id,
        details={
            "plan_id": advice.plan_id,
            "returned_on": returned.returned_on.isoformat(),
            "on_time": returned.returned_on <= advice.due_on,
        },
    )
    return advice
