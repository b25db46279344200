"""Items and revisions below the HTTP layer: every edit a revision, and no save ever overwrites another."""

import json
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.config import Environment, Settings
from app.db import build_engine
from app.errors import Refused
from app.models import (
    AreaOfNeed,
    AuditEvent,
    Channel,
    Child,
    Item,
    ItemComment,
    ItemContent,
    ItemKind,
    ItemRevision,
    MemberRole,
    OutboxMessage,
    Outcome,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanMember,
    PlanReview,
    PlanVersion,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
)
from app.models.base import as_utc, id_of, utc_now
from app.permissions import PlanAccess
from app.services.plans import items, lifecycle, members
from app.services.plans.plans import NewPlan, create_plan
from tests.databases import migrated_database, on_postgres
from tests.factories import make_person
from tests.plan_factories import (
    access_for,
    add_items,
    coordinator_of,
    events_since,
    last_event_id,
    make_audit_officer,
    make_plan,
    membership_of,
)

NEED_AREA = AreaOfNeed.COMMUNICATION_AND_INTERACTION


def write(
    db: Session, plan: Plan, author: Person, section: Section, text: str, voice: Person | None = None
) -> Item:
    access = access_for(db, author, plan)
    new = items.NewItem(
        section=section, text=text, area_of_need=NEED_AREA, voice_id=voice.id if voice else None
    )
    return items.add_item(db, Actor.command(author), access, new)


def revise(db: Session, plan: Plan, person: Person, item: Item, text: str, *, based_on: int) -> Item:
    access = access_for(db, person, plan)
    content = ItemContent(text=text, area_of_need=NEED_AREA if item.kind is ItemKind.NEED else None)
    return items.revise_item(db, Actor.command(person), access, item, content, based_on=based_on)


def revisions_of(db: Session, item: Item) -> list[ItemRevision]:
    return list(
        db.exec(
            select(ItemRevision)
            .where(col(ItemRevision.item_id) == item.id)
            .order_by(col(ItemRevision.number))
        )
    )


# Revisions ---------------------------------------------------------------------------------------


