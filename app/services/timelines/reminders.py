"""Reminders of steps due soon or overdue (`oneplan reminders`, for cron): each sent once, never twice.

A reminder goes to whoever must act: the council's case officer for an assessment's steps (the
council's case officers while nobody has taken the request on), the plan's coordinator for reviews,
and for advice the person asked, or their organisation's team when that person has left. A table of
reminders sent (one key per thing, threshold and recipient) makes a second run send nothing.
Each is queued in the outbox with its record; the worker's mail relay delivers it.
Messages say what is due and where, with a link; never the child's name or other details.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.config import Settings
from app.models import ENDED_STATUSES, Person, PersonRole, Plan, PlanMember
from app.models.base import id_of
from app.models.timeline import ASSESSMENT_STEPS, AssessmentRequest, ReminderSent
from app.services import audit
from app.services.mail import send_mail
from app.services.timelines.reading import Entry, timelines_of
from app.services.timelines.rules import Status

THRESHOLDS = {Status.DUE_SOON: "due_soon", Status.OVERDUE: "overdue"}


@dataclass(frozen=True)
class Reminder:
    key: str
    plan: Plan
    entry: Entry
    recipient: Person
    threshold: str

    @property
    def subject(self) -> str:
        if self.threshold == "overdue":
            return f"Overdue on plan {self.plan.reference}"
        return f"Due by {self.entry.due_on.day} {self.entry.due_on:%B %Y} on plan {self.plan.reference}"

    def body(self, public_url: str) -> str:
        due = f"{self.entry.due_on.day} {self.entry.due_on:%B %Y}"
        when = (
            f"was due by {due} and has not been recorded"
            if self.threshold == "overdue"
            else f"is due by {due}"
        )
        what = self.entry.label[0].upper() + self.entry.label[1:]
        return (
            f"Plan {self.plan.reference}: {what} {when}.\n\n"
            f"See the plan's timeline: {public_url.rstrip('/')}/plans/{self.plan.id}/timeline\n\n"
            "Sign in to OnePlan to read more. This message carries no personal details."
        )


def _people(db: Session) -> list[Person]:
    return list(
        db.exec(select(Person).where(col(Person.deactivated_at).is_(None), col(Person.email).is_not(None)))
    )


def due_reminders(db: Session, today: date) -> list[Reminder]:
    """Every reminder the open steps call for today, including those already sent (see `send_reminders`)."""
    plans = list(db.exec(select(Plan).where(col(Plan.status).not_in(ENDED_STATUSES))))
    timelines = timelines_of(db, plans, today)
    people = {id_of(person): person for person in _people(db)}
    coordinators: dict[int, list[int]] = {}
    for member in db.exec(
        select(PlanMember).where(col(PlanMember.is_coordinator), col(PlanMember.removed_at).is_(None))
    ):
        coordinators.setdefault(member.plan_id, []).append(member.person_id)
    requests = {
        id_of(request): request
        for request in db.exec(select(AssessmentRequest).where(col(AssessmentRequest.closed_on).is_(None)))
    }
    case_officers: dict[int, list[int]] = {}
    for person in people.values():
        if person.role is PersonRole.LA_CASE_OFFICER and person.organisation_id is not None:
            case_officers.setdefault(person.organisation_id, []).append(id_of(person))

    def officers_of(request_id: int | None, plan: Plan) -> list[int]:
        request = requests.get(request_id) if request_id is not None else None  # nosec B113 # a dict, not HTTP
        if request is not None and request.case_officer_id is not None:
            return [request.case_officer_id]
        return case_officers.get(plan.local_authority_id, [])

    found: list[Reminder] = []
    for plan_id, timeline in timelines.items():
        plan = timeline.plan
        for entry in timeline.entries:
            threshold = THRESHOLDS.get(entry.status)
            if threshold is None:
                continue
            if entry.advice is not None:
                asked = people.get(entry.advice.person_id) if entry.advice.person_id else None
                who = (
                    [id_of(asked)]
                    if asked is not None
                    else [
                        person_id
                        for person_id, person in people.items()
                        if person.organisation_id == entry.advice.organisation_id
                    ]
                )
                if threshold == "overdue":
                    who += officers_of(entry.advice.assessment_id, plan)
            elif entry.step is not None and entry.step.kind in ASSESSMENT_STEPS:
                who = officers_of(entry.step.assessment_id, plan)
            else:
                who = coordinators.get(plan_id, [])
            for person_id in dict.fromkeys(who):
                recipient = people.get(person_id)
                if recipient is None or recipient.email is None:
                    continue
                key = f"{entry.key}:{threshold}:person:{person_id}"
                found.append(Reminder(key, plan, entry, recipient, threshold))
    return found


@dataclass(frozen=True)
class Sent:
    reminder: Reminder
    row: ReminderSent


def send_reminders(db: Session, settings: Settings, today: date | None = None) -> list[Sent]:
    """Send each reminder not sent before, committing each with its record and audit event."""
    day = today or uk_today()
    already = set(db.exec(select(ReminderSent.key)))
    sent: list[Sent] = []
    for reminder in due_reminders(db, day):
        if reminder.key in already or reminder.recipient.email is None:
            continue
        message = send_mail(
            db, settings, reminder.recipient.email, reminder.subject, reminder.body(settings.public_url)
        )
        row = ReminderSent(
            key=reminder.key,
            plan_id=id_of(reminder.plan),
            recipient=reminder.recipient.email,
            outbox_message_id=message.id,
        )
        db.add(row)
        db.flush()
        audit.record(
            db,
            Actor.command(),
            "reminder.sent",
            object_type="reminder_sent",
            object_id=row.id,
            details={"plan_id": reminder.plan.id, "key": reminder.key, "threshold": reminder.threshold},
        )
        db.commit()
        already.add(reminder.key)
        sent.append(Sent(reminder, row))
    return sent
