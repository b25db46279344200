"""A plan's stages below the HTTP layer: who takes each step, when, and what an issued plan allows."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.config import Settings
from app.errors import Refused
from app.models import (
    AreaOfNeed,
    AuditReason,
    CycleStage,
    Item,
    ItemContent,
    MemberRole,
    OutboxMessage,
    Outcome,
    Person,
    Plan,
    PlanKind,
    PlanStatus,
    PlanVersion,
    PlanVersionItem,
    Section,
)
from app.services.plans import history, items, lifecycle, members, progress
from app.services.plans.lifecycle import Step, StepRequest
from app.services.plans.plans import PlanProblem
from tests.plan_factories import (
    access_for,
    add_items,
    coordinator_of,
    events_since,
    last_event_id,
    make_audit_officer,
    make_bare_plan,
    make_plan,
    membership_of,
)

TODAY = uk_today()


def step(db: Session, person: Person, plan: Plan, what: Step, **request: object) -> None:
    access = access_for(db, person, plan)
    lifecycle.take_step(db, Actor.command(person), access, StepRequest(step=what, **request))


def consult_and_wait(db: Session, officer: Person, plan: Plan) -> None:
    """Send the draft to the family, and let their 15 days pass."""
    step(db, officer, plan, Step.SEND_FOR_CONSULTATION)
    plan.consultation_ends_on = TODAY - timedelta(days=1)
    db.add(plan)
    db.flush()


def issued_plan(db: Session, n_items: int = 2) -> tuple[Plan, dict[MemberRole, Person], Person, list[Item]]:
    plan, people = make_plan(db, PlanKind.EHC)
    officer = coordinator_of(db, plan)
    written = add_items(db, plan, n_items)
    consult_and_wait(db, officer, plan)
    step(db, officer, plan, Step.ISSUE)
    return plan, people, officer, written


def need(text: str) -> items.NewItem:
    return items.NewItem(section=Section.B, text=text, area_of_need=AreaOfNeed.COGNITION_AND_LEARNING)


# An issued plan is frozen; a review opens the next version ------------------------------------------


def test_an_issued_plan_refuses_new_items_and_revisions(db_session: Session) -> None:
    plan, people, officer, [first, _second] = issued_plan(db_session)
    assert plan.status is PlanStatus.ISSUED
    for person in (officer, people[MemberRole.EDUCATION], people[MemberRole.PARENT_CARER]):
        access = access_for(db_session, person, plan)
        mark = last_event_id(db_session)
        section = Section.A if person is people[MemberRole.PARENT_CARER] else Section.B
        with pytest.raises(Refused) as adding:
            items.add_item(
                db_session,
                Actor.command(person),
                access,
                need("New words").model_copy(update={"section": section}),
            )
        with pytest.raises(Refused) as revising:
            items.revise_item(
                db_session,
                Actor.command(person),
                access,
                first,
                ItemContent(text="Changed", area_of_need=AreaOfNeed.COGNITION_AND_LEARNING),
                based_on=1,
            )
        assert (adding.value.status_code, revising.value.status_code) == (409, 409)
        assert events_since(db_session, mark) == []
    assert db_session.exec(select(func.count()).select_from(Item).where(Item.plan_id == plan.id)).one() == 2
    db_session.refresh(first)
    assert first.revision_number == 1


def test_a_review_opens_the_next_version_for_changes(db_session: Session) -> None:
    plan, people, officer, [first, _second] = issued_plan(db_session)
    step(db_session, officer, plan, Step.START_REVIEW)
    assert (plan.status, plan.version, plan.consultation_ends_on) == (PlanStatus.UNDER_REVIEW, 2, None)
    teacher = people[MemberRole.EDUCATION]
    access = access_for(db_session, teacher, plan)
    items.revise_item(
        db_session,
        Actor.command(teacher),
        access,
        first,
        ItemContent(text="Changed at the review", area_of_need=AreaOfNeed.COGNITION_AND_LEARNING),
        based_on=1,
    )
    added = items.add_item(db_session, Actor.command(teacher), access, need("New at the review"))
    assert (first.revision_number, added.revision_number) == (2, 1)
    # The amended plan goes to the family again before it is issued as version 2.
    consult_and_wait(db_session, officer, plan)
    step(db_session, officer, plan, Step.ISSUE)
    numbers = db_session.exec(
        select(PlanVersion.number).where(PlanVersion.plan_id == plan.id).order_by(col(PlanVersion.number))
    )
    assert list(numbers) == [1, 2]
    assert plan.status is PlanStatus.ISSUED


# Consultation: the family has at least 15 days -------------------------------------------------------


def test_consultation_lasts_at_least_fifteen_days(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.EHC)
    officer = coordinator_of(db_session, plan)
    mark = last_event_id(db_session)
    with pytest.raises(PlanProblem) as problem:
        step(db_session, officer, plan, Step.SEND_FOR_CONSULTATION, comments_until=TODAY + timedelta(days=14))
    assert problem.value.field == "comments_until"
    assert (plan.status, plan.consultation_ends_on) == (PlanStatus.DRAFT, None)
    assert events_since(db_session, mark) == []
    step(db_session, officer, plan, Step.SEND_FOR_CONSULTATION, comments_until=TODAY + timedelta(days=15))
    assert (plan.status, plan.consultation_ends_on) == (PlanStatus.CONSULTATION, TODAY + timedelta(days=15))
    [event] = events_since(db_session, mark)
    assert event.action == "plan.send_for_consultation"
    assert (event.details["status_before"], event.details["status"]) == ("draft", "consultation")


def test_consultation_without_a_date_gives_fifteen_days(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.EHC)
    step(db_session, coordinator_of(db_session, plan), plan, Step.SEND_FOR_CONSULTATION)
    assert plan.consultation_ends_on == TODAY + timedelta(days=lifecycle.CONSULTATION_DAYS)
    assert lifecycle.CONSULTATION_DAYS == 15


@pytest.mark.parametrize("days_left", [15, 1, 0])
def test_the_plan_is_not_issued_while_the_family_may_still_comment(
    db_session: Session, days_left: int
) -> None:
    plan, _people = make_plan(db_session, PlanKind.EHC)
    officer = coordinator_of(db_session, plan)
    step(db_session, officer, plan, Step.SEND_FOR_CONSULTATION)
    plan.consultation_ends_on = TODAY + timedelta(days=days_left)
    db_session.add(plan)
    mark = last_event_id(db_session)
    with pytest.raises(Refused) as refusal:
        step(db_session, officer, plan, Step.ISSUE)
    assert refusal.value.status_code == 409
    assert plan.status is PlanStatus.CONSULTATION
    assert events_since(db_session, mark) == []
    assert db_session.exec(select(PlanVersion).where(PlanVersion.plan_id == plan.id)).first() is None


def test_issuing_after_the_consultation_freezes_version_one(db_session: Session) -> None:
    plan, _people, officer, written = issued_plan(db_session, n_items=3)
    [version] = db_session.exec(select(PlanVersion).where(PlanVersion.plan_id == plan.id)).all()
    assert (version.number, version.occasion, version.made_by_id) == (1, "issued", officer.id)
    kept = db_session.exec(
        select(PlanVersionItem.item_id, PlanVersionItem.revision_id).where(
            PlanVersionItem.version_id == version.id
        )
    )
    assert dict(kept.all()) == {item.id: item.current_revision_id for item in written}


# Ending a plan needs a reason ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "ending", "ended"),
    [(PlanKind.EHC, Step.CEASE, PlanStatus.CEASED), (PlanKind.SEN_SUPPORT, Step.CLOSE, PlanStatus.CLOSED)],
)
def test_ending_a_plan_needs_a_reason(
    db_session: Session, kind: PlanKind, ending: Step, ended: PlanStatus
) -> None:
    plan, _people = make_plan(db_session, kind)
    coordinator = coordinator_of(db_session, plan)
    status = plan.status
    for reason in (None, "", "   \n"):
        with pytest.raises(PlanProblem) as problem:
            step(db_session, coordinator, plan, ending, reason=reason)
        assert problem.value.field == "reason"
        assert (plan.status, plan.ceased_at) == (status, None)
    mark = last_event_id(db_session)
    reason = ("The family moved to another local authority. " * 12)[:500]  # the longest reason allowed
    step(db_session, coordinator, plan, ending, reason=reason)
    assert plan.status is ended
    assert plan.ceased_at is not None
    [event] = events_since(db_session, mark)
    kept = db_session.get(AuditReason, event.id)
    assert (event.action, event.reason, kept.words if kept else None) == (
        f"plan.{ending.value}",
        None,
        reason,
    )
    # An ended plan takes no more steps, and nobody writes in it.
    for later in Step:
        with pytest.raises(Refused) as refusal:
            step(db_session, coordinator, plan, later, reason="Again")
        assert refusal.value.status_code == 409


def test_a_reason_is_no_longer_than_the_audit_trail_keeps() -> None:
    kept = AuditReason.__table__.c.words.type.length  # type: ignore[attr-defined]
    longest = 500
    assert longest <= kept
    assert StepRequest(step=Step.CEASE, reason="x" * longest).reason == "x" * longest
    with pytest.raises(ValidationError):
        StepRequest(step=Step.CEASE, reason="x" * (longest + 1))


# Which step in which state: written out from DESIGN.md, not read from NEXT_STEPS ------------------------

ALLOWED: dict[tuple[PlanKind, PlanStatus], set[Step]] = {
    (PlanKind.SEN_SUPPORT, PlanStatus.ACTIVE): {Step.MOVE_TO_STAGE, Step.CLOSE},
    (PlanKind.SEN_SUPPORT, PlanStatus.CLOSED): set(),
    (PlanKind.EHC, PlanStatus.DRAFT): {Step.SEND_FOR_CONSULTATION, Step.CEASE},
    (PlanKind.EHC, PlanStatus.CONSULTATION): {Step.ISSUE, Step.CEASE},
    (PlanKind.EHC, PlanStatus.ISSUED): {Step.START_REVIEW, Step.CEASE},
    (PlanKind.EHC, PlanStatus.UNDER_REVIEW): {Step.SEND_FOR_CONSULTATION, Step.CEASE},
    (PlanKind.EHC, PlanStatus.CEASED): set(),
}


@pytest.mark.parametrize(("kind", "status"), list(ALLOWED))
def test_steps_not_allowed_in_a_state_are_refused(
    db_session: Session, kind: PlanKind, status: PlanStatus
) -> None:
    plan, _people = make_plan(db_session, kind)
    coordinator = coordinator_of(db_session, plan)
    plan.status = status
    plan.consultation_ends_on = TODAY - timedelta(days=1) if status is PlanStatus.CONSULTATION else None
    db_session.add(plan)
    db_session.flush()
    assert set(lifecycle.next_steps(access_for(db_session, coordinator, plan))) == ALLOWED[kind, status]
    for refused in set(Step) - ALLOWED[kind, status]:
        mark = last_event_id(db_session)
        with pytest.raises(Refused) as refusal:
            step(db_session, coordinator, plan, refused, reason="Because", stage=CycleStage.DO)
        assert refusal.value.status_code == 409, refused
        assert plan.status is status
        assert events_since(db_session, mark) == []
    for allowed in ALLOWED[kind, status]:
        mark = last_event_id(db_session)
        attempt = db_session.begin_nested()
        step(db_session, coordinator, plan, allowed, reason="Because", stage=CycleStage.DO)
        assert [event.action for event in events_since(db_session, mark)][-1] == f"plan.{allowed.value}"
        attempt.rollback()
        db_session.refresh(plan)
        assert plan.status is status


@pytest.mark.parametrize("kind", list(PlanKind))
def test_only_the_coordinator_takes_steps_and_records_reviews(db_session: Session, kind: PlanKind) -> None:
    plan, people = make_plan(db_session, kind)
    others = [*people.values(), make_audit_officer(db_session, plan)]
    review = lifecycle.NewReview(
        held_on=TODAY, participants="Everyone", what_worked="Much", what_changes="Little"
    )
    for person in others:
        access = access_for(db_session, person, plan)
        assert lifecycle.next_steps(access) == ()
        for attempt in lifecycle.NEXT_STEPS[plan.status]:
            with pytest.raises(Refused) as refusal:
                step(db_session, person, plan, attempt, reason="Because", stage=CycleStage.DO)
            assert refusal.value.status_code == 403
        with pytest.raises(Refused) as refusal:
            lifecycle.record_review(db_session, Actor.command(person), access, review)
        assert refusal.value.status_code == 403
    assert (
        db_session.exec(
            select(func.count()).select_from(PlanVersion).where(PlanVersion.plan_id == plan.id)
        ).one()
        == 0
    )
    assert history.reviews(db_session, access_for(db_session, coordinator_of(db_session, plan), plan)) == []


# SEN Support: the cycle and its reviews ------------------------------------------------------------------


def test_moving_to_a_stage_of_the_cycle_needs_the_stage(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco = coordinator_of(db_session, plan)
    assert plan.cycle_stage is CycleStage.ASSESS
    with pytest.raises(PlanProblem) as problem:
        step(db_session, senco, plan, Step.MOVE_TO_STAGE)
    assert problem.value.field == "stage"
    step(db_session, senco, plan, Step.MOVE_TO_STAGE, stage=CycleStage.DO)
    assert (plan.cycle_stage, plan.status) == (CycleStage.DO, PlanStatus.ACTIVE)


def test_a_sen_support_review_keeps_the_plan_as_a_version_and_starts_the_next_cycle(
    db_session: Session,
) -> None:
    plan, _people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco = coordinator_of(db_session, plan)
    written = add_items(db_session, plan, 2)
    access = access_for(db_session, senco, plan)
    with pytest.raises(PlanProblem) as problem:
        lifecycle.record_review(
            db_session,
            Actor.command(senco),
            access,
            lifecycle.NewReview(
                held_on=TODAY + timedelta(days=1), participants="A", what_worked="B", what_changes="C"
            ),
        )
    assert problem.value.field == "held_on"
    mark = last_event_id(db_session)
    review = lifecycle.record_review(
        db_session,
        Actor.command(senco),
        access,
        lifecycle.NewReview(
            held_on=TODAY, participants=" Alex, Priya ", what_worked="Lunch", what_changes="More"
        ),
    )
    assert (review.cycle_number, review.participants, review.recorded_by_id) == (1, "Alex, Priya", senco.id)
    # Recorded, the review is open: the cycle closes when it is finished.
    assert (plan.version, plan.cycle_number, history.versions(db_session, access)) == (1, 1, [])
    progress.finish_review(db_session, Actor.command(senco), access, review)
    assert (plan.version, plan.cycle_number, plan.cycle_stage) == (2, 2, CycleStage.ASSESS)
    [version] = history.versions(db_session, access)
    assert (version.number, version.occasion) == (1, "review")
    kept = db_session.exec(select(PlanVersionItem.item_id).where(PlanVersionItem.version_id == version.id))
    assert set(kept) == {item.id for item in written}
    recorded, finished = events_since(db_session, mark)
    assert recorded.action == "review.recorded"
    assert (finished.action, finished.details["version"], finished.details["version_id"]) == (
        "review.finished",
        1,
        version.id,
    )
    # The plan stays open for writing: SEN Support is never issued.
    assert plan.status is PlanStatus.ACTIVE
    add_items(db_session, plan, 1)


def test_an_ehc_review_meeting_is_recorded_without_a_new_version(db_session: Session) -> None:
    plan, _people, officer, _written = issued_plan(db_session)
    access = access_for(db_session, officer, plan)
    lifecycle.record_review(
        db_session,
        Actor.command(officer),
        access,
        lifecycle.NewReview(held_on=TODAY, participants="All", what_worked="Travel", what_changes="College"),
    )
    assert [v.number for v in history.versions(db_session, access)] == [1]
    assert (plan.version, plan.status) == (1, PlanStatus.ISSUED)
    assert len(history.reviews(db_session, access)) == 1


def test_an_ended_plan_records_no_review(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco = coordinator_of(db_session, plan)
    step(db_session, senco, plan, Step.CLOSE, reason="Sam no longer needs SEN Support")
    with pytest.raises(Refused) as refusal:
        lifecycle.record_review(
            db_session,
            Actor.command(senco),
            access_for(db_session, senco, plan),
            lifecycle.NewReview(held_on=TODAY, participants="A", what_worked="B", what_changes="C"),
        )
    assert refusal.value.status_code == 409


def test_the_familys_fifteen_days_count_from_the_uk_date_not_the_machines(db_session: Session) -> None:
    """Served on a machine twelve hours behind UTC: at 6 am UK time on 2 December, its date is the 1st."""
    machine_time = datetime(2026, 12, 1, 18, 0, tzinfo=ZoneInfo("Etc/GMT+12"))  # 06:00 on the 2nd in the UK
    with time_machine.travel(machine_time, tick=False):
        assert date.today() == date(2026, 12, 1), "the machine's own date is a day behind"  # noqa: DTZ011 (the machine's date, on purpose)
        plan, _people = make_plan(db_session, PlanKind.EHC)
        step(db_session, coordinator_of(db_session, plan), plan, Step.SEND_FOR_CONSULTATION)

    assert plan.consultation_ends_on == date(2026, 12, 17)


# Steps that tell the family name them, and are refused when there is nobody to tell ----------------


def test_sending_the_draft_tells_the_family_on_the_plan_by_name_and_by_mail(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.EHC)
    officer = coordinator_of(db_session, plan)
    parent, child = people[MemberRole.PARENT_CARER], people[MemberRole.CHILD]
    mark = last_event_id(db_session)
    told = lifecycle.take_step(
        db_session,
        Actor.command(officer),
        access_for(db_session, officer, plan),
        StepRequest(step=Step.SEND_FOR_CONSULTATION),
    )
    # The child here is young (no date of birth known): their parent decides, and is the one told.
    assert [(one.person, one.described) for one in told] == [
        (parent, f"{parent.display_name} (parent or carer)")
    ]
    [event] = events_since(db_session, mark)
    assert event.details["told"] == [parent.id]
    mail = db_session.exec(select(OutboxMessage).where(OutboxMessage.recipient == parent.email)).one()
    assert f"The draft of plan {plan.reference} is ready for your comments" == mail.subject
    assert long_date(plan.consultation_ends_on) in mail.body
    assert (
        db_session.exec(select(OutboxMessage).where(OutboxMessage.recipient == child.email)).first() is None
    )


def test_a_young_person_of_sixteen_is_told_themselves(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.EHC)
    young_person = people[MemberRole.CHILD]
    young_person.date_of_birth = TODAY.replace(year=TODAY.year - 17)
    db_session.add(young_person)
    members.remove_member(
        db_session,
        Actor.command(coordinator_of(db_session, plan)),
        access_for(db_session, coordinator_of(db_session, plan), plan),
        membership_of(db_session, plan, people[MemberRole.PARENT_CARER]),
        members.Removal(reason="They have left the school"),
    )
    officer = coordinator_of(db_session, plan)
    told = lifecycle.take_step(
        db_session,
        Actor.command(officer),
        access_for(db_session, officer, plan),
        StepRequest(step=Step.SEND_FOR_CONSULTATION),
    )
    assert [one.described for one in told] == [f"{young_person.display_name} (young person)"]


def test_a_draft_with_nobody_in_the_family_to_tell_is_not_sent(db_session: Session) -> None:
    plan = make_bare_plan(db_session, PlanKind.EHC)
    officer = coordinator_of(db_session, plan)
    mark = last_event_id(db_session)
    with pytest.raises(Refused) as refusal:
        step(db_session, officer, plan, Step.SEND_FOR_CONSULTATION)
    assert refusal.value.status_code == 409
    assert "nobody in the family on this plan" in refusal.value.detail
    assert (plan.status, plan.consultation_ends_on) == (PlanStatus.DRAFT, None)
    assert events_since(db_session, mark) == []
    assert db_session.exec(select(OutboxMessage)).all() == []


def test_issuing_is_offered_only_from_the_day_after_the_familys_time_ends(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.EHC)
    officer = coordinator_of(db_session, plan)
    step(db_session, officer, plan, Step.SEND_FOR_CONSULTATION)
    access = access_for(db_session, officer, plan)
    assert lifecycle.next_steps(access) == (Step.CEASE,)
    assert lifecycle.issuable_from(plan) == TODAY + timedelta(days=16)
    plan.consultation_ends_on = TODAY
    assert lifecycle.next_steps(access) == (Step.CEASE,)
    plan.consultation_ends_on = TODAY - timedelta(days=1)
    assert lifecycle.next_steps(access) == (Step.ISSUE, Step.CEASE)


def test_a_page_is_told_why_a_step_must_wait_and_the_refusal_is_audited(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.EHC)
    officer = coordinator_of(db_session, plan)
    step(db_session, officer, plan, Step.SEND_FOR_CONSULTATION)
    mark = last_event_id(db_session)
    told, not_now = lifecycle.try_step(
        db_session,
        Actor.command(officer),
        access_for(db_session, officer, plan),
        StepRequest(step=Step.ISSUE, reason="Agreed with the trust"),
        settings=Settings(),
    )
    opens = TODAY + timedelta(days=16)
    assert (told, not_now) == (
        [],
        f"The family has until {long_date(plan.consultation_ends_on)} to comment: "
        f"the plan can be issued from {long_date(opens)}.",
    )
    [event] = events_since(db_session, mark)
    assert (event.action, event.outcome) == ("plan.step_refused", Outcome.REFUSED)
    assert plan.status is PlanStatus.CONSULTATION


def long_date(day: date | None) -> str:
    assert day is not None
    return f"{day.day} {day:%B %Y}"
