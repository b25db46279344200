"""A plan as it reads on paper: one version, sections in statutory order, views first, advice at the end.

What a person may read on screen is what they may print: views their young person hid from them are
left out (`visibility.hidden_views`), and so are those views' pictures.
"""

import base64
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from app.errors import Refused
from app.models import (
    FAMILY_MEMBER_ROLES,
    MEMBER_ROLE_LABELS,
    VIEW_PROMPT_LABELS,
    Child,
    Item,
    ItemKind,
    ItemRevision,
    MemberRole,
    Organisation,
    Person,
    PlanMember,
    PlanVersion,
    Section,
    ViewAudience,
    ViewPicture,
)
from app.models.base import utc_now
from app.permissions import PlanAccess
from app.services.plans import changes, visibility
from app.services.plans.plans import SECTION_TITLES, organisations_by_id, people_by_id
from app.services.voices import pictures as picture_store
from app.services.voices import views
from app.templating import day

APPENDIX_SECTIONS = frozenset({Section.K})
"""Advice and information (section K) is printed after the plan, one appendix per piece of advice."""


@dataclass(frozen=True)
class PaperPicture:
    alt: str
    data_uri: str


@dataclass(frozen=True)
class PaperItem:
    item: Item
    revision: ItemRevision
    author: Person | None
    voice: Person | None
    prompt: str | None
    from_family: bool
    pictures: list[PaperPicture] = field(default_factory=list)
    shared_only_with: str | None = None
    """For a view its young person shared with some people only: who, by name and role in words."""

    @property
    def direction(self) -> str:
        """ "rtl" for words written right to left (Urdu, Arabic...), by their first strong letter."""
        return writing_direction(self.revision.text)


