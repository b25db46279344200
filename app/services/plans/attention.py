"""What needs attention on a plan, for the person reading it: the first thing the plan page shows.

Built from what the plan page has already worked out (the timeline, delivery, quality and voices
panels), not counted again; the only query of its own finds the comments others made on the reader's
own items. Each entry says, in plain words for the family, what is wrong and links to the place to
act on it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, func, select

from app.models import FAMILY_MEMBER_ROLES, Child, Item, ItemComment, ItemKind, Person, Section
from app.models.base import id_of
from app.permissions import PlanAccess, may_answer_concern, may_raise_concern
from app.services.concerns.concerns import ConcernsPanel
from app.services.delivery.overview import PlanPanel
from app.services.plans.content import ItemHead
from app.services.quality.differences import DifferenceRecord
from app.services.quality.report import QualityReport
from app.services.timelines.reading import Timeline
from app.services.timelines.rules import Status, day_words
from app.services.voices.views import VoicesSummary


class Concern(StrEnum):
    OVERDUE = "overdue"
    DUE = "due"
    ADVICE = "advice"
    SHORTFALL = "shortfall"
    COMMENTS = "comments"
    UNANSWERED_VIEW = "unanswered_view"
    VAGUE_PROVISION = "vague_provision"
    THREAD = "thread"
    DIFFERENCE = "difference"
    CONCERN_LATE = "concern_late"
    CONCERN_TO_ANSWER = "concern_to_answer"
    CONCERN_ANSWERED = "concern_answered"


MOST_VIEWS_LISTED = 3
"""Views that nothing answers are listed one by one up to this many; past it, one entry counts them
and leads to the plan page's list of them (`VOICES_ANCHOR`), so that the list stays short to read."""
VOICES_ANCHOR = "voices-title"
"""The heading of the plan page's part on the child's and family's views."""

URGENT = frozenset({Concern.OVERDUE, Concern.ADVICE, Concern.SHORTFALL, Concern.CONCERN_LATE})
"""Shown with a warning: late, asked of this person, or help the child did not get."""


@dataclass(frozen=True)
class Attention:
    """One thing to act on: what it is, in words for this reader, and where to act."""

    concern: Concern
    words: str
    href: str

    @property
    def urgent(self) -> bool:
        return self.concern in URGENT


@dataclass(frozen=True)
class Facts:
    """What the plan page already worked out, handed over rather than read again."""

    timeline: Timeline | None
    delivery: PlanPanel
    quality: QualityReport
    differences: Sequence[DifferenceRecord]
    voices: VoicesSummary
    heads: Sequence[ItemHead]
    people: dict[int, Person]
    child: Child
    titles: dict[Section, str]
    concerns: ConcernsPanel | None = None


def _said(text: str, limit: int = 80) -> str:
    """The first words of something written, on one line."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rsplit(" ", 1)[0] + "…"


def comments_on_own_items(db: Session, access: PlanAccess) -> dict[int, int]:
    """Comments others made on the present wording of the reader's items: one query, any plan size."""
    rows = db.exec(
        select(ItemComment.item_id, func.count())
        .join(Item, col(Item.id) == col(ItemComment.item_id))
        .where(
            col(ItemComment.plan_id) == access.plan.id,
            col(Item.author_id) == access.person.id,
            col(ItemComment.author_id) != access.person.id,
            col(ItemComment.revision_number) == col(Item.revision_number),
        )
        .group_by(col(ItemComment.item_id))
    )
    return {int(item_id): int(count) for item_id, count in rows}