def test_every_edit_adds_a_revision_with_its_author_and_time(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco, teacher = coordinator_of(db_session, plan), people[MemberRole.EDUCATION]
    need = write(db_session, plan, senco, Section.B, "Finds spoken instructions hard")
    started, mark = utc_now(), last_event_id(db_session)

    revised = revise(
        db_session, plan, teacher, need, "Finds spoken instructions with several steps hard", based_on=1
    )

    first, second = revisions_of(db_session, need)
    assert (first.number, first.author_id, first.text) == (1, senco.id, "Finds spoken instructions hard")
    assert (second.number, second.author_id) == (2, teacher.id)
    assert second.text == "Finds spoken instructions with several steps hard"
    assert started <= as_utc(second.created_at) <= utc_now()
    assert (revised.revision_number, revised.current_revision_id) == (2, second.id)
    assert revised.author_id == senco.id, "the item keeps its first author"
    [event] = events_since(db_session, mark)
    assert (event.action, event.actor_id, event.object_id) == ("item.revised", teacher.id, str(need.id))
    assert (event.details["revision_before"], event.details["revision"]) == (1, 2)


@pytest.mark.parametrize("based_on", [1, 3])
def test_a_stale_save_raises_with_the_current_revision_and_writes_nothing(
    db_session: Session, based_on: int
) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco, teacher = coordinator_of(db_session, plan), people[MemberRole.EDUCATION]
    need = write(db_session, plan, senco, Section.B, "First words")
    revise(db_session, plan, senco, need, "Second words", based_on=1)
    mark = last_event_id(db_session)

    with pytest.raises(items.StaleRevision) as stale:
        revise(db_session, plan, teacher, need, "Words saved too late", based_on=based_on)

    assert (stale.value.current.number, stale.value.current.text) == (2, "Second words")
    assert stale.value.item.id == need.id
    assert [r.text for r in revisions_of(db_session, need)] == ["First words", "Second words"]
    db_session.refresh(need)
    assert need.revision_number == 2
    assert events_since(db_session, mark) == [], "no item.revised event, and nothing else"


def test_a_revision_is_checked_like_new_content(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco = coordinator_of(db_session, plan)
    need = write(db_session, plan, senco, Section.B, "First words")
    access = access_for(db_session, senco, plan)
    with pytest.raises(items.ContentProblem) as problem:
        items.revise_item(
            db_session, Actor.command(senco), access, need, ItemContent(text="New words"), based_on=1
        )
    assert set(problem.value.errors) == {"area_of_need"}
    db_session.refresh(need)
    assert need.revision_number == 1
    assert len(revisions_of(db_session, need)) == 1


# Who revises what: views and advice stay their author's (or their voice's) words; others by section.

WRITER, VOICE = "writer", "voice"


def revisers_case(
    db: Session, kind: PlanKind, section: Section, writer: MemberRole | str, voice: MemberRole | None
) -> tuple[Plan, dict[MemberRole | str, Person], Item]:
    plan, people = make_plan(db, kind)
    everyone: dict[MemberRole | str, Person] = {"coordinator": coordinator_of(db, plan)}
    everyone.update(people.items())
    # A second member in the writer's part, to show that the part alone does not make the words theirs.
    if isinstance(writer, MemberRole) and writer not in {MemberRole.CHILD, MemberRole.PARENT_CARER}:
        colleague = make_person(db, people[writer].role, password=None)
        colleague.organisation_id = people[writer].organisation_id
        members.enrol(
            db,
            Actor.command(everyone["coordinator"]),
            access_for(db, everyone["coordinator"], plan),
            colleague,
            writer,
        )
        everyone["colleague"] = colleague
    item = write(
        db, plan, everyone[writer], section, "The words as written", everyone[voice] if voice else None
    )
    return plan, everyone, item


REVISERS = [
    # (plan kind, section, who wrote it, whose voice, who may revise, who may not)
    pytest.param(
        PlanKind.SEN_SUPPORT,
        Section.B,
        "coordinator",
        None,
        {"coordinator", MemberRole.EDUCATION},
        {
            MemberRole.HEALTH,
            MemberRole.SOCIAL_CARE,
            MemberRole.PARENT_CARER,
            MemberRole.CHILD,
            MemberRole.READER,
        },
        id="need in B: education and the coordinator",
    ),
    pytest.param(
        PlanKind.EHC,
        Section.G,
        MemberRole.HEALTH,
        None,
        {MemberRole.HEALTH, "colleague"},
        {"coordinator", MemberRole.EDUCATION, MemberRole.SOCIAL_CARE, MemberRole.LOCAL_AUTHORITY},
        id="provision in G: any health contributor",
    ),
    pytest.param(
        PlanKind.EHC,
        Section.A,
        MemberRole.CHILD,
        None,
        {MemberRole.CHILD},
        {MemberRole.PARENT_CARER, MemberRole.EDUCATION, "coordinator", MemberRole.HEALTH},
        id="own view in A: only the child",
    ),
    pytest.param(
        PlanKind.SEN_SUPPORT,
        Section.A,
        MemberRole.HEALTH,
        MemberRole.PARENT_CARER,
        {MemberRole.HEALTH, MemberRole.PARENT_CARER},
        {"colleague", MemberRole.CHILD, MemberRole.EDUCATION, "coordinator"},
        id="view recorded on a parent's behalf: the parent and who recorded it",
    ),
    pytest.param(
        PlanKind.EHC,
        Section.K,
        MemberRole.HEALTH,
        None,
        {MemberRole.HEALTH},
        {"colleague", MemberRole.EDUCATION, "coordinator", MemberRole.SOCIAL_CARE},
        id="advice in K: only its author",
    ),
]


@pytest.mark.parametrize(("kind", "section", "writer", "voice", "allowed", "refused"), REVISERS)
def test_who_may_revise(
    db_session: Session,
    kind: PlanKind,
    section: Section,
    writer: MemberRole | str,
    voice: MemberRole | None,
    allowed: set[MemberRole | str],
    refused: set[MemberRole | str],
) -> None:
    plan, everyone, item = revisers_case(db_session, kind, section, writer, voice)
    for who in refused:
        mark = last_event_id(db_session)
        with pytest.raises(Refused) as refusal:
            revise(db_session, plan, everyone[who], item, f"Changed by {who}", based_on=item.revision_number)
        assert refusal.value.status_code == 403, who
        assert events_since(db_session, mark) == []
        assert len(revisions_of(db_session, item)) == 1
    for who in allowed:
        revise(db_session, plan, everyone[who], item, f"Changed by {who}", based_on=item.revision_number)
    assert len(revisions_of(db_session, item)) == 1 + len(allowed)


def test_the_audit_officer_revises_nothing(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.EHC)
    [need] = add_items(db_session, plan, 1)
    officer = make_audit_officer(db_session, plan)
    with pytest.raises(Refused) as refusal:
        revise(db_session, plan, officer, need, "An auditor's words", based_on=1)
    assert refusal.value.status_code == 403


def test_an_item_of_another_plan_is_absent(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    other, _ = make_plan(db_session, PlanKind.SEN_SUPPORT)
    [theirs] = add_items(db_session, other, 1)
    access = access_for(db_session, coordinator_of(db_session, plan), plan)
    with pytest.raises(Refused) as refusal:
        items.plan_item(db_session, access, id_of(theirs))
    assert refusal.value.status_code == 404
    assert items.plan_item(
        db_session, access_for(db_session, coordinator_of(db_session, other), other), id_of(theirs)
    )


# Content -----------------------------------------------------------------------------------------


def test_a_need_needs_its_area() -> None:
    with pytest.raises(items.ContentProblem) as problem:
        items.checked_content(ItemKind.NEED, ItemContent(text="Finds reading hard"))
    assert set(problem.value.errors) == {"area_of_need"}
    kept = items.checked_content(
        ItemKind.NEED, ItemContent(text=" Finds reading hard ", area_of_need=NEED_AREA)
    )
    assert (kept.text, kept.area_of_need) == ("Finds reading hard", NEED_AREA)


def test_a_need_in_every_area_is_kept(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco = coordinator_of(db_session, plan)
    access = access_for(db_session, senco, plan)
    written = {
        area: items.add_item(
            db_session,
            Actor.command(senco),
            access,
            items.NewItem(section=Section.B, text="A need", area_of_need=area),
        ).current_revision_id
        for area in AreaOfNeed
    }
    db_session.expire_all()
    kept = db_session.exec(select(ItemRevision).where(col(ItemRevision.id).in_(written.values()))).all()
    assert {revision.id: revision.area_of_need for revision in kept} == {
        revision: area for area, revision in written.items()
    }


@pytest.mark.parametrize(
    ("amount", "unit", "frequency", "field"),
    [
        (3, None, None, "unit"),
        (3, ProvisionUnit.HOURS, None, "frequency"),
        (None, ProvisionUnit.HOURS, ProvisionFrequency.WEEK, "amount"),
        (None, None, ProvisionFrequency.WEEK, "amount"),
    ],
)
def test_provision_needs_how_much_and_how_often_together(
    amount: float | None, unit: ProvisionUnit | None, frequency: ProvisionFrequency | None, field: str
) -> None:
    content = ItemContent(text="Speech and language therapy", amount=amount, unit=unit, frequency=frequency)
    with pytest.raises(items.ContentProblem) as problem:
        items.checked_content(ItemKind.PROVISION, content)
    assert set(problem.value.errors) == {field}


def test_provision_quantified_or_not_at_all_is_kept() -> None:
    whole = ItemContent(
        text="1:1 support", amount=25, unit=ProvisionUnit.HOURS, frequency=ProvisionFrequency.WEEK
    )
    assert items.checked_content(ItemKind.PROVISION, whole).quantity == "25 hours a week"
    assert items.checked_content(ItemKind.PROVISION, ItemContent(text="A quiet room")).quantity is None


def test_provision_is_reviewed_after_it_starts() -> None:
    start = date(2027, 1, 4)
    content = ItemContent(text="Mentoring", starts_on=start, review_on=start - timedelta(days=1))
    with pytest.raises(items.ContentProblem) as problem:
        items.checked_content(ItemKind.PROVISION, content)
    assert set(problem.value.errors) == {"review_on"}
    same_day = ItemContent(text="Mentoring", starts_on=start, review_on=start)
    assert items.checked_content(ItemKind.PROVISION, same_day).review_on == start


@pytest.mark.parametrize("kind", [ItemKind.VIEW, ItemKind.ADVICE, ItemKind.ARRANGEMENT, ItemKind.OUTCOME])
def test_particulars_of_other_kinds_are_dropped(kind: ItemKind) -> None:
    content = ItemContent(
        text="Words",
        area_of_need=NEED_AREA,
        delivered_by="Someone",
        delivered_by_organisation_id=1,
        amount=2,
        unit=ProvisionUnit.HOURS,
        frequency=ProvisionFrequency.WEEK,
        starts_on=date(2027, 1, 4),
        review_on=date(2027, 3, 1),
        achieve_by=date(2027, 7, 1),
    )
    kept = items.checked_content(kind, content)
    particulars = kept.model_dump(exclude={"text"})
    expected = dict.fromkeys(particulars)
    if kind is ItemKind.OUTCOME:
        expected["achieve_by"] = date(2027, 7, 1)
    assert particulars == expected


@pytest.mark.parametrize("kind", list(ItemKind))
@pytest.mark.parametrize("text", [" ", "\n\t "])
def test_blank_words_are_refused(kind: ItemKind, text: str) -> None:
    with pytest.raises(items.ContentProblem) as problem:
        items.checked_content(kind, ItemContent(text=text, area_of_need=NEED_AREA))
    assert "text" in problem.value.errors


def test_blank_words_write_nothing(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco = coordinator_of(db_session, plan)
    before = db_session.exec(select(func.count()).select_from(Item)).one()
    with pytest.raises(items.ContentProblem):
        write(db_session, plan, senco, Section.E, "   ")
    assert db_session.exec(select(func.count()).select_from(Item)).one() == before


# Comments ----------------------------------------------------------------------------------------


def test_anyone_on_the_plan_comments_on_the_revision_they_read(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.EHC)
    [need] = add_items(db_session, plan, 1)
    revise(db_session, plan, coordinator_of(db_session, plan), need, "Second words", based_on=1)
    for role in MemberRole:
        person = people[role]
        comment = items.add_comment(
            db_session, Actor.command(person), access_for(db_session, person, plan), need, f" From {role} "
        )
        assert (comment.author_id, comment.revision_number, comment.text) == (person.id, 2, f"From {role}")
    count = db_session.exec(
        select(func.count()).select_from(ItemComment).where(ItemComment.item_id == need.id)
    )
    assert count.one() == len(MemberRole)


def test_the_audit_officer_does_not_comment_and_blank_comments_are_refused(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.EHC)
    [need] = add_items(db_session, plan, 1)
    officer = make_audit_officer(db_session, plan)
    with pytest.raises(Refused) as refusal:
        items.add_comment(
            db_session, Actor.command(officer), access_for(db_session, officer, plan), need, "Hm"
        )
    assert refusal.value.status_code == 403
    parent = people[MemberRole.PARENT_CARER]
    with pytest.raises(items.ContentProblem):
        items.add_comment(db_session, Actor.command(parent), access_for(db_session, parent, plan), need, "  ")
    with pytest.raises(items.ContentProblem):
        items.add_comment(
            db_session, Actor.command(parent), access_for(db_session, parent, plan), need, "x" * 5001
        )
    assert db_session.exec(select(ItemComment).where(ItemComment.item_id == need.id)).first() is None


# Two people saving at once, on two real connections ------------------------------------------------


@pytest.fixture(scope="module")
def own_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database of this module's own: these tests commit for real, from several connections."""
    folder = tmp_path_factory.mktemp("concurrent")
    with migrated_database(folder) as url:
        engine = build_engine(Settings(environment=Environment.TEST, database_url=url, data_dir=folder))
        yield engine
        engine.dispose()


def committed_need(engine: Engine) -> tuple[int, int, int, int]:
    """A SEN Support plan with one need, committed: (plan, item, the SENCo, a teacher) ids."""
    with Session(engine) as db:
        plan, people = make_plan(db, PlanKind.SEN_SUPPORT)
        [need] = add_items(db, plan, 1, text="Sam finds the dining hall too loud")
        ids = (id_of(plan), id_of(need), id_of(coordinator_of(db, plan)), id_of(people[MemberRole.EDUCATION]))
        db.commit()
    return ids


def save(db: Session, plan_id: int, item_id: int, person_id: int, text: str, based_on: int) -> Item:
    """One save, as a request makes it: find the plan and item for the person, then revise."""
    person = db.get(Person, person_id)
    plan = db.get(Plan, plan_id)
    assert person is not None
    assert plan is not None
    access = access_for(db, person, plan)
    item = items.plan_item(db, access, item_id)
    content = ItemContent(text=text, area_of_need=NEED_AREA)
    return items.revise_item(db, Actor.command(person), access, item, content, based_on=based_on)


def read_revision(engine: Engine, plan_id: int, item_id: int, person_id: int) -> tuple[int, str]:
    """What the edit form shows: the current revision's number and words."""
    with Session(engine) as db:
        person, plan = db.get(Person, person_id), db.get(Plan, plan_id)
        assert person is not None
        assert plan is not None
        item = items.plan_item(db, access_for(db, person, plan), item_id)
        revision = items.current_revision(db, item)
        return revision.number, revision.text


def history(engine: Engine, item_id: int) -> tuple[int, list[tuple[int, int, str]], int]:
    with Session(engine) as db:
        item = db.get(Item, item_id)
        assert item is not None
        revisions = [(r.number, r.author_id, r.text) for r in revisions_of(db, item)]
        events = db.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "item.revised", AuditEvent.object_id == str(item_id))
        ).one()
        return item.revision_number, revisions, events


def test_two_people_saving_the_same_revision_lose_neither_text(own_engine: Engine) -> None:
    plan_id, item_id, senco_id, teacher_id = committed_need(own_engine)
    first_read = read_revision(own_engine, plan_id, item_id, senco_id)
    second_read = read_revision(own_engine, plan_id, item_id, teacher_id)
    assert first_read == second_read == (1, "Sam finds the dining hall too loud")
    senco_words = "Sam finds the dining hall too loud and bright"
    teacher_words = "Sam finds the dining hall and assemblies too loud"

    with Session(own_engine) as first, Session(own_engine) as second:
        save(first, plan_id, item_id, senco_id, senco_words, based_on=1)
        first.commit()
        with pytest.raises(items.StaleRevision) as stale:
            save(second, plan_id, item_id, teacher_id, teacher_words, based_on=1)
        # The teacher is shown the SENCo's words beside their own, which they still hold.
        assert (stale.value.current.number, stale.value.current.text) == (2, senco_words)
        second.rollback()

    assert history(own_engine, item_id) == (
        2,
        [(1, senco_id, "Sam finds the dining hall too loud"), (2, senco_id, senco_words)],
        1,
    )
    # Merged on the newer revision, both texts are in the history.
    merged = "Sam finds the dining hall and assemblies too loud and bright"
    with Session(own_engine) as second:
        save(second, plan_id, item_id, teacher_id, merged, based_on=2)
        second.commit()
    assert history(own_engine, item_id)[1][1:] == [(2, senco_id, senco_words), (3, teacher_id, merged)]


@pytest.mark.skipif(
    not on_postgres(),
    reason="SQLite takes its write lock as a transaction begins (BEGIN IMMEDIATE, app/db.py), so two saves "
    "never overlap there; overlapping transactions and row locks are PostgreSQL's",
)
def test_saves_in_overlapping_transactions_lose_neither_text(own_engine: Engine) -> None:
    """The second save's transaction begins (and finds the item) before the first commits."""
    plan_id, item_id, senco_id, teacher_id = committed_need(own_engine)
    outcome: list[BaseException | tuple[int, str]] = []

    with Session(own_engine) as first, Session(own_engine) as second:
        save(first, plan_id, item_id, senco_id, "The SENCo's words", based_on=1)  # not committed yet
        person, plan = second.get(Person, teacher_id), second.get(Plan, plan_id)
        assert person is not None
        assert plan is not None
        access = access_for(second, person, plan)
        item = items.plan_item(second, access, item_id)
        assert item.revision_number == 1, "the first save is not visible before it commits"

        def second_save() -> None:
            content = ItemContent(text="The teacher's words", area_of_need=NEED_AREA)
            try:
                items.revise_item(second, Actor.command(person), access, item, content, based_on=1)
            except items.StaleRevision as stale:
                outcome.append((stale.current.number, stale.current.text))
            except BaseException as error:  # handed over to the test's own thread
                outcome.append(error)

        saving = threading.Thread(target=second_save)
        saving.start()
        saving.join(timeout=0.5)
        if on_postgres():
            assert saving.is_alive(), "the second save waits for the first one's row lock"
        first.commit()
        saving.join(timeout=30)
        assert not saving.is_alive()
        second.rollback()

    [result] = outcome
    if isinstance(result, BaseException):
        raise result
    assert result == (2, "The SENCo's words"), "the second save is refused, showing the first one's words"
    revision_number, revisions, events = history(own_engine, item_id)
    assert (revision_number, [text for _n, _a, text in revisions], events) == (
        2,
        ["Sam finds the dining hall too loud", "The SENCo's words"],
        1,
    )


# The audit trail: one event for each write, in the same transaction, and never the words ---------------


class World:
    """A draft EHC plan with a need and a comment, its people, and the settings for mail."""

    def __init__(self, db: Session, settings: Settings) -> None:
        self.db, self.settings = db, settings
        self.plan, self.people = make_plan(db, PlanKind.EHC)
        self.officer = coordinator_of(db, self.plan)
        [self.need] = add_items(db, self.plan, 1)
        self.newcomer = make_person(db, PersonRole.HEALTH, password=None)
        self.colleague = make_person(db, PersonRole.LA_CASE_OFFICER, password=None)
        members.enrol(
            db, Actor.command(self.officer), self.access(), self.colleague, MemberRole.LOCAL_AUTHORITY
        )

    def access(self, person: Person | None = None) -> PlanAccess:
        return access_for(self.db, person or self.officer, self.plan)

    def actor(self, person: Person | None = None) -> Actor:
        self.acting = person or self.officer
        return Actor.command(self.acting)


def member_of(world: World, person: Person) -> PlanMember:
    return members.plan_member(world.db, world.access(), id_of(membership_of(world.db, world.plan, person)))


WRITES: dict[str, Callable[[World], object]] = {
    "plan.created": lambda w: create_plan(
        w.db,
        w.actor(),
        NewPlan(
            kind=PlanKind.EHC,
            child_full_name="Kai Test",
            child_date_of_birth=date(2015, 1, 1),
            child_school_year="6",
        ),
    ),
    "item.added": lambda w: items.add_item(
        w.db, w.actor(), w.access(), items.NewItem(section=Section.E, text="Will travel alone")
    ),
    "item.revised": lambda w: items.revise_item(
        w.db, w.actor(), w.access(), w.need, ItemContent(text="Changed", area_of_need=NEED_AREA), based_on=1
    ),
    "comment.added": lambda w: items.add_comment(
        w.db, w.actor(w.people[MemberRole.READER]), w.access(w.people[MemberRole.READER]), w.need, "Agreed"
    ),
    "member.added": lambda w: members.add_member(
        w.db,
        w.settings,
        w.actor(),
        w.access(),
        members.NewMember(role=MemberRole.HEALTH, person_id=w.newcomer.id),
    ),
    "member.removed": lambda w: members.remove_member(
        w.db,
        w.actor(),
        w.access(),
        member_of(w, w.people[MemberRole.READER]),
        members.Removal(reason="They have left the school"),
    ),
    "coordinator.handed_on": lambda w: members.hand_on_coordinator(
        w.db, w.actor(), w.access(), member_of(w, w.colleague)
    ),
    "plan.send_for_consultation": lambda w: lifecycle.take_step(
        w.db, w.actor(), w.access(), lifecycle.StepRequest(step=lifecycle.Step.SEND_FOR_CONSULTATION)
    ),
    "plan.cease": lambda w: lifecycle.take_step(
        w.db, w.actor(), w.access(), lifecycle.StepRequest(step=lifecycle.Step.CEASE, reason="Moved away")
    ),
    "review.recorded": lambda w: lifecycle.record_review(
        w.db,
        w.actor(),
        w.access(),
        lifecycle.NewReview(held_on=uk_today(), participants="All", what_worked="A", what_changes="B"),
    ),
}
ROW_TABLES = (
    Plan,
    Child,
    Item,
    ItemRevision,
    ItemComment,
    PlanMember,
    PlanReview,
    PlanVersion,
    Person,
    OutboxMessage,
)


def snapshot(db: Session) -> dict[str, object]:
    """Every row count that a plan service could change, and the audit events' ids."""
    rows: dict[str, object] = {
        table.__name__: db.exec(select(func.count()).select_from(table)).one() for table in ROW_TABLES
    }
    rows["events"] = list(db.exec(select(AuditEvent.id).order_by(col(AuditEvent.id))))
    rows["members removed"] = db.exec(
        select(func.count()).where(col(PlanMember.removed_at).is_not(None))
    ).one()
    rows["coordinators"] = sorted(db.exec(select(PlanMember.person_id).where(col(PlanMember.is_coordinator))))
    rows["statuses"] = sorted(str(status) for status in db.exec(select(Plan.status)))
    rows["revisions"] = sorted(db.exec(select(Item.revision_number)))
    return rows


@pytest.mark.parametrize("action", list(WRITES))
def test_each_write_records_exactly_one_event_of_its_action(
    db_session: Session, settings: Settings, action: str
) -> None:
    world = World(db_session, settings)
    mark = last_event_id(db_session)
    WRITES[action](world)
    recorded = events_since(db_session, mark)
    assert [event.action for event in recorded] == [action]
    [event] = recorded
    assert (event.actor_id, event.outcome, event.channel) == (world.acting.id, Outcome.DONE, Channel.COMMAND)


@pytest.mark.parametrize("action", list(WRITES))
def test_a_write_and_its_event_are_rolled_back_together(
    db_session: Session, settings: Settings, action: str
) -> None:
    world = World(db_session, settings)
    db_session.commit()  # keeps the world (the test's own transaction still ends in a rollback)
    before = snapshot(db_session)
    WRITES[action](world)
    db_session.flush()
    assert snapshot(db_session) != before
    db_session.rollback()
    assert snapshot(db_session) == before


def test_the_issue_of_a_plan_records_the_step_and_the_frozen_version(
    db_session: Session, settings: Settings
) -> None:
    world = World(db_session, settings)
    lifecycle.take_step(
        db_session,
        world.actor(),
        world.access(),
        lifecycle.StepRequest(step=lifecycle.Step.SEND_FOR_CONSULTATION),
    )
    world.plan.consultation_ends_on = uk_today() - timedelta(days=1)
    mark = last_event_id(db_session)
    lifecycle.take_step(
        db_session, world.actor(), world.access(), lifecycle.StepRequest(step=lifecycle.Step.ISSUE)
    )
    [issued] = events_since(db_session, mark)
    assert issued.action == "plan.issue"
    assert issued.details["version_id"] is not None


def test_no_event_holds_the_words_of_an_item_or_comment(db_session: Session, settings: Settings) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    parent = people[MemberRole.PARENT_CARER]
    mark = last_event_id(db_session)
    words = "Zanzibar octopus marmalade"
    view = items.add_item(
        db_session,
        Actor.command(parent),
        access_for(db_session, parent, plan),
        items.NewItem(section=Section.A, text=words),
    )
    later = ItemContent(text=f"{words} quixotic")
    items.revise_item(
        db_session, Actor.command(parent), access_for(db_session, parent, plan), view, later, based_on=1
    )
    items.add_comment(
        db_session, Actor.command(parent), access_for(db_session, parent, plan), view, "Xylophone zebra"
    )
    items.item_history(db_session, Actor.command(parent), access_for(db_session, parent, plan), view)
    recorded = events_since(db_session, mark)
    assert [event.action for event in recorded] == [
        "item.added",
        "item.revised",
        "comment.added",
        "item.read",
    ]
    written = json.dumps([[event.details, event.reason] for event in recorded]).lower()
    for word in ("zanzibar", "octopus", "marmalade", "quixotic", "xylophone", "zebra"):
        assert word not in written
    added, revised = recorded[0].details, recorded[1].details
    assert added["digest"] == items.content_digest(ItemContent(text=words))
    assert revised["digest"] == items.content_digest(later)
    assert added["digest"] != revised["digest"]
    assert len(added["digest"]) == 64
