"""Who hears of an Experts at Hand request, by e-mail through the outbox (the worker delivers it).

When a setting asks a service, the service's contact address is mailed (or, without one, each of its
people who answer requests); when the service replies, the person who asked is mailed. The mails say
what happened and where, with the due date and a link: never the question's or the reply's words,
which are about a child (they are read after signing in). Each mail is named in the audit event of
the step that sent it. The council's administrator sets a service's contact address here, audited.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.actor import Actor
from app.config import Settings
from app.models import (
    REQUEST_KIND_LABELS,
    ExpertRequest,
    ExpertService,
    Organisation,
    OutboxMessage,
    Person,
    Plan,
    ReplyKind,
)
from app.models.base import id_of
from app.permissions import answers_for_service
from app.services import audit
from app.services.mail import send_mail

CONTACT_LENGTH = 254


def day_words(day: date) -> str:
    """ "14 May 2027": a mail may be read on another day, in another year."""
    return f"{day.day} {day:%B %Y}"


class ContactProblem(ValueError):
    """A contact address that cannot be kept, with the field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CouncilServices:
    council: Organisation
    services: list[tuple[ExpertService, Organisation]]


def services_by_council(db: Session) -> list[CouncilServices]:
    """Every council's Experts at Hand services, by council then name (one query)."""
    found = db.exec(
        select(ExpertService, Organisation)
        .join(Organisation, col(Organisation.id) == col(ExpertService.organisation_id))
        .order_by(col(Organisation.local_authority_id), col(Organisation.name))
    )
    rows = list(found)
    councils = {
        council.id: council
        for council in db.exec(
            select(Organisation).where(
                col(Organisation.id).in_({organisation.local_authority_id for _s, organisation in rows})
            )
        )
    }
    grouped: dict[int, CouncilServices] = {}
    for service, organisation in rows:
        council = councils.get(organisation.local_authority_id)
        if council is None:
            continue
        grouped.setdefault(id_of(council), CouncilServices(council, [])).services.append(
            (service, organisation)
        )
    return sorted(grouped.values(), key=lambda one: one.council.name)


def service_of(db: Session, service_id: int) -> tuple[ExpertService, Organisation]:
    """A service with its organisation (LookupError if there is none)."""
    service = db.get(ExpertService, service_id)
    organisation = db.get(Organisation, service.organisation_id) if service else None
    if service is None or organisation is None:
        raise LookupError(service_id)
    return service, organisation


def set_contact(db: Session, actor: Actor, service_id: int, address: str) -> ExpertService:
    """Set (or, left empty, clear) where the service's requests are mailed (audited; LookupError if no
    such service)."""
    service = db.get(ExpertService, service_id)
    if service is None:
        raise LookupError(service_id)
    email = address.strip().lower()
    if email and ("@" not in email or email.startswith("@") or email.endswith("@") or " " in email):
        raise ContactProblem(
            "contact_email", "Enter an e-mail address in the right format, like therapy@example.org"
        )
    if len(email) > CONTACT_LENGTH:
        raise ContactProblem(
            "contact_email", f"The e-mail address must be {CONTACT_LENGTH} characters or fewer"
        )
    before = service.contact_email
    service.contact_email = email or None
    db.add(service)
    db.flush()
    audit.record(
        db,
        actor,
        "expert_service.contact_changed",
        object_type="expert_service",
        object_id=service.id,
        details={
            "organisation_id": service.organisation_id,
            "had_one": before is not None,
            "has_one": bool(email),
        },
    )
    return service


def contacts_of(db: Session, service: ExpertService) -> list[str]:
    """Where a request to the service goes: its contact address, else each of its people who answer."""
    if service.contact_email:
        return [service.contact_email]
    people = db.exec(select(Person).where(col(Person.organisation_id) == service.organisation_id))
    return sorted(
        {
            person.email
            for person in people
            if person.email and answers_for_service(person, service.organisation_id)
        }
    )


def tell_service(
    db: Session, settings: Settings, request: ExpertRequest, plan: Plan, asker: Person
) -> list[OutboxMessage]:
    """The service hears it was asked: by whom, for what, by when, and where to read and answer it."""
    service = db.get(ExpertService, request.service_id)
    if service is None:
        return []
    setting = db.get(Organisation, plan.setting_id) if plan.setting_id else None
    who = f"{asker.display_name} ({setting.name})" if setting else asker.display_name
    kind = REQUEST_KIND_LABELS[request.kind].lower()
    subject = f"A request for {kind} about plan {plan.reference}, due {day_words(request.due_on)}"
    body = (
        f"{who} has asked your service for {kind} about a child with plan {plan.reference}.\n\n"
        f"The reply is due by {day_words(request.due_on)}.\n\n"
        f"Sign in to read the question and reply: {settings.public_url}/experts/requests/{request.id}\n"
    )
    return [send_mail(db, settings, address, subject, body) for address in contacts_of(db, service)]


def tell_asker(
    db: Session, settings: Settings, request: ExpertRequest, plan: Plan, replier: Person
) -> OutboxMessage | None:
    """The person who asked hears the service replied, and where the reply now is in the plan."""
    asker = db.get(Person, request.asked_by_id)
    if asker is None or not asker.email or not asker.is_active:
        return None
    service = db.get(ExpertService, request.service_id)
    organisation = db.get(Organisation, service.organisation_id) if service else None
    by = f"{replier.display_name} ({organisation.name})" if organisation else replier.display_name
    where = "advice" if request.reply_kind is ReplyKind.ADVICE else "provision"
    return send_mail(
        db,
        settings,
        asker.email,
        f"The service replied to your request about plan {plan.reference}",
        f"{by} has replied to your request about plan {plan.reference}. The reply is in the plan's "
        f"{where}.\n\nSign in to read it: {settings.public_url}/plans/{plan.id}/experts\n",
    )