def needs_attention(access: PlanAccess, facts: Facts, own_comments: dict[int, int]) -> list[Attention]:
    """What this reader has to act on, most pressing first."""
    plan_url = f"/plans/{access.plan.id}"
    family = access.member_role in FAMILY_MEMBER_ROLES
    person = access.person
    sections = {head.id: head.section for head in facts.heads}
    name = facts.child.known_as
    found: list[Attention] = []

    def where(section: Section) -> str:
        """A section named by its title (families are not expected to know the statutory letters)."""
        title = facts.titles.get(section, "")
        return f"“{title}”" if family or not title else f"section {section.value} ({title})"

    def item_url(item_id: int) -> str:
        return f"{plan_url}/sections/{sections[item_id].value}#item-{item_id}"

    if facts.timeline is not None:
        for entry in facts.timeline.entries:
            advice = entry.advice
            asked_of_me = advice is not None and (
                advice.person_id == person.id
                or (
                    person.is_staff
                    and person.organisation_id is not None
                    and advice.organisation_id == person.organisation_id
                )
            )
            if not entry.is_open or entry.status is Status.EXCEPTION:
                continue
            due = day_words(entry.due_on, facts.timeline.today)
            label = entry.label[:1].upper() + entry.label[1:]
            if asked_of_me:
                late = " It is late." if entry.status is Status.OVERDUE else ""
                words = f"Your advice is asked for: {entry.label}, by {due}.{late}"
                found.append(Attention(Concern.ADVICE, words, f"{plan_url}/timeline"))
            elif entry.status is Status.OVERDUE:
                found.append(
                    Attention(Concern.OVERDUE, f"Late: {label}, due by {due}.", f"{plan_url}/timeline")
                )
            elif entry.status is Status.DUE_SOON:
                found.append(Attention(Concern.DUE, f"Due soon: {label}, by {due}.", f"{plan_url}/timeline"))

    for provision in facts.delivery.shortfalls:
        missed = sum(week.missed for week in provision.flagged_weeks)
        weeks = len(provision.flagged_weeks)
        lately = f" in {weeks} recent {'week' if weeks == 1 else 'weeks'}" if weeks else " this half term"
        if family:
            words = f"{name} got less help than the plan promises{lately}: “{_said(provision.revision.text)}”"
        else:
            words = f"Less was delivered than planned{lately}: “{_said(provision.revision.text)}”"
        if missed:
            words += f" ({missed:g} missed)"
        first = provision.flagged_weeks[0].starts_on.isoformat() if provision.flagged_weeks else None
        href = f"{plan_url}/delivery/{provision.item.id}" + (f"?week={first}" if first else "")
        found.append(Attention(Concern.SHORTFALL, words, href))

    for item_id, count in own_comments.items():
        if item_id not in sections:
            continue
        plural = "comment" if count == 1 else "comments"
        words = (
            f"{count} {plural} on what you wrote in {where(sections[item_id])}, not yet answered by a change."
        )
        found.append(Attention(Concern.COMMENTS, words, item_url(item_id)))

    unanswered = [view for view in facts.voices.unanswered_views if view.item_id in sections]
    if len(unanswered) > MOST_VIEWS_LISTED:
        words = f"Nothing in the plan answers {len(unanswered)} things that {name} and the family said."
        found.append(Attention(Concern.UNANSWERED_VIEW, words, f"{plan_url}#{VOICES_ANCHOR}"))
        unanswered = []
    for view in unanswered:
        speaker = facts.people.get(view.voice_id) if view.voice_id else None
        if view.voice_id == person.id:
            who = "you"
        elif speaker is None or view.voice_id == facts.child.person_id:
            who = name
        else:
            who = speaker.display_name
        words = f"Nothing in the plan answers what {who} said about “{_said(view.text)}”"
        found.append(Attention(Concern.UNANSWERED_VIEW, words, item_url(view.item_id)))

    for checked in facts.quality.items.values():
        if checked.kind is ItemKind.PROVISION and checked.flags and checked.item_id in sections:
            section = where(sections[checked.item_id])
            if family:
                words = (
                    f"Some help in {section} does not yet say clearly what {name} will get, "
                    "how much or how often."
                )
            else:
                words = f"Provision in {section} is not specific: {checked.flags[0].message}"
            found.append(Attention(Concern.VAGUE_PROVISION, words, item_url(checked.item_id)))

    places = sum(1 for checked in facts.quality.items.values() if checked.breaks)
    if places:
        if family:
            where_ = "place" if places == 1 else "places"
            words = (
                f"In {places} {where_} the plan does not yet join up what {name} needs, "
                "what should come of it and the help to get there."
            )
        else:
            at = "item" if places == 1 else "items"
            words = f"The golden thread (need, outcome, provision) is broken at {places} {at}."
        found.append(Attention(Concern.THREAD, words, f"{plan_url}/quality"))

    for record in facts.differences:
        difference = record.difference
        words = f"People on the plan disagree about “{_said(difference.about)}”"
        found.append(
            Attention(Concern.DIFFERENCE, words, f"{plan_url}/quality#difference-{id_of(difference)}")
        )

    found += _concerns(access, facts.concerns, plan_url)
    return found


def _concerns(access: PlanAccess, panel: ConcernsPanel | None, plan_url: str) -> list[Attention]:
    """Concerns waiting on this reader: the setting's answer, or the word of the family who raise them."""
    found: list[Attention] = []
    if panel is None:
        return found
    answers, family = may_answer_concern(access), may_raise_concern(access)
    for concern in panel.concerns:
        href = f"{plan_url}/concerns/{concern.id}"
        due = day_words(concern.due_on, panel.today)
        late = concern.is_overdue(panel.today)
        if answers and concern.answer is None and concern.escalated_on is None:
            words = f"A concern from the family waits for your answer, by {due}." + (
                " It is late." if late else ""
            )
            found.append(Attention(Concern.CONCERN_LATE if late else Concern.CONCERN_TO_ANSWER, words, href))
        elif family and late:
            words = f"The setting has not answered your concern by {due}: you can make it a complaint."
            found.append(Attention(Concern.CONCERN_LATE, words, href))
        elif (
            family and concern.answer is not None and concern.outcome is None and concern.escalated_on is None
        ):
            words = "The setting answered your concern: tell them whether it is resolved."
            found.append(Attention(Concern.CONCERN_ANSWERED, words, href))
    return found


def for_reader(db: Session, access: PlanAccess, facts: Facts) -> list[Attention]:
    """What the plan page's reader has to act on: the page's facts and their own items' comments."""
    return needs_attention(access, facts, comments_on_own_items(db, access))
