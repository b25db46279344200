"""Versions and what changed: frozen snapshots, the plan at a moment, and differences word by word."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import Session

from app.actor import Actor
from app.clock import uk_today
from app.models import (
    AreaOfNeed,
    Item,
    ItemContent,
    ItemKind,
    ItemRevision,
    MemberRole,
    Outcome,
    Person,
    Plan,
    PlanKind,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
)
from app.models.base import utc_now
from app.services.plans import changes, content, items, lifecycle
from app.services.plans.changes import Change, DiffPiece, word_diff
from app.services.plans.lifecycle import Step, StepRequest
from app.services.plans.plans import PlanProblem, visible_plans
from tests.plan_factories import (
    access_for,
    coordinator_of,
    events_since,
    last_event_id,
    make_audit_officer,
    make_plan,
)

SAME, ADDED, REMOVED = Change.SAME, Change.ADDED, Change.REMOVED


# Word differences ------------------------------------------------------------------------------------


def pieces(diff: list[DiffPiece]) -> list[tuple[Change, str]]:
    return [(piece.change, piece.text) for piece in diff]


def test_identical_words_are_all_the_same() -> None:
    text = "Sam eats lunch in the library,\n  with a friend."
    assert pieces(word_diff(text, text)) == [(SAME, text)]


def test_an_insertion() -> None:
    assert pieces(word_diff("a visual prompt", "a visual prompt and a checklist")) == [
        (SAME, "a visual prompt"),
        (ADDED, " and a checklist"),
    ]
    assert pieces(word_diff("follow an instruction", "follow a three-step instruction")) == [
        (SAME, "follow "),
        (REMOVED, "an"),
        (ADDED, "a three-step"),
        (SAME, " instruction"),
    ]


def test_a_deletion() -> None:
    assert pieces(word_diff("eat lunch calmly and quietly", "eat lunch calmly")) == [
        (SAME, "eat lunch calmly"),
        (REMOVED, " and quietly"),
    ]


def test_a_replacement() -> None:
    assert pieces(word_diff("three sessions a week", "five sessions a week")) == [
        (REMOVED, "three"),
        (ADDED, "five"),
        (SAME, " sessions a week"),
    ]


def test_whitespace_is_kept() -> None:
    before, after = "Line one.\n\nLine  two.", "Line one.\nLine  two."
    diff = word_diff(before, after)
    assert pieces(diff) == [(SAME, "Line one."), (REMOVED, "\n\n"), (ADDED, "\n"), (SAME, "Line  two.")]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "All new words"),
        ("All old words", ""),
        ("Sam  finds\tthe hall loud", "Sam finds the dining hall too loud\n"),
        ("a b c d e", "e d c b a"),
    ],
)
def test_the_pieces_rebuild_both_texts(before: str, after: str) -> None:
    diff = word_diff(before, after)
    assert "".join(p.text for p in diff if p.change is not ADDED) == before
    assert "".join(p.text for p in diff if p.change is not REMOVED) == after
    assert all(p.text for p in diff)


def test_particulars_that_differ_are_named_in_words() -> None:
    before = ItemContent(text="x", amount=3, unit=ProvisionUnit.SESSIONS, frequency=ProvisionFrequency.WEEK)
    after = ItemContent(text="y", amount=2.5, unit=ProvisionUnit.SESSIONS, frequency=ProvisionFrequency.TERM)
    assert changes.particulars_diff(before, after) == [
        ("How much", "3", "2.5"),
        ("How often", "a week", "a term"),
    ]
    need = ItemContent(text="x", area_of_need=AreaOfNeed.INDEPENDENCE)
    assert changes.particulars_diff(None, need) == [("Area of need", "not given", "Independence")]


# Versions and comparing states -------------------------------------------------------------------------


def write(db: Session, plan: Plan, person: Person, section: Section, text: str) -> Item:
    new = items.NewItem(section=section, text=text, area_of_need=AreaOfNeed.COGNITION_AND_LEARNING)
    return items.add_item(db, Actor.command(person), access_for(db, person, plan), new)


def revise(db: Session, plan: Plan, person: Person, item: Item, text: str, **particulars: object) -> Item:
    if item.kind is ItemKind.NEED:
        particulars.setdefault("area_of_need", AreaOfNeed.COGNITION_AND_LEARNING)
    content = ItemContent(text=text, **particulars)  # type: ignore[arg-type]
    access = access_for(db, person, plan)
    # Provision agreed in an issued version changes only with a reason (the family is told).
    reason = "Agreed at the review meeting" if item.kind is ItemKind.PROVISION else None
    actor = Actor.command(person)
    return items.revise(db, actor, access, item, content, based_on=item.revision_number, reason=reason).item


def take(db: Session, person: Person, plan: Plan, step: Step, reason: str | None = None) -> None:
    request = StepRequest(step=step, reason=reason)
    lifecycle.take_step(db, Actor.command(person), access_for(db, person, plan), request)


def issue(db: Session, officer: Person, plan: Plan) -> None:
    take(db, officer, plan, Step.SEND_FOR_CONSULTATION)
    plan.consultation_ends_on = uk_today() - timedelta(days=1)  # the family's 15 days have passed
    db.add(plan)
    # These plans' provision is a few words only: the issue records why (plan quality, issue 9).
    take(db, officer, plan, Step.ISSUE, reason="Amounts are agreed at the first review")


def test_compare_lists_exactly_the_changed_and_new_items(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.EHC)
    officer, health = coordinator_of(db_session, plan), people[MemberRole.HEALTH]
    changed = write(db_session, plan, officer, Section.B, "Ella misses lessons in busy places")
    kept = write(db_session, plan, officer, Section.B, "Ella needs to plan journeys")
    issue(db_session, officer, plan)
    first_revision = changed.current_revision_id
    take(db_session, officer, plan, Step.START_REVIEW)
    revise(
        db_session,
        plan,
        officer,
        changed,
        "Ella misses some lessons in busy, noisy places",
        area_of_need=AreaOfNeed.SOCIAL_EMOTIONAL_AND_MENTAL_HEALTH,
    )
    new = write(db_session, plan, health, Section.C, "Ella has migraines")
    view = items.add_item(
        db_session,
        Actor.command(people[MemberRole.CHILD]),
        access_for(db_session, people[MemberRole.CHILD], plan),
        items.NewItem(section=Section.A, text="I want to go to college"),
    )
    access = access_for(db_session, officer, plan)
    mark = last_event_id(db_session)

    found = changes.compare(
        db_session,
        Actor.command(officer),
        access,
        changes.version_state(db_session, access, 1),
        changes.current_state(db_session, access),
        label="version 1 to now",
    )

    assert [change.item.id for change in found] == [view.id, changed.id, new.id], "in section order, A to K"
    by_id = {change.item.id: change for change in found}
    assert kept.id not in by_id
    revised = by_id[changed.id]
    assert revised.before is not None
    assert (revised.before.id, revised.after.id) == (first_revision, changed.current_revision_id)
    assert pieces(revised.words) == [
        (SAME, "Ella misses"),
        (ADDED, " some"),
        (SAME, " lessons in "),
        (REMOVED, "busy"),
        (ADDED, "busy, noisy"),
        (SAME, " places"),
    ]
    assert revised.particulars == [
        ("Area of need", "Cognition and learning", "Social, emotional and mental health"),
    ]
    added = by_id[new.id]
    assert added.before is None
    assert pieces(added.words) == [(ADDED, "Ella has migraines")]
    [event] = events_since(db_session, mark)
    assert (event.action, event.details["changed_items"]) == ("plan.changes_read", 3)


def test_a_version_keeps_the_revisions_it_was_issued_with(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.EHC)
    officer = coordinator_of(db_session, plan)
    first = write(db_session, plan, officer, Section.E, "Travel to college alone")
    second = write(db_session, plan, officer, Section.F, "Travel training")
    revise(db_session, plan, officer, first, "Travel to college alone, three days a week")
    issued_with = {first.id: first.current_revision_id, second.id: second.current_revision_id}
    issue(db_session, officer, plan)
    take(db_session, officer, plan, Step.START_REVIEW)
    revise(db_session, plan, officer, second, "Travel training, twice a week")
    access = access_for(db_session, officer, plan)
    assert changes.version_state(db_session, access, 1) == issued_with
    assert changes.current_state(db_session, access) == {
        first.id: first.current_revision_id,
        second.id: second.current_revision_id,
    }
    with pytest.raises(PlanProblem):
        changes.version_state(db_session, access, 2)  # version 2 is being written, not frozen


def test_comparing_a_state_with_itself_finds_nothing(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco = coordinator_of(db_session, plan)
    write(db_session, plan, senco, Section.B, "Reading is two years behind")
    access = access_for(db_session, senco, plan)
    now = changes.current_state(db_session, access)
    assert changes.compare(db_session, Actor.command(senco), access, now, now, label="now") == []


def back_date(db: Session, revision_id: int | None, when: datetime) -> None:
    revision = db.get(ItemRevision, revision_id)
    assert revision is not None
    revision.created_at = when
    db.add(revision)
    db.flush()


def test_state_at_picks_the_newest_revision_at_or_before_the_moment(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco = coordinator_of(db_session, plan)
    now = utc_now().replace(microsecond=0)
    older = write(db_session, plan, senco, Section.B, "First need")
    first_revision = older.current_revision_id
    back_date(db_session, first_revision, now - timedelta(days=10))
    revise(db_session, plan, senco, older, "First need, revised")
    back_date(db_session, older.current_revision_id, now - timedelta(days=2))
    later = write(db_session, plan, senco, Section.B, "Second need")
    back_date(db_session, later.current_revision_id, now - timedelta(days=5))
    access = access_for(db_session, senco, plan)

    def at(moment: datetime) -> dict[int, int]:
        return changes.state_at(db_session, access, moment)

    assert at(now - timedelta(days=11)) == {}
    assert at(now - timedelta(days=10)) == {older.id: first_revision}, "a revision at the moment counts"
    assert at(now - timedelta(days=6)) == {older.id: first_revision}
    assert at(now - timedelta(days=3)) == {older.id: first_revision, later.id: later.current_revision_id}
    assert at(now) == changes.current_state(db_session, access)
    # A moment told in another time zone is the same moment: an hour after the second need was written,
    # in New York (where the clock shows five hours earlier), and an hour before it, in Delhi.
    written = now - timedelta(days=5)
    new_york, delhi = timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))
    assert later.id in at((written + timedelta(hours=1)).astimezone(new_york))
    assert later.id not in at((written - timedelta(hours=1)).astimezone(delhi))
    assert at(datetime(2000, 1, 1, tzinfo=UTC)) == {}


# Reads of plan content: one audit event each -------------------------------------------------------------


@pytest.mark.parametrize("reader", [MemberRole.PARENT_CARER, MemberRole.READER, "LA audit officer"])
def test_each_read_of_plan_content_records_one_event(db_session: Session, reader: MemberRole | str) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco = coordinator_of(db_session, plan)
    need = write(db_session, plan, senco, Section.B, "Reading is two years behind")
    person = (
        make_audit_officer(db_session, plan) if reader == "LA audit officer" else people[MemberRole(reader)]
    )
    actor, access = Actor.command(person), access_for(db_session, person, plan)
    reads: dict[tuple[str, str | None], Callable[[], object]] = {
        ("plan.read", str(plan.id)): lambda: content.load_plan(db_session, actor, access),
        ("item.read", str(need.id)): lambda: items.item_history(db_session, actor, access, need),
        ("plan.changes_read", str(plan.id)): lambda: changes.compare(
            db_session, actor, access, {}, {}, label="-"
        ),
        ("plans.listed", None): lambda: visible_plans(db_session, actor),
    }
    for (action, object_id), read in reads.items():
        mark = last_event_id(db_session)
        read()
        [event] = events_since(db_session, mark)
        assert (event.action, event.object_id, event.actor_id, event.outcome) == (
            action,
            object_id,
            person.id,
            Outcome.DONE,
        )


def test_the_plan_as_read_holds_every_current_revision(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco = coordinator_of(db_session, plan)
    need = write(db_session, plan, senco, Section.B, "First words")
    revise(db_session, plan, people[MemberRole.EDUCATION], need, "Second words")
    read = content.load_plan(db_session, Actor.command(senco), access_for(db_session, senco, plan))
    [section_b] = [section for section in read.sections if section.section is Section.B]
    assert [(entry.item.id, entry.revision.text) for entry in section_b.items] == [(need.id, "Second words")]
    assert [section.section for section in read.sections] == [
        Section.A,
        Section.B,
        Section.C,
        Section.D,
        Section.K,
        Section.E,
        Section.F,
        Section.G,
        Section.H1,
    ]
