"""Moves of setting (issue 17): the new school must fit the child's phase or the move says why; section I
follows (an issued EHC plan through an amendment); a move dated ahead changes nothing but a note on the
plan until the worker applies it on its day, and may be cancelled before then."""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today as today
from app.config import Environment, Settings
from app.db import build_engine
from app.errors import Refused
from app.models import (
    AuditEvent,
    Child,
    Item,
    ItemRevision,
    MemberRole,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Plan,
    PlanMember,
    PlanStatus,
    PlanVersion,
    PlanVersionItem,
    Section,
    SettingMove,
    SettingPhase,
)
from app.models.base import utc_now
from app.permissions import PlanAccess
from app.services.delivery import moves, phases, placement
from app.services.demo import create_demo, demo_person
from app.services.jobs.worker import JOBS, Context, Worker
from app.services.plans.access import plan_access
from app.services.plans.items import ContentProblem
from app.services.plans.plans import PlanProblem
from tests.databases import migrated_database
from tests.page_checks import check_page

Lookup = Callable[[str], Person]
SignIn = Callable[[Person], str]


def plan_of(db: Session, child: Person) -> Plan:
    return db.exec(select(Plan).join(Child).where(col(Child.person_id) == child.id)).one()


def record(
    db: Session, settings: Settings, by: Person, plan: Plan, to: Person, on: date, reason: str | None = None
) -> SettingMove:
    actor = Actor.command(by)
    new = moves.NewMove(
        to_setting_id=to.organisation_id or 0, new_senco_id=to.id or 0, moves_on=on, reason=reason
    )
    return moves.move_setting(db, settings, actor, plan_access(db, actor, plan.id or 0), new)


def sees(db: Session, person: Person, plan: Plan) -> bool:
    try:
        plan_access(db, Actor.command(person), plan.id or 0)
    except Refused:
        return False
    return True


def placement_words(db: Session, plan: Plan) -> str:
    return db.exec(
        select(ItemRevision.text)
        .join(Item, col(Item.current_revision_id) == col(ItemRevision.id))
        .where(col(Item.plan_id) == plan.id, col(Item.section) == Section.I.value)
    ).one()


# Phase ---------------------------------------------------------------------------------------------


def school(phase: SettingPhase | None) -> Organisation:
    return Organisation(name="Oak School", kind=OrganisationKind.SCHOOL, phase=phase)


@pytest.mark.parametrize(
    ("phase", "year", "fits"),
    [
        (SettingPhase.PRIMARY, "Year 4", True),
        (SettingPhase.PRIMARY, "Year 12", False),
        (SettingPhase.SECONDARY, "Year 4", False),
        (SettingPhase.SECONDARY, "Year 11", True),
        (SettingPhase.SECONDARY_WITH_SIXTH_FORM, "Year 12", True),
        (SettingPhase.POST_16, "Year 12", True),
        (SettingPhase.POST_16, "Year 10", False),
        (SettingPhase.EARLY_YEARS, "Reception", True),
        (SettingPhase.EARLY_YEARS, "Year 1", False),
        (SettingPhase.ALL_THROUGH, "Year 4", True),
        (SettingPhase.ALL_THROUGH, "Year 12", True),
    ],
)
def test_a_setting_fits_the_years_its_phase_teaches(phase: SettingPhase, year: str, fits: bool) -> None:
    assert phases.fit(school(phase), year, "Sam", date(2026, 12, 7), date(2027, 1, 4)).fits is fits


def test_a_move_in_a_later_school_year_is_checked_against_the_year_the_child_will_be_in() -> None:
    """Year 6 in December moves to secondary in September: Year 7 by then."""
    secondary = school(SettingPhase.SECONDARY)
    assert phases.fit(secondary, "Year 6", "Sam", date(2026, 12, 7), date(2027, 9, 6)).fits
    refused = phases.fit(secondary, "Year 6", "Sam", date(2026, 12, 7), date(2027, 7, 1))
    assert refused.problem == "Oak School is secondary; Sam will be in Year 6 on 1 July 2027"


def test_an_unknown_phase_or_year_cannot_be_checked_so_it_needs_a_reason() -> None:
    assert phases.fit(school(None), "Year 4", "Sam", date(2026, 12, 7), date(2027, 1, 4)).fits is False
    unknown = phases.fit(
        school(SettingPhase.PRIMARY), "Key stage 2", "Sam", date(2026, 12, 7), date(2027, 1, 4)
    )
    assert unknown.problem == "Sam's school year (Key stage 2) cannot be checked against Oak School's phase"


