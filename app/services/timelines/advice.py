"""Advice for an assessment: asking an agency for it, and the adviser writing it and sending it back."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.models import (
    Item,
    ItemKind,
    ItemRevision,
    Organisation,
    OrganisationKind,
    Person,
    Section,
)
from app.models.base import PLAIN_TEXT, id_of
from app.models.timeline import (
    AdviceAttachment,
    AdviceRequest,
    AdviceTopic,
)
from app.permissions import PlanAccess, may_manage_assessment, may_record_return
from app.services import audit
from app.services.plans.access import refuse, refuse_change, row_of_plan
from app.services.plans.items import NewItem, write_item
from app.services.plans.plans import PlanProblem
from app.services.timelines import advice_files, rules
from app.services.timelines.advice_files import Upload
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


NO_ADVICE = "Choose the advice in section K that came back: advice cannot be returned with nothing written"


def record_advice_returned(
    db: Session, actor: Actor, access: PlanAccess, advice: AdviceRequest, returned: AdviceReturned
) -> AdviceRequest:
    """Advice that came back another way (by post), already written in section K: the item is required."""
    check_may_record_return(access, advice)
    if advice.returned_on is not None:
        refuse_change(access, "This advice has already come back.", action="advice.refused")
    check_day(returned.returned_on, "returned_on", not_before=advice.sent_on)
    if returned.advice_item_id is None:
        raise PlanProblem("advice_item_id", NO_ADVICE)
    item = db.get(Item, returned.advice_item_id)
    if item is None or item.plan_id != advice.plan_id or item.kind is not ItemKind.ADVICE:
        raise PlanProblem("advice_item_id", "Choose advice written in this plan (section K)")
    return _returned(db, actor, access, advice, returned.returned_on, item, 0)


class WrittenAdvice(BaseModel):
    """The advice as the adviser writes it where it was asked for; files come beside it."""

    text: str = Field(default="", max_length=10000, pattern=PLAIN_TEXT)


def return_advice(
    db: Session,
    actor: Actor,
    access: PlanAccess,
    data_dir: Path,
    advice: AdviceRequest,
    written: WrittenAdvice,
    uploads: list[Upload],
) -> AdviceRequest:
    """Write the advice into section K, keep its files, and close the request today: one flow."""
    check_may_record_return(access, advice)
    if advice.returned_on is not None:
        refuse_change(access, "This advice has already come back.", action="advice.refused")
    text = written.text.strip()
    if not text:
        raise PlanProblem("advice_text", "Write the advice (a summary, at least, of any report you attach)")
    checked = advice_files.checked_files(uploads)
    item = write_item(db, access, NewItem(section=Section.K, text=text))  # the return's one event says so
    db.add_all(
        AdviceAttachment(
            plan_id=advice.plan_id,
            advice_request_id=advice.id,
            item_id=item.id,
            file_name=advice_files.store(data_dir, one),
            shown_name=one.shown_name,
            media_type=one.media_type,
            byte_size=len(one.data),
            uploaded_by=id_of(access.person),
        )
        for one in checked
    )
    db.flush()
    return _returned(db, actor, access, advice, uk_today(), item, len(checked))


def _returned(
    db: Session, actor: Actor, access: PlanAccess, advice: AdviceRequest, day: date, item: Item, files: int
) -> AdviceRequest:
    advice.returned_on, advice.returned_by_id = day, id_of(access.person)
    advice.advice_item_id = item.id
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
            "returned_on": day.isoformat(),
            "on_time": day <= advice.due_on,
            "item_id": item.id,
            "section": item.section.value,
            "attachments": files,
        },
    )
    return advice


@dataclass(frozen=True)
class Written:
    """Advice as it came back: its words in section K of this plan, and its files."""

    item: Item
    text: str
    attachments: list[AdviceAttachment]


def advice_written(db: Session, access: PlanAccess, advice: AdviceRequest) -> Written | None:
    """The returned advice as this plan holds it (carried into the EHC draft, once made), if readable."""
    if advice.advice_item_id is None:
        return None
    item = db.get(Item, advice.advice_item_id)
    if item is not None and item.plan_id != access.plan.id:
        item = db.exec(
            select(Item).where(Item.plan_id == access.plan.id, Item.carried_from_id == advice.advice_item_id)
        ).first()
    if item is None or item.current_revision_id is None:
        return None
    revision = db.get(ItemRevision, item.current_revision_id)
    files = advice_files.attachments_of(db, id_of(access.plan), [id_of(item)])
    return Written(item, revision.text if revision else "", files.get(id_of(item), []))
