"""Concerns: the family raises one with the setting, the setting answers within the council's time in
working days, and a concern not answered in time, or not resolved, becomes a complaint to the council.

On the demo's Sam Taylor (SEN Support at Riverside Primary): Alex is his parent, Priya (the SENCo) and
Tom Baker are the setting's staff on the plan, Dr Aisha Khan is health; Morgan is a Northshire case
officer and Rita its audit officer.
"""

from collections.abc import Callable
from datetime import date

import pytest
from sqlmodel import Session, col, select

from app.actor import Actor
from app.config import Settings
from app.errors import Refused
from app.models import (
    ComplaintStage,
    ConcernAbout,
    ConcernOutcome,
    ConcernStatus,
    OutboxMessage,
    Person,
    Plan,
    PlanStatus,
    Section,
)
from app.services.concerns import complaints, concerns
from app.services.concerns.rules import add_working_days, bank_holidays
from app.services.plans.items import ContentProblem
from tests.plan_factories import access_for, events_since, last_event_id
from tests.test_plan_pages import plan_of

Demo = Callable[[str], Person]
SPEECH = "Sam has not had his speech and language therapy since half term. Nobody told us why."
MONDAY = date(2026, 12, 7)


@pytest.fixture
def sam(db_session: Session) -> Plan:
    return plan_of(db_session, "Sam Taylor")


def on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """The UK's day, as the concern services read it."""
    for module in ("concerns", "complaints"):
        monkeypatch.setattr(f"app.services.concerns.{module}.uk_today", lambda: day)


def raise_one(db: Session, settings: Settings, demo: Demo, plan: Plan, words: str = SPEECH):  # type: ignore[no-untyped-def]
    alex = demo("Alex Taylor")
    new = concerns.NewConcern(about=ConcernAbout.DELIVERY, words=words)
    return concerns.raise_concern(db, settings, Actor.command(alex), access_for(db, alex, plan), new)


def test_working_days_skip_weekends_and_englands_bank_holidays() -> None:
    assert add_working_days(MONDAY, 10) == date(2026, 12, 21)
    # Christmas 2026 is a Friday: Boxing Day's holiday moves to Monday 28th; New Year's Day is a Friday.
    assert add_working_days(date(2026, 12, 18), 10) == date(2027, 1, 6)
    # Raised on a Saturday, the count starts on Monday.
    assert add_working_days(date(2026, 12, 12), 1) == date(2026, 12, 14)
    assert bank_holidays(2027) >= {
        date(2027, 3, 26),
        date(2027, 3, 29),
        date(2027, 12, 27),
        date(2027, 12, 28),
    }
    assert date(2028, 1, 3) in bank_holidays(2028)


