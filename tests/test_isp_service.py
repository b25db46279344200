"""The Individual Support Plan's rules: the same plan row becomes an ISP and keeps everything; one live
plan for SEN Support and ISP together; layers in any order, each with its reason; the council's words."""

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.errors import Refused
from app.models import (
    AuditEvent,
    Child,
    MemberRole,
    Organisation,
    PersonRole,
    Plan,
    PlanKind,
    PlanReview,
    SupportLayer,
)
from app.models.base import id_of
from app.services.plans import lifecycle, members, progress, support, words
from app.services.plans.plans import NewPlan, PlanAlreadyLive, PlanProblem, create_plan
from app.services.timelines import timelines
from app.services.timelines.reading import Timeline
from tests.factories import make_person
from tests.plan_factories import access_for, add_items, coordinator_of, make_bare_plan, make_plan

SOON = uk_today() + timedelta(days=40)


def _isp(db: Session, plan: Plan) -> support.NewIsp:
    return support.NewIsp(
        layer=SupportLayer.TARGETED,
        reason="Needs met in class",
        duty_holder_id=id_of(coordinator_of(db, plan)),
        next_review_on=SOON,
    )


def test_the_same_plan_becomes_an_isp_and_keeps_its_items_and_id(db_session: Session) -> None:
    plan = make_bare_plan(db_session, PlanKind.SEN_SUPPORT)
    written = add_items(db_session, plan, 3)
    senco = coordinator_of(db_session, plan)
    support.convert_to_isp(
        db_session, Actor.command(senco), access_for(db_session, senco, plan), _isp(db_session, plan)
    )
    db_session.refresh(plan)
    assert (plan.kind, plan.support_layer, plan.next_review_on) == (PlanKind.ISP, SupportLayer.TARGETED, SOON)
    assert all(item.plan_id == plan.id for item in written)
    [event] = db_session.exec(select(AuditEvent).where(AuditEvent.action == "plan.kind_changed")).all()
    assert (event.plan_id, event.details["from"], event.details["to"]) == (plan.id, "sen_support", "isp")
    assert event.reason_digest is not None  # the reason typed is kept beside the chain


def test_a_child_has_one_live_sen_support_plan_or_isp(db_session: Session) -> None:
    plan = make_bare_plan(db_session, PlanKind.ISP)
    senco = coordinator_of(db_session, plan)
    child = db_session.get(Child, plan.child_id)
    assert child is not None
    again = NewPlan(
        kind=PlanKind.SEN_SUPPORT,
        child_full_name=child.full_name,
        child_date_of_birth=child.date_of_birth,
        child_school_year=child.school_year,
    )
    with pytest.raises(PlanAlreadyLive) as refused:
        create_plan(db_session, Actor.command(senco), again)
    assert "already has a live Individual Support Plan" in str(refused.value)
    with pytest.raises(PlanProblem):
        create_plan(db_session, Actor.command(senco), again.model_copy(update={"kind": PlanKind.ISP}))


def test_layers_change_in_any_order_with_a_reason_each(db_session: Session) -> None:
    plan = make_bare_plan(db_session, PlanKind.ISP)
    senco = coordinator_of(db_session, plan)
    access = access_for(db_session, senco, plan)
    for layer in (SupportLayer.SPECIALIST, SupportLayer.TARGETED, SupportLayer.TARGETED_PLUS):
        support.change_layer(
            db_session, Actor.command(senco), access, support.LayerMove(layer=layer, reason=f"to {layer}")
        )
    with pytest.raises(PlanProblem):
        support.change_layer(
            db_session,
            Actor.command(senco),
            access,
            support.LayerMove(layer=SupportLayer.TARGETED_PLUS, reason="x"),
        )
    history = support.layer_history(db_session, id_of(plan))
    assert [(step.previous_layer, step.layer) for step in history] == [
        (None, SupportLayer.TARGETED),
        (SupportLayer.TARGETED, SupportLayer.SPECIALIST),
        (SupportLayer.SPECIALIST, SupportLayer.TARGETED),
        (SupportLayer.TARGETED, SupportLayer.TARGETED_PLUS),
    ]
    assert plan.support_layer is SupportLayer.TARGETED_PLUS