# Ella: Year 12, issued EHC plan, Hillcrest to Riverside Primary -----------------------------------------


def test_ella_in_year_12_is_not_simply_moved_to_a_primary_school(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    """The issue's reproduction: refused without a reason; nothing changes; Priya gains nothing."""
    ella, morgan, priya, chris = (
        demo("Ella Morris"),
        demo("Morgan Price"),
        demo("Priya Shah"),
        demo("Chris Wood"),
    )
    plan = plan_of(db_session, ella)
    with pytest.raises(ContentProblem) as refused:
        record(db_session, settings, morgan, plan, priya, today())
    assert refused.value.errors == {
        "reason": f"Riverside Primary School is primary; Ella will be in Year 12 on {today():%-d %B %Y}. "
        "Enter why this move is right, or select another school"
    }
    db_session.refresh(plan)
    assert plan.status is PlanStatus.ISSUED
    assert placement_words(db_session, plan) == "Hillcrest Academy (sixth form), a mainstream academy."
    assert not sees(db_session, priya, plan)
    assert sees(db_session, chris, plan)
    assert db_session.exec(select(SettingMove).where(SettingMove.plan_id == plan.id)).first() is None


def test_a_move_that_does_not_fit_is_made_with_its_reason_and_amends_the_issued_plan(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    """Section I names the new school in the next version; the issued version keeps the old placement."""
    ella, morgan, priya, chris = (
        demo("Ella Morris"),
        demo("Morgan Price"),
        demo("Priya Shah"),
        demo("Chris Wood"),
    )
    plan = plan_of(db_session, ella)
    issued_version = plan.version
    reason = "Ella's sixth-form course is taught at Riverside's specialist resource base."
    move = record(db_session, settings, morgan, plan, priya, today(), reason)
    assert move.applied_at is not None
    assert move.phase_fits is False
    assert move.reason == reason
    db_session.refresh(plan)
    assert (plan.status, plan.version) == (PlanStatus.UNDER_REVIEW, issued_version + 1)
    assert placement_words(db_session, plan) == f"Riverside Primary School, from {today():%-d %B %Y}."
    issued = db_session.exec(
        select(ItemRevision.text)
        .join(PlanVersionItem, col(PlanVersionItem.revision_id) == col(ItemRevision.id))
        .join(PlanVersion, col(PlanVersion.id) == col(PlanVersionItem.version_id))
        .join(Item, col(Item.id) == col(PlanVersionItem.item_id))
        .where(
            col(PlanVersion.plan_id) == plan.id,
            col(PlanVersion.number) == issued_version,
            col(Item.section) == Section.I.value,
        )
    ).one()
    assert issued == "Hillcrest Academy (sixth form), a mainstream academy."
    assert sees(db_session, priya, plan)
    assert not sees(db_session, chris, plan)
    actions = db_session.exec(
        select(AuditEvent.action)
        .where(AuditEvent.plan_id == plan.id)
        .order_by(col(AuditEvent.id).desc())
        .limit(3)
    ).all()
    assert list(reversed(actions)) == ["plan.start_review", "item.revised", "plan.setting_moved"]


def test_an_issued_plans_move_needs_a_reason_even_when_the_school_fits(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    ella, morgan = demo("Ella Morris"), demo("Morgan Price")
    plan = plan_of(db_session, ella)
    college = Organisation(
        name="Northshire College",
        kind=OrganisationKind.SCHOOL,
        phase=SettingPhase.POST_16,
        local_authority_id=plan.local_authority_id,
    )
    db_session.add(college)
    db_session.flush()
    tutor = Person(display_name="Dev Patel", role=PersonRole.EDUCATION, organisation_id=college.id)
    db_session.add(tutor)
    db_session.flush()
    with pytest.raises(ContentProblem) as refused:
        record(db_session, settings, morgan, plan, tutor, today())
    assert refused.value.errors == {
        "reason": "Enter why the placement changes: the issued plan is amended to name the new school"
    }


def test_only_the_local_authority_records_the_move_of_an_ehc_plan(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    ella, chris, priya = demo("Ella Morris"), demo("Chris Wood"), demo("Priya Shah")
    with pytest.raises(Refused) as refused:
        record(db_session, settings, chris, plan_of(db_session, ella), priya, today(), "Moving")
    assert refused.value.status_code == 403


# Sam: a move dated ahead ---------------------------------------------------------------------------


def test_a_move_dated_ahead_changes_nothing_until_the_worker_applies_it_on_its_day(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    """Before the day old staff keep it, the new SENCo cannot see it; on the day, the reverse."""
    sam, priya, tom, chris = demo("Sam Taylor"), demo("Priya Shah"), demo("Tom Baker"), demo("Chris Wood")
    plan = plan_of(db_session, sam)
    riverside = plan.setting_id
    day = today() + timedelta(days=28)
    move = record(db_session, settings, priya, plan, chris, day)
    assert move.is_pending
    assert move.phase_fits  # Hillcrest is all-through: Year 4 fits
    assert moves.apply_due_moves(db_session, settings, day - timedelta(days=1)) == 0
    db_session.refresh(plan)
    assert plan.setting_id == riverside
    assert sees(db_session, priya, plan)
    assert sees(db_session, tom, plan)
    assert not sees(db_session, chris, plan)

    assert moves.apply_due_moves(db_session, settings, day) == 1
    db_session.refresh(plan)
    db_session.refresh(move)
    assert move.applied_at is not None
    assert move.members_ended == 2
    assert plan.setting_id == chris.organisation_id
    assert not sees(db_session, priya, plan)
    assert not sees(db_session, tom, plan)
    assert sees(db_session, chris, plan)
    coordinator = db_session.exec(
        select(PlanMember.person_id).where(
            PlanMember.plan_id == plan.id,
            col(PlanMember.is_coordinator).is_(True),
            col(PlanMember.removed_at).is_(None),
        )
    ).one()
    assert coordinator == chris.id
    applied = db_session.exec(
        select(AuditEvent).where(AuditEvent.action == "plan.setting_moved", AuditEvent.plan_id == plan.id)
    ).one()
    assert applied.actor_id == priya.id
    assert applied.details["recorded_by_id"] == priya.id
    assert moves.apply_due_moves(db_session, settings, day) == 0  # once only


def test_a_cancelled_move_never_happens_and_a_second_cannot_wait_beside_the_first(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    sam, priya, chris = demo("Sam Taylor"), demo("Priya Shah"), demo("Chris Wood")
    plan = plan_of(db_session, sam)
    day = today() + timedelta(days=10)
    move = record(db_session, settings, priya, plan, chris, day)
    with pytest.raises(ContentProblem) as refused:
        record(db_session, settings, priya, plan, chris, day + timedelta(days=1))
    assert refused.value.errors["to_setting_id"] == (
        f"A move on {day:%-d %B %Y} is already waiting: cancel it before recording another"
    )
    actor = Actor.command(priya)
    moves.cancel_move(db_session, actor, plan_access(db_session, actor, plan.id or 0), move.id or 0)
    assert moves.apply_due_moves(db_session, settings, day) == 0
    assert not sees(db_session, chris, plan)
    with pytest.raises(Refused) as again:
        moves.cancel_move(db_session, actor, plan_access(db_session, actor, plan.id or 0), move.id or 0)
    assert again.value.status_code == 409


def test_a_move_more_than_a_year_ahead_is_refused(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    sam, priya, chris = demo("Sam Taylor"), demo("Priya Shah"), demo("Chris Wood")
    with pytest.raises(ContentProblem) as refused:
        record(db_session, settings, priya, plan_of(db_session, sam), chris, today() + timedelta(days=400))
    assert refused.value.errors == {"moves_on": "The move must be within a year from today"}


# Pages and API -------------------------------------------------------------------------------------


def form(token: str, to: Person, on: date, reason: str = "") -> dict[str, str]:
    return {
        "csrf_token": token,
        "to_setting_id": str(to.organisation_id),
        "new_senco_id": str(to.id),
        "moves_on-day": str(on.day),
        "moves_on-month": str(on.month),
        "moves_on-year": str(on.year),
        "reason": reason,
    }


def test_the_move_page_asks_for_a_reason_when_the_school_does_not_fit(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, demo("Ella Morris"))
    token = sign_in_as(demo("Morgan Price"))
    page = client.get(f"/plans/{plan.id}/move").text
    assert "Riverside Primary School (primary)" in page
    response = client.post(f"/plans/{plan.id}/move", data=form(token, demo("Priya Shah"), today()))
    assert response.status_code == 200
    check_page(response.text)
    assert "There is a problem" in response.text
    assert 'href="#reason"' in response.text
    assert "Ella will be in Year 12" in response.text
    db_session.refresh(plan)
    assert plan.setting_id == demo("Chris Wood").organisation_id


def test_a_move_dated_ahead_shows_on_the_plan_and_is_cancelled_from_the_move_page(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, demo("Sam Taylor"))
    alex = demo("Alex Taylor")
    day = today() + timedelta(days=28)
    token = sign_in_as(demo("Priya Shah"))
    response = client.post(
        f"/plans/{plan.id}/move", data=form(token, demo("Chris Wood"), day), follow_redirects=False
    )
    assert response.status_code == 303
    sign_in_as(alex)  # the family sees the note too
    assert f"Moving to Hillcrest Academy on {day:%-d %B %Y}" in client.get(f"/plans/{plan.id}").text
    token = sign_in_as(demo("Priya Shah"))
    page = client.get(f"/plans/{plan.id}/move").text
    assert f"Moving to Hillcrest Academy on {day:%-d %B %Y}" in page
    waiting = moves.pending_move(db_session, plan.id or 0)
    assert waiting is not None
    response = client.post(
        f"/plans/{plan.id}/moves/{waiting.id}/cancel", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert "Moving to" not in client.get(f"/plans/{plan.id}").text


def test_the_api_records_a_waiting_move_refuses_a_misfit_without_reason_and_cancels(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    ella_plan = plan_of(db_session, demo("Ella Morris"))
    priya, chris = demo("Priya Shah"), demo("Chris Wood")
    token = sign_in_as(demo("Morgan Price"))
    headers = {"X-CSRF-Token": token}
    body = {"to_setting_id": priya.organisation_id, "new_senco_id": priya.id, "moves_on": today().isoformat()}
    refused = client.post(f"/api/v1/plans/{ella_plan.id}/moves", json=body, headers=headers)
    assert refused.status_code == 422
    assert "Ella will be in Year 12" in refused.text

    sam_plan = plan_of(db_session, demo("Sam Taylor"))
    token = sign_in_as(priya)
    headers = {"X-CSRF-Token": token}
    day = today() + timedelta(days=5)
    body = {"to_setting_id": chris.organisation_id, "new_senco_id": chris.id, "moves_on": day.isoformat()}
    made = client.post(f"/api/v1/plans/{sam_plan.id}/moves", json=body, headers=headers)
    assert made.status_code == 201
    assert (made.json()["status"], made.json()["phase_fits"]) == ("waiting", True)
    move_id = made.json()["id"]
    cancelled = client.post(f"/api/v1/plans/{sam_plan.id}/moves/{move_id}/cancellation", headers=headers)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    again = client.post(f"/api/v1/plans/{sam_plan.id}/moves/{move_id}/cancellation", headers=headers)
    assert again.status_code == 409


# The worker ----------------------------------------------------------------------------------------


@contextmanager
def demo_of_its_own(tmp_path: Path) -> Iterator[tuple[Settings, Engine, Worker]]:
    """The demo in a database of its own (the worker commits), and a worker with the moves' job only."""
    with migrated_database(tmp_path) as url:
        settings = Settings(environment=Environment.TEST, database_url=url, data_dir=tmp_path)
        engine = build_engine(settings)
        with Session(engine) as db:
            create_demo(db, settings)
            db.commit()
        job = next(job for job in JOBS if job.name == "setting_moves")
        try:
            yield settings, engine, Worker(Context(engine, settings), jobs=(job,))
        finally:
            engine.dispose()


def test_the_workers_job_applies_a_move_on_its_uk_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The leased job, run as the worker runs it, on a database of its own with the UK date moved."""
    day = today() + timedelta(days=30)
    with demo_of_its_own(tmp_path) as (settings, engine, worker):
        with Session(engine) as db:
            sam = demo_person(db, "Sam Taylor")
            record(
                db,
                settings,
                demo_person(db, "Priya Shah"),
                plan_of(db, sam),
                demo_person(db, "Chris Wood"),
                day,
            )
            db.commit()
        monkeypatch.setattr("app.services.delivery.moves.today", lambda: day - timedelta(days=1))
        assert worker.run_once()[0].done == 0
        monkeypatch.setattr("app.services.delivery.moves.today", lambda: day)
        assert worker.run_once()[0].done == 1
        with Session(engine) as db:
            plan = plan_of(db, demo_person(db, "Sam Taylor"))
            assert sees(db, demo_person(db, "Chris Wood"), plan)
            assert not sees(db, demo_person(db, "Tom Baker"), plan)


def test_a_move_that_cannot_be_applied_leaves_the_moves_due_after_it_going(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Sam's and Ella's moves fall on the same day; Sam's fails half-way (section I refused, after the
    move was claimed). Ella's is applied all the same; Sam's is rolled back whole, logged, and left
    waiting, so that the next run applies it once it can be."""
    day = today() + timedelta(days=30)
    with demo_of_its_own(tmp_path) as (settings, engine, worker):
        with Session(engine) as db:
            sam_plan = plan_of(db, demo_person(db, "Sam Taylor"))
            ella_plan = plan_of(db, demo_person(db, "Ella Morris"))
            chris, priya = demo_person(db, "Chris Wood"), demo_person(db, "Priya Shah")
            sams = record(db, settings, priya, sam_plan, chris, day)
            ellas = record(
                db, settings, demo_person(db, "Morgan Price"), ella_plan, priya, day, "Nearer home"
            )
            sam_plan_id, sams_id, ellas_id = sam_plan.id, sams.id, ellas.id
            db.commit()
        assert (sams_id or 0) < (ellas_id or 0)  # Sam's comes first in the job's order

        named = placement.name_placement

        def refused_for_sam(db: Session, actor: Actor, access: PlanAccess, *args: object) -> object:
            if access.plan.id == sam_plan_id:
                raise PlanProblem("section_i", "Section I cannot be changed now")
            return named(db, actor, access, *args)  # type: ignore[arg-type]

        monkeypatch.setattr("app.services.delivery.placement.name_placement", refused_for_sam)
        monkeypatch.setattr("app.services.delivery.moves.today", lambda: day)
        with caplog.at_level(logging.WARNING, logger="oneplan.moves"):
            [ran] = worker.run_once()
        assert (ran.done, ran.error) == (1, None)
        assert f"Setting move {sams_id} could not be applied: Section I cannot be changed now" in caplog.text
        with Session(engine) as db:
            pending = {row.id: row.is_pending for row in db.exec(select(SettingMove))}
            assert pending == {sams_id: True, ellas_id: False}
            assert sees(db, demo_person(db, "Tom Baker"), plan_of(db, demo_person(db, "Sam Taylor")))
        monkeypatch.setattr("app.services.delivery.placement.name_placement", named)
        assert worker.run_once()[0].done == 1
        with Session(engine) as db:
            assert all(not row.is_pending for row in db.exec(select(SettingMove)))
            assert sees(db, demo_person(db, "Chris Wood"), plan_of(db, demo_person(db, "Sam Taylor")))


def test_an_issued_plan_is_amended_only_by_its_coordinator(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    """Another case officer on the plan may record moves, but not amend the issued plan."""
    plan = plan_of(db_session, demo("Ella Morris"))
    colleague = Person(
        display_name="Sky Reid", role=PersonRole.LA_CASE_OFFICER, organisation_id=plan.local_authority_id
    )
    db_session.add(colleague)
    db_session.flush()
    db_session.add(
        PlanMember(plan_id=plan.id or 0, person_id=colleague.id or 0, role=MemberRole.LOCAL_AUTHORITY)
    )
    db_session.flush()
    with pytest.raises(Refused) as refused:
        record(db_session, settings, colleague, plan, demo("Priya Shah"), today(), "Moving")
    assert refused.value.status_code == 403
    assert refused.value.detail == (
        "This plan has been issued: only its coordinator can amend it to name a new school."
    )


def test_a_waiting_move_still_happens_when_its_recorder_has_left_the_plan(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    """Priya hands the plan to Tom and leaves before the day: the worker acts for Tom, the coordinator."""
    sam, priya, tom, chris = demo("Sam Taylor"), demo("Priya Shah"), demo("Tom Baker"), demo("Chris Wood")
    plan = plan_of(db_session, sam)
    day = today() + timedelta(days=7)
    record(db_session, settings, priya, plan, chris, day)
    for member in db_session.exec(select(PlanMember).where(PlanMember.plan_id == plan.id)).all():
        if member.person_id == priya.id:
            member.removed_at, member.is_coordinator = utc_now(), False
        elif member.person_id == tom.id:
            member.is_coordinator = True
        db_session.add(member)
    db_session.flush()
    assert moves.apply_due_moves(db_session, settings, day) == 1
    assert sees(db_session, chris, plan)
    assert not sees(db_session, tom, plan)
    applied = db_session.exec(
        select(AuditEvent).where(AuditEvent.action == "plan.setting_moved", AuditEvent.plan_id == plan.id)
    ).one()
    assert applied.actor_id == tom.id