def writing_direction(text: str) -> str:
    """The direction of a text as the Unicode bidi algorithm finds it: by its first strong letter."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


@dataclass(frozen=True)
class PaperSection:
    section: Section
    title: str
    items: list[PaperItem]


@dataclass(frozen=True)
class PaperPlan:
    access: PlanAccess
    child: Child
    version: int
    frozen: PlanVersion | None
    """The frozen version printed, or None for the version being written now."""
    sections: list[PaperSection]
    appendices: list[PaperItem]
    organisations: dict[int, Organisation]
    coordinator: Person | None
    printed_at: datetime

    @property
    def version_label(self) -> str:
        """What every page says of its version: "Version 1, issued 3 March 2026"."""
        if self.frozen is None:
            return f"Version {self.version}, still being written (printed {day(self.printed_at)})"
        made = "issued" if self.frozen.occasion == "issued" else "agreed at a review"
        return f"Version {self.version}, {made} {day(self.frozen.made_at)}"


def _no_version(access: PlanAccess, number: int) -> Refused:
    return Refused(
        404,
        "Not Found",
        action="plan.refused",
        person=access.person,
        object_type="plan_version",
        object_id=number,
    )


def plan_on_paper(db: Session, access: PlanAccess, data_dir: Path, version: int | None = None) -> PaperPlan:
    """The plan at `version` (the current one when None) as this person may read it (not audited)."""
    plan = access.plan
    number = plan.version if version is None else version
    frozen = db.exec(
        select(PlanVersion).where(col(PlanVersion.plan_id) == plan.id, col(PlanVersion.number) == number)
    ).first()
    if frozen is not None:
        # Frozen when it was issued or agreed (an issued plan's current version is frozen too).
        state = changes.version_state(db, access, number)
    elif number == plan.version:
        state = changes.current_state(db, access)
    else:
        raise _no_version(access, number)
    hidden = visibility.hidden_views(db, access)
    state = {item_id: revision_id for item_id, revision_id in state.items() if item_id not in hidden}
    child = db.get(Child, plan.child_id)
    if child is None:
        raise LookupError(f"plan {plan.id} has no child")
    rows = list(
        db.exec(
            select(Item, ItemRevision)
            .join(ItemRevision, col(ItemRevision.item_id) == col(Item.id))
            .where(col(ItemRevision.id).in_(list(state.values())))
            .order_by(col(Item.id))
        )
    )
    view_ids = {int(item.id or 0) for item, _revision in rows if item.kind is ItemKind.VIEW}
    details = views.details_of(db, view_ids)
    pictures = views.pictures_of(db, view_ids)
    readers = views.readers_of(
        db, {view_id for view_id, detail in details.items() if detail.audience is ViewAudience.CHOSEN}
    )
    family = set(
        db.exec(
            select(PlanMember.person_id).where(
                col(PlanMember.plan_id) == plan.id,
                col(PlanMember.role).in_([role.value for role in FAMILY_MEMBER_ROLES]),
            )
        )
    )
    members = list(db.exec(select(PlanMember).where(col(PlanMember.plan_id) == plan.id)))
    coordinator_id = next(
        (member.person_id for member in members if member.is_coordinator and member.is_current), None
    )
    people = people_by_id(
        db,
        {revision.author_id for _item, revision in rows}
        | {item.voice_id for item, _revision in rows}
        | {coordinator_id}
        | {reader for chosen in readers.values() for reader in chosen},
    )
    organisations = organisations_by_id(
        db,
        {plan.local_authority_id, plan.setting_id}
        | {revision.delivered_by_organisation_id for _item, revision in rows}
        | {person.organisation_id for person in people.values()},
    )

    roles = {member.person_id: member for member in sorted(members, key=lambda member: member.is_current)}

    def paper_item(item: Item, revision: ItemRevision) -> PaperItem:
        voice = people.get(item.voice_id) if item.voice_id else None
        detail = details.get(int(item.id or 0))
        shared_only_with = None
        if detail is not None and detail.audience is ViewAudience.CHOSEN:
            shared_only_with = _shared_only_with(
                [
                    people[reader]
                    for reader in sorted(readers.get(int(item.id or 0), set()))
                    if reader in people
                ],
                roles,
                organisations,
            )
        prompt = VIEW_PROMPT_LABELS[detail.prompt] if detail is not None else None
        return PaperItem(
            item=item,
            revision=revision,
            author=people.get(revision.author_id),
            voice=voice,
            prompt=prompt,
            from_family=item.voice_id in family or item.author_id in family,
            pictures=[
                _paper_picture(data_dir, picture, voice, prompt)
                for picture in pictures.get(int(item.id or 0), [])
            ],
            shared_only_with=shared_only_with,
        )

    entries = [paper_item(item, revision) for item, revision in rows]
    titles = SECTION_TITLES[plan.kind]
    sections = []
    for section in Section:
        if section not in titles or section in APPENDIX_SECTIONS:
            continue
        in_section = [entry for entry in entries if entry.item.section is section]
        if section is Section.A:
            # The family's own views come first, in the order they wrote them.
            in_section.sort(key=lambda entry: not entry.from_family)
        sections.append(PaperSection(section, titles[section], in_section))
    appendices = [entry for entry in entries if entry.item.section in APPENDIX_SECTIONS]
    return PaperPlan(
        access=access,
        child=child,
        version=number,
        frozen=frozen,
        sections=sections,
        appendices=appendices,
        organisations=organisations,
        coordinator=people.get(coordinator_id) if coordinator_id else None,
        printed_at=utc_now(),
    )


def _role_words(member: PlanMember | None, person: Person, organisations: dict[int, Organisation]) -> str:
    """A reader's part in the plan in words: "parent or carer", "education, Riverside Primary School"."""
    if member is None or not member.is_current:
        return "no longer on the plan"
    words = MEMBER_ROLE_LABELS[member.role].lower()
    organisation = organisations.get(person.organisation_id) if person.organisation_id else None
    if organisation is not None and member.role not in (MemberRole.PARENT_CARER, MemberRole.CHILD):
        words += f", {organisation.name}"
    return words


def _shared_only_with(
    chosen: list[Person], roles: dict[int, PlanMember], organisations: dict[int, Organisation]
) -> str:
    """The mark on a view shared with some people only (its voice and who wrote it down read it too)."""
    if not chosen:
        return "Not shared with anyone else on the plan"
    named = [
        f"{person.display_name} ({_role_words(roles.get(int(person.id or 0)), person, organisations)})"
        for person in chosen
    ]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return f"Shared only with {listed}"


def _paper_picture(
    data_dir: Path, picture: ViewPicture, voice: Person | None, prompt: str | None
) -> PaperPicture:
    """The picture inlined (a PDF carries its pictures); a missing file prints its description only."""
    whose = f"{voice.display_name}'s picture" if voice is not None else "A picture"
    alt = f"{whose} with their view" + (f" ({prompt.lower()})" if prompt else "")
    data = picture_store.STORE.stored_bytes(data_dir, picture.file_name)
    if data is None:
        return PaperPicture(alt=alt, data_uri="")
    return PaperPicture(
        alt=alt, data_uri=f"data:{picture.media_type};base64,{base64.b64encode(data).decode()}"
    )
