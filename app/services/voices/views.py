"""Views written in answer to the young person's (or parent's) questions, and what answers them.

A view is an item of kind VIEW in section A, added through the items service (so it has revisions,
comments and its "item.added" audit event like any item); this module adds the question it answers,
who may read it, and its pictures, in the same transaction. The rule about who reads a view is
`app.permissions.may_see_view`; the services in app/services/plans leave hidden views out.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import (
    LINKABLE,
    Item,
    ItemKind,
    ItemLink,
    ItemRevision,
    Person,
    PlanMember,
    PlanStatus,
    PlanVersion,
    PlanVersionItem,
    Section,
    ViewAudience,
    ViewDetail,
    ViewPicture,
    ViewPrompt,
    ViewReader,
)
from app.models.base import PlainText, id_of
from app.permissions import PlanAccess, may_add_view, may_write_in
from app.services import audit
from app.services.plans import items, visibility
from app.services.plans.content import ItemHead, PlanItem, plan_items
from app.services.plans.links import LinkEnds, plan_links
from app.services.plans.plans import people_by_id

MAX_READERS = 50
MAX_PICTURES = 3


class NewView(BaseModel):
    """A view to add: its words, the question it answers, and who may read it."""

    prompt: ViewPrompt = ViewPrompt.OTHER
    text: PlainText = Field(min_length=1, max_length=10000)
    audience: ViewAudience = ViewAudience.EVERYONE
    reader_ids: list[int] = Field(default_factory=list, max_length=MAX_READERS)
    """With audience CHOSEN: the people on the plan who may read it (its voice and recorder always may)."""
    voice_id: int | None = None
    """For a view recorded on someone's behalf: the child or parent whose words these are."""
    picture_ids: list[int] = Field(default_factory=list, max_length=MAX_PICTURES)
    """Pictures uploaded first (POST .../pictures) by the same person, not yet with a view."""


def _readers(db: Session, access: PlanAccess, new: NewView) -> set[int]:
    if new.audience is ViewAudience.EVERYONE:
        return set()
    wanted = set(new.reader_ids) - {access.person.id}
    if not wanted:
        return set()
    on_plan = set(
        db.exec(
            select(PlanMember.person_id).where(
                col(PlanMember.plan_id) == access.plan.id,
                col(PlanMember.removed_at).is_(None),
                col(PlanMember.person_id).in_(wanted),
            )
        )
    )
    if on_plan != wanted:
        raise items.ContentProblem({"reader_ids": "Choose people who are on this plan"})
    return wanted


def _pictures(db: Session, access: PlanAccess, picture_ids: list[int]) -> list[ViewPicture]:
    if not picture_ids:
        return []
    found = list(db.exec(select(ViewPicture).where(col(ViewPicture.id).in_(set(picture_ids)))))
    if len(found) != len(set(picture_ids)) or any(
        picture.plan_id != access.plan.id or picture.uploaded_by != access.person.id or picture.item_id
        for picture in found
    ):
        raise items.ContentProblem({"picture_ids": "Choose pictures you added to this plan"})
    return found


def _as_item(new: NewView) -> items.NewItem:
    return items.NewItem(section=Section.A, text=new.text, voice_id=new.voice_id)