def test_alex_raises_a_concern_the_setting_is_mailed_and_has_ten_working_days(
    db_session: Session, settings: Settings, demo: Demo, sam: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    on(monkeypatch, MONDAY)
    before = last_event_id(db_session)
    concern = raise_one(db_session, settings, demo, sam, "  " + SPEECH + "\n")
    assert concern.words == "  " + SPEECH + "\n", "the family's words are kept as they typed them"
    assert (concern.raised_on, concern.due_on, concern.answer_days) == (MONDAY, date(2026, 12, 21), 10)
    assert concern.status is ConcernStatus.AWAITING_ANSWER
    assert [(e.action, e.plan_id) for e in events_since(db_session, before)] == [("concern.raised", sam.id)]
    mailed = db_session.exec(
        select(OutboxMessage.recipient).where(col(OutboxMessage.subject).contains("A concern"))
    ).all()
    assert set(mailed) == {demo("Priya Shah").email, demo("Tom Baker").email}
    assert SPEECH not in "".join(db_session.exec(select(OutboxMessage.body)).all())


def test_the_councils_time_applies_to_concerns_raised_after_it_changes(
    db_session: Session, settings: Settings, demo: Demo, sam: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    on(monkeypatch, MONDAY)
    morgan = demo("Morgan Price")
    before = last_event_id(db_session)
    complaints.set_answer_days(db_session, Actor.command(morgan), morgan, 5)
    assert [e.action for e in events_since(db_session, before)] == ["concern_time.changed"]
    assert raise_one(db_session, settings, demo, sam).due_on == date(2026, 12, 14)
    with pytest.raises(ContentProblem) as problem:
        complaints.set_answer_days(db_session, Actor.command(morgan), morgan, 0)
    assert problem.value.errors == {"answer_days": "Enter a number of working days from 1 to 60"}
    priya = demo("Priya Shah")
    with pytest.raises(Refused) as refused:
        complaints.set_answer_days(db_session, Actor.command(priya), priya, 20)
    assert refused.value.status_code == 403


def test_priya_answers_once_and_alex_is_told(
    db_session: Session, settings: Settings, demo: Demo, sam: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    on(monkeypatch, MONDAY)
    concern = raise_one(db_session, settings, demo, sam)
    priya = demo("Priya Shah")
    access = access_for(db_session, priya, sam)
    with pytest.raises(ContentProblem) as problem:
        concerns.answer(
            db_session, settings, Actor.command(priya), access, concern, concerns.Words(words=" ")
        )
    assert problem.value.errors == {"words": "Enter your answer"}
    before = last_event_id(db_session)
    words = concerns.Words(
        words="The therapist was ill; sessions restart on Monday, with two extra to catch up."
    )
    concerns.answer(db_session, settings, Actor.command(priya), access, concern, words)
    assert concern.status is ConcernStatus.ANSWERED
    assert concern.answered_by_id == priya.id
    assert [e.action for e in events_since(db_session, before)] == ["concern.answered"]
    told = db_session.exec(
        select(OutboxMessage.recipient).where(col(OutboxMessage.subject).contains("answered"))
    ).all()
    assert told == [demo("Alex Taylor").email]
    with pytest.raises(Refused) as again:
        concerns.answer(db_session, settings, Actor.command(priya), access, concern, words)
    assert (again.value.status_code, again.value.detail) == (409, "This concern has been answered already.")


def test_only_the_family_raises_only_the_setting_answers_and_other_agencies_see_none(
    db_session: Session, settings: Settings, demo: Demo, sam: Plan
) -> None:
    priya, alex, aisha, sam_himself = (
        demo(n) for n in ("Priya Shah", "Alex Taylor", "Dr Aisha Khan", "Sam Taylor")
    )
    new = concerns.NewConcern(about=ConcernAbout.DELIVERY, words=SPEECH)
    for who in (priya, sam_himself):  # Sam is 9: his parents hold the rights
        with pytest.raises(Refused) as refused:
            concerns.raise_concern(
                db_session, settings, Actor.command(who), access_for(db_session, who, sam), new
            )
        assert refused.value.status_code == 403
        assert refused.value.detail.startswith("The family on the plan raises a concern")
    concern = raise_one(db_session, settings, demo, sam)
    with pytest.raises(Refused) as refused:
        concerns.answer(
            db_session,
            settings,
            Actor.command(alex),
            access_for(db_session, alex, sam),
            concern,
            concerns.Words(words="Fine"),
        )
    assert (refused.value.status_code, refused.value.detail) == (
        403,
        "The setting's staff on the plan answer a concern.",
    )
    with pytest.raises(Refused) as absent:
        concerns.read_concerns(db_session, Actor.command(aisha), access_for(db_session, aisha, sam))
    assert absent.value.status_code == 404


def test_a_concern_is_about_a_part_of_this_plan(
    db_session: Session, settings: Settings, demo: Demo, sam: Plan
) -> None:
    alex = demo("Alex Taylor")
    access = access_for(db_session, alex, sam)
    for new, field in (
        (concerns.NewConcern(about=ConcernAbout.SECTION, section=Section.J, words=SPEECH), "section"),
        (concerns.NewConcern(about=ConcernAbout.ITEM, item_id=2_000_000, words=SPEECH), "item_id"),
        (concerns.NewConcern(about=ConcernAbout.DELIVERY, words="  "), "words"),
    ):
        with pytest.raises(ContentProblem) as problem:
            concerns.raise_concern(db_session, settings, Actor.command(alex), access, new)
        assert list(problem.value.errors) == [field]
    fine = concerns.NewConcern(about=ConcernAbout.SECTION, section=Section.F, words=SPEECH)
    assert (
        concerns.raise_concern(db_session, settings, Actor.command(alex), access, fine).section is Section.F
    )


def test_a_complaint_only_once_the_answer_is_late(
    db_session: Session, settings: Settings, demo: Demo, sam: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    on(monkeypatch, MONDAY)
    concern = raise_one(db_session, settings, demo, sam)
    alex = demo("Alex Taylor")
    access = access_for(db_session, alex, sam)
    why = concerns.Words(words="Nobody has answered us.")
    on(monkeypatch, date(2026, 12, 21))  # the last day the setting has
    with pytest.raises(Refused) as early:
        complaints.escalate(db_session, settings, Actor.command(alex), access, concern, why)
    assert early.value.status_code == 409
    assert early.value.detail.startswith("The setting has until 21 December to answer.")
    on(monkeypatch, date(2026, 12, 22))
    before = last_event_id(db_session)
    complaint = complaints.escalate(db_session, settings, Actor.command(alex), access, concern, why)
    assert [e.action for e in events_since(db_session, before)] == ["complaint.made"]
    assert (complaint.stage, complaint.made_on, complaint.handler_id) == (
        ComplaintStage.STAGE_ONE,
        date(2026, 12, 22),
        None,
    )
    assert concern.status is ConcernStatus.ESCALATED
    told = db_session.exec(
        select(OutboxMessage.recipient).where(col(OutboxMessage.subject).contains("A complaint"))
    ).all()
    assert told == [demo("Morgan Price").email], "the council's case officers are told; nobody else"
    with pytest.raises(Refused) as twice:
        complaints.escalate(db_session, settings, Actor.command(alex), access, concern, why)
    assert twice.value.detail == "This concern is already a complaint."


def test_a_complaint_when_the_family_says_the_answer_does_not_resolve_it(
    db_session: Session, settings: Settings, demo: Demo, sam: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    on(monkeypatch, MONDAY)
    concern = raise_one(db_session, settings, demo, sam)
    priya, alex = demo("Priya Shah"), demo("Alex Taylor")
    concerns.answer(
        db_session,
        settings,
        Actor.command(priya),
        access_for(db_session, priya, sam),
        concern,
        concerns.Words(words="Soon."),
    )
    access = access_for(db_session, alex, sam)
    why = concerns.Words(words="Soon is not a date.")
    with pytest.raises(Refused) as first:
        complaints.escalate(db_session, settings, Actor.command(alex), access, concern, why)
    assert first.value.detail == "Tell the setting whether its answer resolves your concern first."
    concerns.say_outcome(db_session, Actor.command(alex), access, concern, ConcernOutcome.RESOLVED)
    with pytest.raises(Refused) as resolved:
        complaints.escalate(db_session, settings, Actor.command(alex), access, concern, why)
    assert resolved.value.detail == "You said the setting's answer resolves your concern."
    concerns.say_outcome(db_session, Actor.command(alex), access, concern, ConcernOutcome.NOT_RESOLVED)
    assert (
        complaints.escalate(db_session, settings, Actor.command(alex), access, concern, why).concern_id
        == concern.id
    )


def test_the_council_handles_the_complaint_and_its_auditor_only_reads(
    db_session: Session, settings: Settings, demo: Demo, sam: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    on(monkeypatch, MONDAY)
    concern = raise_one(db_session, settings, demo, sam)
    alex = demo("Alex Taylor")
    on(monkeypatch, date(2027, 1, 4))
    complaint = complaints.escalate(
        db_session,
        settings,
        Actor.command(alex),
        access_for(db_session, alex, sam),
        concern,
        concerns.Words(words="Late."),
    )
    morgan, rita, priya = demo("Morgan Price"), demo("Rita Okafor"), demo("Priya Shah")
    listed = complaints.council_complaints(db_session, Actor.command(rita), rita)
    assert [row.complaint.id for row in listed.rows][:1] == [complaint.id]
    row = complaints.council_complaint(db_session, rita, id_of_complaint := complaint.id or 0).rows[0]
    with pytest.raises(Refused) as auditor:
        complaints.handle(
            db_session, Actor.command(rita), rita, row, complaints.Handling(stage=ComplaintStage.STAGE_ONE)
        )
    assert auditor.value.status_code == 403
    with pytest.raises(Refused) as setting:
        complaints.council_complaint(db_session, priya, id_of_complaint)
    assert setting.value.status_code == 404
    before = last_event_id(db_session)
    complaints.handle(
        db_session, Actor.command(morgan), morgan, row, complaints.Handling(stage=ComplaintStage.STAGE_ONE)
    )
    assert (complaint.handler_id, complaint.taken_on) == (morgan.id, date(2027, 1, 4))
    with pytest.raises(ContentProblem) as unchanged:
        complaints.handle(
            db_session,
            Actor.command(morgan),
            morgan,
            row,
            complaints.Handling(stage=ComplaintStage.STAGE_ONE),
        )
    assert unchanged.value.errors == {"stage": "Choose another stage, or enter the council's answer"}
    with pytest.raises(ContentProblem):
        complaints.handle(
            db_session, Actor.command(morgan), morgan, row, complaints.Handling(stage=ComplaintStage.CLOSED)
        )
    answer = complaints.Handling(
        stage=ComplaintStage.CLOSED, answer="Sessions restarted; the school will report monthly."
    )
    complaints.handle(db_session, Actor.command(morgan), morgan, row, answer)
    assert (complaint.stage, complaint.answered_on, complaint.closed_on) == (
        ComplaintStage.CLOSED,
        date(2027, 1, 4),
        date(2027, 1, 4),
    )
    assert [e.action for e in events_since(db_session, before)] == [
        "complaint.taken_on",
        "complaint.answered",
    ]


def test_no_concern_is_raised_on_a_plan_that_has_ended(
    db_session: Session, settings: Settings, demo: Demo, sam: Plan
) -> None:
    sam.status = PlanStatus.CEASED
    db_session.add(sam)
    db_session.flush()
    with pytest.raises(Refused) as ended:
        raise_one(db_session, settings, demo, sam)
    assert (ended.value.status_code, ended.value.detail) == (
        409,
        "This plan has ended: concerns about it go to the council.",
    )
