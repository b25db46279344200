"""The statutory clock driven through whole journeys (time-machine): an assessment across a leap day, an
annual review from a month end, a year of SEN Support reviews; every due date, overdue flag, dashboard
figure and reminder, and a second reminders run that sends nothing."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlmodel import Session, col, select

from app.actor import Actor
from app.config import Settings
from app.models import Child, OutboxMessage, Plan, ProgressRating
from app.models.base import id_of
from app.models.timeline import AssessmentRequest, ExceptionKind, StatutoryStep, StepKind, StepOutcome
from app.services.demo import create_demo, demo_person
from app.services.plans import lifecycle, progress
from app.services.plans.access import plan_access
from app.services.timelines import notify, reminders, timelines
from app.services.timelines.rules import Status
from tests.plan_factories import events_since, last_event_id


def at(day: date) -> time_machine.travel:
    return time_machine.travel(datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC), tick=False)


def plan_of(db: Session, name: str) -> Plan:
    child = demo_person(db, name)
    return db.exec(select(Plan).join(Child).where(Child.person_id == child.id)).one()


def sent(db: Session, settings: Settings) -> list[tuple[str, str]]:
    return [
        (row.reminder.recipient.display_name, row.reminder.threshold)
        for row in reminders.send_reminders(db, settings)
    ]


@pytest.fixture
def world(db_session: Session) -> Session:
    with at(date(2028, 1, 10)):
        create_demo(db_session)
    return db_session


def step_of(db: Session, plan: Plan, kind: StepKind) -> StatutoryStep:
    return db.exec(
        select(StatutoryStep).where(StatutoryStep.plan_id == plan.id, StatutoryStep.kind == kind)
    ).one()


def test_a_whole_assessment_across_a_leap_day(world: Session, settings: Settings) -> None:
    db = world
    sam = plan_of(db, "Sam Taylor")
    morgan = Actor.command(demo_person(db, "Morgan Price"))
    with at(date(2028, 1, 10)):
        access = plan_access(db, morgan, id_of(sam))
        timeline = timelines.plan_timeline(db, access)
        assert timeline.assessment is not None
        assert timeline.assessment.request.requested_on == date(2027, 11, 26)
        assert timeline.assessment.sentence == (
            "Week 7 of 20. Next: the council sends the draft plan, or decides not to issue one, by 17 March. "
            "1 piece of advice is late."
        )
        dues = {entry.label: (entry.due_on, entry.status) for entry in timeline.entries}
        assert dues["the council decides whether to assess"] == (date(2028, 1, 7), Status.DONE)
        assert dues["medical advice from Northshire NHS Trust"] == (date(2028, 1, 8), Status.OVERDUE)
        assert dues["educational advice from Riverside Primary School"] == (date(2028, 1, 8), Status.DONE)
        assert dues["the final EHC plan is issued"] == (date(2028, 4, 14), Status.DUE)
        # Dr Khan and the case officer hear about the overdue advice, once.
        assert sorted(sent(db, settings)) == [("Dr Aisha Khan", "overdue"), ("Morgan Price", "overdue")]
        assert sent(db, settings) == []
        message = db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id).desc())).first()
        assert message is not None
        assert f"plan {sam.reference}" in message.subject
        assert f"/plans/{sam.id}/timeline" in message.body
        assert "Sam" not in message.subject + message.body
        overview = timelines.la_overview(db, morgan)
        # Ella's reduced timetable waits on a review decision (the demo): overdue too, as her plan says.
        assert overview.overdue_by_kind == [
            ("Advice for an assessment", 1),
            ("Reduced timetable review or end", 1),
        ]
        assert overview.overdue_by_setting == [("Hillcrest Academy", 1), ("Riverside Primary School", 1)]
        [nhs] = [row for row in overview.advice if row.organisation == "Northshire NHS Trust"]
        assert (nhs.requested, nhs.returned, nhs.overdue) == (1, 0, 1)
        assert [(row.organisation, row.returned_on_time) for row in overview.advice] == [
            ("Northshire Children's Services", 1),
            ("Northshire NHS Trust", 0),
            ("Riverside Primary School", 1),
        ]
        assert overview.issued == 0
    with at(date(2028, 3, 10)):
        assert ("Morgan Price", "due_soon") in sent(db, settings)  # the draft, due 17 March
        access = plan_access(db, morgan, id_of(sam))
        ehc = timelines.make_draft_plan(db, morgan, access)
        ehc_access = plan_access(db, morgan, id_of(ehc))
        lifecycle.take_step(
            db,
            morgan,
            ehc_access,
            lifecycle.StepRequest(step=lifecycle.Step.SEND_FOR_CONSULTATION),
            settings=settings,
        )
        sent_draft = step_of(db, ehc, StepKind.ISSUE_DECISION)
        assert (sent_draft.done_on, sent_draft.outcome) == (date(2028, 3, 10), StepOutcome.DRAFT_SENT)
    with at(date(2028, 4, 15)):
        access = plan_access(db, morgan, id_of(ehc))
        final = step_of(db, ehc, StepKind.FINAL_PLAN)
        assert timelines.step_entry(final, date(2028, 4, 15)).status is Status.OVERDUE
        assert ("Morgan Price", "overdue") in sent(db, settings)
        overview = timelines.la_overview(db, morgan)
        assert dict(overview.overdue_by_kind)["Final EHC plan (20 weeks)"] == 1
        timelines.record_exception(
            db,
            morgan,
            access,
            final,
            timelines.StepException(
                exception=ExceptionKind.FAMILY_AWAY, reason="The family was abroad for five weeks"
            ),
        )
        assert timelines.step_entry(final, date(2028, 4, 15)).status is Status.EXCEPTION
        lifecycle.take_step(
            db,
            morgan,
            access,
            lifecycle.StepRequest(step=lifecycle.Step.ISSUE, reason="Sessions agreed with the family"),
            settings=settings,
        )
        assert final.done_on == date(2028, 4, 15)
    with at(date(2028, 4, 21)):
        overview = timelines.la_overview(db, morgan)
        assert (overview.issued, overview.issued_in_time, overview.issued_with_exceptions) == (1, 0, 1)
        request = db.exec(select(AssessmentRequest).where(AssessmentRequest.plan_id == ehc.id)).one()
        assert (request.closed_on, request.from_plan_id) == (date(2028, 4, 15), sam.id)
        timeline = timelines.plan_timeline(db, plan_access(db, morgan, id_of(ehc)))
        assert timeline.assessment is not None
        assert timeline.assessment.closed
        [entry] = [entry for entry in timeline.entries if entry.step is final]
        assert entry.exception_label == "the family was away for 4 weeks or more"


def test_an_annual_review_from_a_month_end(db_session: Session, settings: Settings) -> None:
    db = db_session
    with at(date(2029, 1, 31)):
        create_demo(db)
    ella = plan_of(db, "Ella Morris")
    morgan = Actor.command(demo_person(db, "Morgan Price"))
    with at(date(2029, 12, 1)):
        access = plan_access(db, morgan, id_of(ella))
        [review] = [
            entry for entry in timelines.plan_timeline(db, access).entries if entry.key.startswith("review:")
        ]
        assert (review.due_on, review.status) == (date(2030, 1, 31), Status.DUE)
        assert review.label == "the annual review meeting (including preparing for adulthood)"
        timelines.arrange_review(db, morgan, access, timelines.NewReviewMeeting(meeting_on=date(2030, 1, 31)))
        steps = {
            entry.step.kind: entry.due_on
            for entry in timelines.plan_timeline(db, access).entries
            if entry.step
        }
        assert steps == {
            StepKind.REVIEW_INVITATIONS: date(2030, 1, 17),
            StepKind.REVIEW_MEETING: date(2030, 1, 31),
            StepKind.REVIEW_REPORT: date(2030, 2, 14),
            StepKind.REVIEW_DECISION: date(2030, 2, 28),
            StepKind.AMENDED_DRAFT: date(2030, 4, 10),
            StepKind.AMENDED_FINAL: date(2030, 4, 25),
        }
    with at(date(2030, 1, 12)):
        assert ("Morgan Price", "due_soon") in sent(db, settings)  # invitations, due 17 January
        assert sent(db, settings) == []
    with at(date(2030, 2, 3)):
        access = plan_access(db, morgan, id_of(ella))
        for kind, done_on in (
            (StepKind.REVIEW_INVITATIONS, date(2030, 1, 15)),
            (StepKind.REVIEW_MEETING, date(2030, 1, 31)),
        ):
            timelines.record_done(
                db, morgan, access, step_of(db, ella, kind), timelines.StepDone(done_on=done_on)
            )
        with pytest.raises(Exception, match="differences of opinion"):
            timelines.record_done(
                db,
                morgan,
                access,
                step_of(db, ella, StepKind.REVIEW_REPORT),
                timelines.StepDone(done_on=date(2030, 2, 3)),
            )
        timelines.record_done(
            db,
            morgan,
            access,
            step_of(db, ella, StepKind.REVIEW_REPORT),
            timelines.StepDone(
                done_on=date(2030, 2, 3), note="Ella wants college three days a week; the school says five."
            ),
        )
        dashboard = timelines.my_dashboard(db, morgan)
        assert [row.entry.label for row in dashboard.overdue if row.plan.id == ella.id] == []
    with at(date(2030, 3, 1)):
        dashboard = timelines.my_dashboard(db, morgan)
        assert [
            row.entry.step.kind for row in dashboard.overdue if row.entry.step and row.plan.id == ella.id
        ] == [StepKind.REVIEW_DECISION]
        access = plan_access(db, morgan, id_of(ella))
        timelines.record_done(
            db,
            morgan,
            access,
            step_of(db, ella, StepKind.REVIEW_DECISION),
            timelines.StepDone(done_on=date(2030, 3, 1), outcome=StepOutcome.KEEP),
        )
        statuses = {e.step.kind: e.status for e in timelines.plan_timeline(db, access).entries if e.step}
        assert statuses[StepKind.REVIEW_DECISION] is Status.DONE_LATE
        assert statuses[StepKind.AMENDED_FINAL] is Status.CANCELLED
        [review] = [e for e in timelines.plan_timeline(db, access).entries if e.key.startswith("review:")]
        assert review.due_on == date(2031, 1, 31)


def test_a_year_of_sen_support_reviews(db_session: Session, settings: Settings) -> None:
    db = db_session
    with at(date(2027, 11, 11)):
        create_demo(db)  # Sam's review was 11 days ago: 31 October 2027
    sam = plan_of(db, "Sam Taylor")
    priya = Actor.command(demo_person(db, "Priya Shah"))

    def next_review(today: date) -> timelines.Entry:
        with at(today):
            entries = timelines.plan_timeline(db, plan_access(db, priya, id_of(sam))).entries
        [entry] = [entry for entry in entries if entry.key.startswith("review:")]
        return entry

    assert (next_review(date(2027, 11, 11)).due_on, next_review(date(2027, 11, 11)).status) == (
        date(2028, 2, 29),
        Status.DUE,
    )
    with at(date(2028, 2, 25)):
        assert ("Priya Shah", "due_soon") in sent(db, settings)
        assert sent(db, settings) == []
    with at(date(2028, 3, 1)):
        assert next_review(date(2028, 3, 1)).status is Status.OVERDUE
        assert ("Priya Shah", "overdue") in sent(db, settings)
        assert [
            row.entry.label
            for row in timelines.my_dashboard(db, priya).overdue
            if "review" in row.entry.label
        ] == ["a review meeting with the parents (at least three a year)"]
    held = [date(2028, 3, 2), date(2028, 6, 30), date(2028, 10, 31)]
    expected = [date(2028, 7, 2), date(2028, 10, 30), date(2029, 2, 28)]
    for meeting, due in zip(held, expected, strict=True):
        with at(meeting):
            access = plan_access(db, priya, id_of(sam))
            review = lifecycle.record_review(
                db,
                priya,
                access,
                lifecycle.NewReview(
                    held_on=meeting, participants="Alex, Sam, Priya", what_worked="Lunch", what_changes="Desk"
                ),
            )
            rated = [
                progress.Rating(item_id=id_of(outcome.item), rating=ProgressRating.SOME_PROGRESS)
                for outcome in progress.live_outcomes(db, access)
            ]
            progress.rate_outcomes(db, priya, access, review, rated)
            progress.finish_review(db, priya, access, review)
        entry = next_review(meeting)
        assert (entry.due_on, entry.status) == (due, Status.DUE)


def test_reads_and_writes_are_audited_once(world: Session) -> None:
    db = world
    sam = plan_of(db, "Sam Taylor")
    alex = Actor.command(demo_person(db, "Alex Taylor"))
    with at(date(2028, 1, 10)):
        before = last_event_id(db)
        timelines.read_timeline(db, alex, plan_access(db, alex, id_of(sam)))
        events = events_since(db, before)
    assert [event.action for event in events] == ["timeline.read"]


def test_the_notify_message_carries_what_the_outbox_would(settings: Settings) -> None:
    configured = settings.model_copy(
        update={"notify_api_key": "test-key", "notify_template_id": "template-1"}
    )
    assert notify.notify_configured(configured)
    assert not notify.notify_configured(settings)
    email = notify.notify_email(
        configured, "a@example.org", "Overdue on plan OP-1001", "Plan OP-1001: ...", "step:1:overdue:person:2"
    )
    assert email.arguments() == {
        "email_address": "a@example.org",
        "template_id": "template-1",
        "personalisation": {"subject": "Overdue on plan OP-1001", "body": "Plan OP-1001: ..."},
        "reference": "step:1:overdue:person:2",
    }