class AnswerProblem(items.ContentProblem):
    """A problem with one of the answers sent together, and which question it answers."""

    def __init__(self, prompt: ViewPrompt, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.prompt = prompt


def may_add_views(access: PlanAccess) -> bool:
    """A young person or parent keeps their voice: a view may be added at any time until the plan ends.

    Added to an issued plan, it does not change the issued version (its snapshot does not hold it): it
    is kept as evidence for the next review, and the plan page shows it as new since the issue.
    """
    return may_add_view(access)


def check_may_add_views(access: PlanAccess) -> None:
    """Refused (409 when the plan has ended, 403 for someone who does not write views) otherwise."""
    items.check_may_add(access, Section.A, named="the views", to_issued=True)


def _after_issue(access: PlanAccess) -> dict[str, int]:
    """In the audit event: the view came after this version was issued, and is kept for the review."""
    issued = access.plan.status is PlanStatus.ISSUED
    return {"after_issue_of_version": access.plan.version} if issued else {}


def add_view(db: Session, actor: Actor, access: PlanAccess, new: NewView) -> Item:
    """Add a view with its question, audience and pictures (one "item.added" event for it all)."""
    [item] = _write_views(db, access, [new])
    details = items.added_details(item, _as_item(new)) | _after_issue(access)
    audit.record(db, actor, "item.added", object_type="item", object_id=item.id, details=details)
    return item


def send_views(db: Session, actor: Actor, access: PlanAccess, answers: list[NewView]) -> list[Item]:
    """The answers of the young person's (or parent's) page, sent together: all of them or none.

    One "views.sent" event names each view and the digest of its words.
    """
    written = _write_views(db, access, answers)
    added = [
        {
            "item_id": item.id,
            "digest": items.added_details(item, items.NewItem(section=Section.A, text=new.text))["digest"],
        }
        for item, new in zip(written, answers, strict=True)
    ]
    audit.record(
        db,
        actor,
        "views.sent",
        object_type="plan",
        object_id=access.plan.id,
        details={"plan_id": access.plan.id, "section": Section.A.value, "views": added}
        | _after_issue(access),
    )
    return written


def _write_views(db: Session, access: PlanAccess, answers: list[NewView]) -> list[Item]:
    """Check every answer before writing any, so that a problem with one leaves nothing half sent."""
    check_may_add_views(access)
    checked = []
    for new in answers:
        try:
            items.checked_content(ItemKind.VIEW, _as_item(new))
            checked.append((new, _readers(db, access, new), _pictures(db, access, new.picture_ids)))
        except items.ContentProblem as problem:
            raise AnswerProblem(new.prompt, problem.errors) from None
    return [_write_view(db, access, new, readers, pictures) for new, readers, pictures in checked]


def _write_view(
    db: Session, access: PlanAccess, new: NewView, readers: set[int], pictures: list[ViewPicture]
) -> Item:
    item = items.write_item(
        db, access, items.NewItem(section=Section.A, text=new.text, voice_id=new.voice_id), to_issued=True
    )
    db.add(ViewDetail(item_id=id_of(item), plan_id=item.plan_id, prompt=new.prompt, audience=new.audience))
    db.add_all(ViewReader(item_id=id_of(item), person_id=person_id) for person_id in sorted(readers))
    for picture in pictures:
        picture.item_id = item.id
        db.add(picture)
    db.flush()
    return item


# What a young person or parent sees of their own views ----------------------------------------------


@dataclass
class Answer:
    """An item of the plan that answers a view: the team's reply, in its own words."""

    item: Item
    revision: ItemRevision


@dataclass
class OwnView:
    item: Item
    revision: ItemRevision
    prompt: ViewPrompt
    audience: ViewAudience
    readers: list[Person] = field(default_factory=list)
    pictures: list[ViewPicture] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)


def details_of(db: Session, item_ids: set[int]) -> dict[int, ViewDetail]:
    """One query, even for no views (so that a page's query count does not depend on its content)."""
    return {
        detail.item_id: detail
        for detail in db.exec(select(ViewDetail).where(col(ViewDetail.item_id).in_(item_ids)))
    }


def readers_of(db: Session, item_ids: set[int]) -> dict[int, set[int]]:
    """The people picked to read each view (for views whose audience is CHOSEN)."""
    found: dict[int, set[int]] = defaultdict(set)
    if item_ids:
        for reader in db.exec(select(ViewReader).where(col(ViewReader.item_id).in_(item_ids))):
            found[reader.item_id].add(reader.person_id)
    return found


def pictures_of(db: Session, item_ids: set[int]) -> dict[int, list[ViewPicture]]:
    found: dict[int, list[ViewPicture]] = defaultdict(list)
    for picture in db.exec(
        select(ViewPicture).where(col(ViewPicture.item_id).in_(item_ids)).order_by(col(ViewPicture.id))
    ):
        found[int(picture.item_id or 0)].append(picture)
    return found