def test_only_the_coordinator_changes_the_kind_or_layer(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    teacher = people[MemberRole.EDUCATION]
    with pytest.raises(Refused) as refused:
        support.convert_to_isp(
            db_session, Actor.command(teacher), access_for(db_session, teacher, plan), _isp(db_session, plan)
        )
    assert refused.value.status_code == 403
    ehc, _people = make_plan(db_session, PlanKind.EHC)
    officer = coordinator_of(db_session, ehc)
    with pytest.raises(Refused) as not_sen_support:
        support.convert_to_isp(
            db_session,
            Actor.command(officer),
            access_for(db_session, officer, ehc),
            _isp(db_session, plan).model_copy(update={"duty_holder_id": id_of(officer)}),
        )
    assert not_sen_support.value.status_code == 409


def test_the_duty_holder_is_staff_on_the_plan_and_stays_until_replaced(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco = coordinator_of(db_session, plan)
    access = access_for(db_session, senco, plan)
    parent = people[MemberRole.PARENT_CARER]
    with pytest.raises(PlanProblem) as not_staff:
        support.convert_to_isp(
            db_session,
            Actor.command(senco),
            access,
            _isp(db_session, plan).model_copy(update={"duty_holder_id": parent.id}),
        )
    assert not_staff.value.field == "duty_holder_id"
    teacher = people[MemberRole.EDUCATION]
    new = _isp(db_session, plan).model_copy(update={"duty_holder_id": id_of(teacher)})
    support.convert_to_isp(db_session, Actor.command(senco), access, new)
    teacher_member = next(m.member for m in members.members(db_session, access) if m.person.id == teacher.id)
    with pytest.raises(PlanProblem):
        members.remove_member(
            db_session,
            Actor.command(senco),
            access,
            teacher_member,
            members.Removal(reason="Left the school"),
        )


def test_the_isps_agreed_review_date_is_its_next_review(db_session: Session) -> None:
    plan = make_bare_plan(db_session, PlanKind.ISP)
    senco = coordinator_of(db_session, plan)
    access = access_for(db_session, senco, plan)
    agreed = support.IspDetails(duty_holder_id=id_of(senco), next_review_on=SOON)
    support.change_details(db_session, Actor.command(senco), access, agreed)
    timeline = timelines.plan_panel(db_session, access)["timeline"]
    assert isinstance(timeline, Timeline)
    assert [entry.due_on for entry in timeline.entries if entry.key.startswith("review")] == [SOON]


def test_a_councils_words_name_the_isp_and_its_layers(db_session: Session) -> None:
    plan = make_bare_plan(db_session, PlanKind.ISP)
    council = db_session.get(Organisation, plan.local_authority_id)
    assert council is not None
    assert words.words_for_plan(db_session, plan) == words.DEFAULT_WORDS
    admin = make_person(db_session, PersonRole.ADMINISTRATOR, password=None)
    new = words.NewWords(
        plan_name="Support Passport", targeted="Green", targeted_plus="Amber", specialist="Red"
    )
    words.change_words(db_session, Actor.command(admin), id_of(council), new)
    mine = words.words_for_plan(db_session, plan)
    assert (mine.kind_name(PlanKind.ISP), mine.layer_name(SupportLayer.TARGETED_PLUS)) == (
        "Support Passport",
        "Amber",
    )
    assert mine.kind_name(PlanKind.EHC) == "EHC plan"
    senco = coordinator_of(db_session, plan)
    with pytest.raises(PermissionError):
        words.change_words(db_session, Actor.command(senco), id_of(council), new)
    [event] = db_session.exec(select(AuditEvent).where(AuditEvent.action == "plan_words.changed")).all()
    assert event.details["before"]["plan_name"] == "Individual Support Plan"


def test_a_review_of_an_isp_keeps_a_version_as_sen_support_does(db_session: Session) -> None:
    plan = make_bare_plan(db_session, PlanKind.ISP)
    senco = coordinator_of(db_session, plan)
    review = lifecycle.NewReview(
        held_on=uk_today(), participants="Family, school", what_worked="Groups", what_changes="More"
    )
    actor, access = Actor.command(senco), access_for(db_session, senco, plan)
    recorded = lifecycle.record_review(db_session, actor, access, review)
    assert plan.version == 1  # the version is kept when the review is finished (plans.progress)
    progress.finish_review(db_session, actor, access, recorded)
    assert plan.version == 2
    assert db_session.exec(select(PlanReview).where(col(PlanReview.plan_id) == plan.id)).one()
