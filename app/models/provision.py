"""The particulars of structured provision, and the one sentence a plan prints them in.

Section F provision must be "detailed and specific and should normally be quantified, e.g. in terms
of the type, hours and frequency of support and level of expertise" (SEND Code of Practice 9.69).
A provision records each of those as its own particular (as US IEP services and FHIR CarePlan
activities do); the plan, its paper copy and the checks read them from here, never from the words.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.base import PlainText, created_at_field


class ProvisionUnit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    SESSIONS = "sessions"


class ProvisionFrequency(StrEnum):
    DAY = "day"
    WEEK = "week"
    HALF_TERM = "half_term"
    TERM = "term"
    YEAR = "year"


FREQUENCY_LABELS = {
    ProvisionFrequency.DAY: "a day",
    ProvisionFrequency.WEEK: "a week",
    ProvisionFrequency.HALF_TERM: "a half-term",
    ProvisionFrequency.TERM: "a term",
    ProvisionFrequency.YEAR: "a year",
}


class GroupSize(StrEnum):
    """Who else is in the session: nobody, a small group, or the class."""

    ONE_TO_ONE = "one_to_one"
    SMALL_GROUP = "small_group"
    WHOLE_CLASS = "whole_class"


GROUP_SIZE_LABELS = {
    GroupSize.ONE_TO_ONE: "One to one",
    GroupSize.SMALL_GROUP: "Small group",
    GroupSize.WHOLE_CLASS: "Whole class",
}
SMALLEST_GROUP, LARGEST_SMALL_GROUP = 2, 15


class DelivererRole(StrEnum):
    """The roles that deliver provision in England; a named service or other role is typed instead."""

    TEACHING_ASSISTANT = "teaching_assistant"
    HIGHER_LEVEL_TEACHING_ASSISTANT = "higher_level_teaching_assistant"
    CLASS_TEACHER = "class_teacher"
    SENCO = "senco"
    SPECIALIST_TEACHER = "specialist_teacher"
    TEACHER_OF_THE_DEAF = "teacher_of_the_deaf"
    TEACHER_OF_VISION_IMPAIRMENT = "teacher_of_vision_impairment"
    LEARNING_MENTOR = "learning_mentor"
    SPEECH_AND_LANGUAGE_THERAPIST = "speech_and_language_therapist"
    OCCUPATIONAL_THERAPIST = "occupational_therapist"
    PHYSIOTHERAPIST = "physiotherapist"
    EDUCATIONAL_PSYCHOLOGIST = "educational_psychologist"
    CLINICAL_PSYCHOLOGIST = "clinical_psychologist"
    SCHOOL_NURSE = "school_nurse"
    SOCIAL_WORKER = "social_worker"
    FAMILY_SUPPORT_WORKER = "family_support_worker"
    KEY_WORKER = "key_worker"


DELIVERER_ROLE_LABELS = {
    DelivererRole.TEACHING_ASSISTANT: "Teaching assistant",
    DelivererRole.HIGHER_LEVEL_TEACHING_ASSISTANT: "Higher level teaching assistant",
    DelivererRole.CLASS_TEACHER: "Class teacher",
    DelivererRole.SENCO: "SENCo",
    DelivererRole.SPECIALIST_TEACHER: "Specialist teacher",
    DelivererRole.TEACHER_OF_THE_DEAF: "Qualified teacher of the deaf",
    DelivererRole.TEACHER_OF_VISION_IMPAIRMENT: "Qualified teacher of vision impairment",
    DelivererRole.LEARNING_MENTOR: "Learning mentor",
    DelivererRole.SPEECH_AND_LANGUAGE_THERAPIST: "Speech and language therapist",
    DelivererRole.OCCUPATIONAL_THERAPIST: "Occupational therapist",
    DelivererRole.PHYSIOTHERAPIST: "Physiotherapist",
    DelivererRole.EDUCATIONAL_PSYCHOLOGIST: "Educational psychologist",
    DelivererRole.CLINICAL_PSYCHOLOGIST: "Clinical psychologist",
    DelivererRole.SCHOOL_NURSE: "School nurse",
    DelivererRole.SOCIAL_WORKER: "Social worker",
    DelivererRole.FAMILY_SUPPORT_WORKER: "Family support worker",
    DelivererRole.KEY_WORKER: "Key worker",
}
_THE_ROLES = {DelivererRole.CLASS_TEACHER, DelivererRole.SENCO}
"""A child has one class teacher and one SENCo: "by the SENCo", not "by a SENCo"."""


BUILT_IN_ROLES = {role.value: role for role in DelivererRole}
ROLE_MAX_LENGTH = 100


class CouncilDelivererRole(SQLModel, table=True):
    """A role a local authority adds to the built-in ones (a play therapist, a sensory support
    assistant). A provision keeps the role's name as it was chosen, so renaming none is needed to read
    old plans, and the sentence prints it without looking it up."""

    __tablename__ = "council_deliverer_role"
    __table_args__ = (UniqueConstraint("local_authority_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    local_authority_id: int = Field(foreign_key="organisation.id", index=True)
    label: PlainText = Field(min_length=1, max_length=ROLE_MAX_LENGTH)
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime = created_at_field()


def deliverer_label(role: str) -> str:
    """A role as a list shows it: a built-in role by its label, a council's role by its name."""
    built_in = BUILT_IN_ROLES.get(role)
    return DELIVERER_ROLE_LABELS[built_in] if built_in else role