def own_views(db: Session, actor: Actor, access: PlanAccess) -> list[OwnView]:
    """The person's own views on this plan, newest first, each with what the team did about it (audited)."""
    rows = list(
        db.exec(
            select(Item, ItemRevision)
            .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
            .where(
                col(Item.plan_id) == access.plan.id,
                col(Item.kind) == ItemKind.VIEW.value,
                col(Item.voice_id) == access.person.id,
            )
            .order_by(col(Item.id).desc())
        )
    )
    ids = {id_of(item) for item, _revision in rows}
    details = details_of(db, ids)
    pictures = pictures_of(db, ids)
    readers: dict[int, set[int]] = defaultdict(set)
    links: list[ItemLink] = []
    if ids:
        for reader in db.exec(select(ViewReader).where(col(ViewReader.item_id).in_(ids))):
            readers[reader.item_id].add(reader.person_id)
        links = list(
            db.exec(
                select(ItemLink).where(col(ItemLink.answers_id).in_(ids), col(ItemLink.removed_at).is_(None))
            )
        )
    answering = (
        {
            id_of(item): Answer(item, revision)
            for item, revision in db.exec(
                select(Item, ItemRevision)
                .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
                .where(col(Item.id).in_({link.item_id for link in links}))
            )
        }
        if links
        else {}
    )
    people = people_by_id(db, {person_id for chosen in readers.values() for person_id in chosen})
    result = []
    for item, revision in rows:
        detail = details.get(id_of(item))
        result.append(
            OwnView(
                item,
                revision,
                detail.prompt if detail else ViewPrompt.OTHER,
                detail.audience if detail else ViewAudience.EVERYONE,
                sorted(
                    (people[pid] for pid in readers[id_of(item)] if pid in people),
                    key=lambda person: person.display_name,
                ),
                pictures[id_of(item)],
                [answering[link.item_id] for link in links if link.answers_id == item.id],
            )
        )
    audit.record(
        db,
        actor,
        "views.read",
        object_type="plan",
        object_id=access.plan.id,
        details={"views": len(result)},
    )
    return result


# Evidence on the plan page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VoiceFigure:
    """How many of the plan's outcomes answer a child's or parent's view."""

    outcomes: int
    answering: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.answering / self.outcomes) if self.outcomes else None


@dataclass
class Evidence:
    answers: dict[int, list[PlanItem]]
    """Item id -> the items it answers that this person may read (views, advice, needs, outcomes)."""
    unanswered_views: list[PlanItem]
    figure: VoiceFigure
    may_link: set[int]
    """Items whose links this person may change (they write in its section)."""
    pictures: dict[int, list[ViewPicture]]
    details: dict[int, ViewDetail]


def voice_figure(db: Session, plan_id: int, links: Sequence[LinkEnds] | None = None) -> VoiceFigure:
    """The plan's voice figure: counted over all its views, whoever may read them (no words are shown)."""
    links = plan_links(db, plan_id) if links is None else links
    kinds = dict(db.exec(select(Item.id, Item.kind).where(col(Item.plan_id) == plan_id)).all())
    return voice_figure_of(cast(dict[int, ItemKind], kinds), links)


def voice_figure_of(kinds: dict[int, ItemKind], links: Iterable[LinkEnds]) -> VoiceFigure:
    """The figure from a plan's items' kinds and standing links (no query: lists of many plans use it)."""
    outcomes = {item_id for item_id, kind in kinds.items() if kind is ItemKind.OUTCOME}
    answering = {
        link.item_id
        for link in links
        if link.item_id in outcomes and kinds.get(link.answers_id) is ItemKind.VIEW
    }
    return VoiceFigure(len(outcomes), len(answering))


def evidence(
    db: Session, access: PlanAccess, entries: list[PlanItem], links: Sequence[LinkEnds] | None = None
) -> Evidence:
    """What each item answers, the views nothing answers yet, the voice figure: four queries."""
    links = plan_links(db, id_of(access.plan)) if links is None else links
    by_id = {id_of(entry.item): entry for entry in entries}
    answers: dict[int, list[PlanItem]] = defaultdict(list)
    answered: set[int] = set()
    for link in links:
        answered.add(link.answers_id)
        if link.item_id in by_id and link.answers_id in by_id:
            answers[link.item_id].append(by_id[link.answers_id])
    views = {item_id for item_id, entry in by_id.items() if entry.item.kind is ItemKind.VIEW}
    return Evidence(
        answers=answers,
        unanswered_views=[by_id[item_id] for item_id in sorted(views - answered)],
        figure=voice_figure(db, id_of(access.plan), links),
        may_link={
            item_id
            for item_id, entry in by_id.items()
            if entry.item.kind in LINKABLE and may_write_in(access, entry.item.section)
        },
        pictures=pictures_of(db, views),
        details=details_of(db, views),
    )