def deliverer_phrase(role: str) -> str:
    """The role as the sentence names it: "a teaching assistant", "an occupational therapist"."""
    built_in = BUILT_IN_ROLES.get(role)
    label = deliverer_label(role)
    if built_in is DelivererRole.SENCO:
        return "the SENCo"
    words = label if label[:2].isupper() else label[0].lower() + label[1:]
    if built_in in _THE_ROLES:
        return f"the {words}"
    return f"{'an' if words[0].lower() in 'aeiou' else 'a'} {words}"


class Structured(Protocol):
    """What the sentence reads: the particulars of a provision (a revision, or content being typed)."""

    amount: float | None
    unit: ProvisionUnit | None
    frequency: ProvisionFrequency | None
    session_minutes: int | None
    group_size: GroupSize | None
    group_of: int | None
    deliverer_role: str | None
    """A built-in role's value (DelivererRole) or the name of a council's own role."""
    delivered_by: str | None
    expertise: str | None
    location: str | None
    starts_on: date | None
    ends_on: date | None


def quantity_words(
    amount: float | None, unit: ProvisionUnit | None, frequency: ProvisionFrequency | None
) -> str | None:
    """How much and how often: "25 hours a week", "1 session a week"."""
    if amount is None or unit is None or frequency is None:
        return None
    return f"{amount:g} {unit_words(amount, unit)} {FREQUENCY_LABELS[frequency]}"


def unit_words(amount: float, unit: ProvisionUnit) -> str:
    """The unit agreeing with its number: "1 session", "3 sessions", "1.5 hours"."""
    return unit.value.removesuffix("s") if amount == 1 else unit.value


def count_words(count: int, singular: str) -> str:
    """A whole count with its noun: "1 session", "3 sessions", "0 sessions"."""
    return f"{count} {singular if count == 1 else singular + 's'}"


def _times(amount: float) -> str:
    if amount == 1:
        return "once"
    if amount == 2:
        return "twice"
    return f"{amount:g} times"


def _how_much(p: Structured) -> str | None:
    minutes = f"{p.session_minutes} minutes" if p.session_minutes else None
    if p.amount is None or p.unit is None or p.frequency is None:
        return f"{minutes} a session" if minutes else None
    if p.unit is ProvisionUnit.SESSIONS and minutes:
        return f"{minutes}, {_times(p.amount)} {FREQUENCY_LABELS[p.frequency]}"
    quantity = quantity_words(p.amount, p.unit, p.frequency)
    return f"{quantity} in sessions of {minutes}" if minutes else quantity


def _group(p: Structured) -> str | None:
    if p.group_size is GroupSize.ONE_TO_ONE:
        return "one to one"
    if p.group_size is GroupSize.SMALL_GROUP:
        return f"in a small group of {p.group_of}" if p.group_of else "in a small group"
    if p.group_size is GroupSize.WHOLE_CLASS:
        return "with the whole class"
    return None


_JOINS_DIRECTLY = ("trained", "qualified", "with", "who", "experienced", "accredited", "certified")
_PREPOSITIONS = ("in", "at", "on", "outside", "around", "during", "across", "within", "from", "by", "between")


def _who(p: Structured, organisation: str | None) -> str | None:
    named = (p.delivered_by or "").strip()
    who = deliverer_phrase(p.deliverer_role) if p.deliverer_role else named
    if p.deliverer_role and named:
        who = f"{who} ({named})"
    if organisation:
        who = f"{who} from {organisation}" if who else organisation
    expertise = (p.expertise or "").strip()
    if expertise:
        joined = expertise.split(" ", 1)[0].lower() in _JOINS_DIRECTLY
        expertise = f"{expertise[0].lower()}{expertise[1:]}" if joined else expertise
        expertise = expertise if joined else f"with expertise in {expertise}"
        who = f"{who or 'someone'} {expertise}"
    return f"by {who}" if who else None


def _where(p: Structured) -> str | None:
    place = (p.location or "").strip()
    if not place:
        return None
    first = place.split(" ", 1)[0].lower()
    return place if first in _PREPOSITIONS else f"in {place}"


def _when(p: Structured) -> str | None:
    if p.starts_on and p.ends_on:
        return f"from {p.starts_on:%-d %B %Y} to {p.ends_on:%-d %B %Y}"
    if p.starts_on:
        return f"from {p.starts_on:%-d %B %Y}"
    if p.ends_on:
        return f"until {p.ends_on:%-d %B %Y}"
    return None


def provision_sentence(p: Structured, organisation: str | None = None) -> str | None:
    """The particulars in one standard sentence, or None when none is given.

    "30 minutes, 3 times a week, one to one, by a speech and language therapist trained in
    Colourful Semantics; in the therapy room; from 4 January 2027 to 16 July 2027."
    """
    first = ", ".join(part for part in (_how_much(p), _group(p), _who(p, organisation)) if part)
    parts = [part for part in (first, _where(p), _when(p)) if part]
    if not parts:
        return None
    sentence = "; ".join(parts)
    return f"{sentence[0].upper()}{sentence[1:]}."