def section_evidence(
    db: Session, access: PlanAccess, entries: list[PlanItem], links: Sequence[LinkEnds]
) -> tuple[Evidence, list[PlanItem]]:
    """Evidence for one section's items, with the items in other sections they answer (three queries more).

    Returns the evidence and those other items (their people are the caller's to name).
    """
    shown = {id_of(entry.item) for entry in entries}
    wanted = {link.answers_id for link in links if link.item_id in shown} - shown
    hidden = visibility.hidden_views(db, access)
    rows = db.exec(
        select(Item, ItemRevision)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.id).in_(sorted(wanted)))
    )
    others = [PlanItem(item, revision) for item, revision in rows if item.id not in hidden]
    return evidence(db, access, [*entries, *others], links), others


@dataclass(frozen=True)
class UnansweredView:
    item_id: int
    voice_id: int | None
    text: str


@dataclass(frozen=True)
class IssuedVersion:
    number: int
    issued_at: datetime


@dataclass(frozen=True)
class VoicesSummary:
    """The plan page's outline of the views: the voice figure, the views nothing answers yet, and the
    views added since the plan was last issued (kept for the next review)."""

    figure: VoiceFigure
    unanswered_views: list[UnansweredView]
    issued: IssuedVersion | None = None
    new_since_issue: list[UnansweredView] = field(default_factory=list)


def voices_summary(
    db: Session, access: PlanAccess, heads: list[ItemHead], links: Sequence[LinkEnds]
) -> VoicesSummary:
    """Four queries: the words of the unanswered views only, the figure, the last issued version and
    the words of the views it does not hold."""
    answered = {link.answers_id for link in links}
    ids = [head.id for head in heads if head.kind is ItemKind.VIEW and head.id not in answered]
    unanswered = _view_words(db, ids)
    issued, new = _new_since_issue(db, access, [head.id for head in heads if head.kind is ItemKind.VIEW])
    return VoicesSummary(voice_figure(db, id_of(access.plan), links), unanswered, issued, new)


def _view_words(db: Session, ids: list[int]) -> list[UnansweredView]:
    rows = db.exec(
        select(Item.id, Item.voice_id, ItemRevision.text)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.id).in_(ids))
        .order_by(col(Item.id))
    )
    return [UnansweredView(int(item_id or 0), voice_id, text) for item_id, voice_id, text in rows]


def _new_since_issue(
    db: Session, access: PlanAccess, view_ids: list[int]
) -> tuple[IssuedVersion | None, list[UnansweredView]]:
    """The views (of those this person reads) that the last issued version does not hold."""
    last = db.exec(
        select(PlanVersion.id, PlanVersion.number, PlanVersion.made_at)
        .where(col(PlanVersion.plan_id) == access.plan.id, col(PlanVersion.occasion) == "issued")
        .order_by(col(PlanVersion.number).desc())
        .limit(1)
    ).first()
    if last is None:
        return None, []
    version_id, number, made_at = last
    held = select(PlanVersionItem.item_id).where(col(PlanVersionItem.version_id) == version_id)
    rows = db.exec(
        select(Item.id, Item.voice_id, ItemRevision.text)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.id).in_(view_ids), col(Item.id).not_in(held))
        .order_by(col(Item.id))
    )
    new = [UnansweredView(int(item_id or 0), voice_id, text) for item_id, voice_id, text in rows]
    return IssuedVersion(number, made_at), new


@dataclass
class LinkChoices:
    item: PlanItem
    current: list[tuple[ItemLink, PlanItem]]
    candidates: list[PlanItem]


def link_choices(db: Session, actor: Actor, access: PlanAccess, item: Item) -> LinkChoices:
    """What the item answers now and what else it could answer (items this person may read; audited)."""
    entries = plan_items(db, access)
    by_id = {id_of(entry.item): entry for entry in entries}
    standing = [link for link in plan_links(db, id_of(access.plan)) if link.item_id == item.id]
    current = [(link, by_id[link.answers_id]) for link in standing if link.answers_id in by_id]
    linked = {link.answers_id for link in standing}
    allowed = LINKABLE.get(item.kind, frozenset())
    candidates = [
        entry
        for entry in entries
        if entry.item.kind in allowed and entry.item.id not in linked and entry.item.id != item.id
    ]
    audit.record(
        db, actor, "links.read", object_type="item", object_id=item.id, details={"plan_id": item.plan_id}
    )
    return LinkChoices(by_id[id_of(item)], current, candidates)
