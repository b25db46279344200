"""Plan quality: the golden thread rules, the report on the plan page and by API, the live checks,
issuing with unquantified provision, differences of opinion, and the local authority's figures."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.errors import Refused
from app.models import (
    AreaOfNeed,
    AuditEvent,
    AuditReason,
    Child,
    IssueReason,
    Item,
    MemberRole,
    Person,
    Plan,
    PlanKind,
    PlanStatus,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
)
from app.services.plans import items, lifecycle, links
from app.services.plans.content import plan_items
from app.services.quality import differences
from app.services.quality.report import (
    NEED_NO_OUTCOME,
    NEED_NO_PROVISION,
    OUTCOME_NO_NEED,
    OUTCOME_NO_PROVISION,
    OUTCOME_NO_VIEW,
    PROVISION_NO_OUTCOME,
    QualityReport,
    plan_quality,
)
from tests.page_checks import check_page, whole_plan
from tests.plan_factories import access_for, coordinator_of, events_since, last_event_id, make_plan
from tests.test_plan_pages import text_of

Lookup = Callable[[str], Person]
QUANTIFIED = {
    "amount": 2,
    "unit": ProvisionUnit.SESSIONS,
    "frequency": ProvisionFrequency.WEEK,
    "delivered_by": "Speech and language therapist",
}


def write(
    db: Session, plan: Plan, author: Person, section: Section, text: str, **particulars: object
) -> Item:
    if section in {Section.B, Section.C, Section.D}:
        particulars.setdefault("area_of_need", AreaOfNeed.COMMUNICATION_AND_INTERACTION)
    new = items.NewItem(section=section, text=text, **particulars)  # type: ignore[arg-type]
    return items.add_item(db, Actor.command(author), access_for(db, author, plan), new)


def link(db: Session, plan: Plan, person: Person, item: Item, answers: Item) -> None:
    links.add_link(db, Actor.command(person), access_for(db, person, plan), item, answers.id or 0)


def report_of(db: Session, plan: Plan, person: Person) -> QualityReport:
    return plan_quality(db, Actor.command(person), access_for(db, person, plan))


def breaks_of(report: QualityReport, item: Item) -> list[str]:
    return report.items[item.id or 0].breaks


# The golden thread ---------------------------------------------------------------------------------------


def test_a_plan_tied_in_throughout_has_an_unbroken_thread(db_session: Session) -> None:
    plan, people = make_plan(db_session)
    senco = coordinator_of(db_session, plan)
    view = write(db_session, plan, people[MemberRole.CHILD], Section.A, "Noise hurts my ears.")
    need = write(db_session, plan, senco, Section.B, "Finds spoken instructions hard")
    outcome = write(db_session, plan, senco, Section.E, "Follows a three-step instruction")
    provision = write(db_session, plan, senco, Section.F, "Language group, 30 minutes", **QUANTIFIED)
    link(db_session, plan, senco, outcome, need)
    link(db_session, plan, senco, outcome, view)
    link(db_session, plan, senco, provision, outcome)
    report = report_of(db_session, plan, senco)
    assert report.thread_unbroken
    assert report.all_clear
    [thread] = report.threads
    assert (thread.outcome_ids, thread.provision_ids, thread.breaks) == ([outcome.id], [provision.id], [])


def test_each_break_of_the_thread_is_named_where_it_happens(db_session: Session) -> None:
    plan, people = make_plan(db_session)
    senco = coordinator_of(db_session, plan)
    write(db_session, plan, people[MemberRole.PARENT_CARER], Section.A, "He needs a quiet place.")
    need = write(db_session, plan, senco, Section.B, "Finds reading comprehension hard")
    outcome = write(db_session, plan, senco, Section.E, "Answers questions about a text")
    provision = write(db_session, plan, senco, Section.F, "Reading group", **QUANTIFIED)
    report = report_of(db_session, plan, senco)
    assert breaks_of(report, need) == [NEED_NO_OUTCOME, NEED_NO_PROVISION]
    assert breaks_of(report, outcome) == [OUTCOME_NO_NEED, OUTCOME_NO_PROVISION, OUTCOME_NO_VIEW]
    assert breaks_of(report, provision) == [PROVISION_NO_OUTCOME]
    assert not report.thread_unbroken
    assert report.breaks == 6


def test_a_need_with_an_outcome_but_no_provision_says_so(db_session: Session) -> None:
    plan, _people = make_plan(db_session)
    senco = coordinator_of(db_session, plan)
    need = write(db_session, plan, senco, Section.B, "Finds spoken instructions hard")
    outcome = write(db_session, plan, senco, Section.E, "Follows a three-step instruction")
    link(db_session, plan, senco, outcome, need)
    report = report_of(db_session, plan, senco)
    assert breaks_of(report, need) == [NEED_NO_PROVISION]
    assert breaks_of(report, outcome) == [OUTCOME_NO_PROVISION]  # no views on the plan: none asked for


def test_a_need_answered_only_by_health_provision_is_answered(db_session: Session) -> None:
    plan, people = make_plan(db_session)
    senco, nurse = coordinator_of(db_session, plan), people[MemberRole.HEALTH]
    need = write(db_session, plan, nurse, Section.C, "Sensory processing differences")
    outcome = write(db_session, plan, senco, Section.E, "Eats lunch calmly")
    therapy = write(
        db_session,
        plan,
        nurse,
        Section.G,
        "Occupational therapy review",
        **QUANTIFIED | {"delivered_by": "Occupational therapist"},
    )
    link(db_session, plan, senco, outcome, need)
    link(db_session, plan, nurse, therapy, outcome)
    report = report_of(db_session, plan, senco)
    assert report.thread_unbroken
    assert report.threads[0].provision_ids == [therapy.id]


def test_provision_answering_a_need_directly_still_needs_an_outcome_to_serve(db_session: Session) -> None:
    plan, _people = make_plan(db_session)
    senco = coordinator_of(db_session, plan)
    need = write(db_session, plan, senco, Section.B, "Finds spoken instructions hard")
    provision = write(db_session, plan, senco, Section.F, "Visual prompts", **QUANTIFIED)
    link(db_session, plan, senco, provision, need)
    report = report_of(db_session, plan, senco)
    assert breaks_of(report, need) == [NEED_NO_OUTCOME]  # it has provision, reached directly
    assert breaks_of(report, provision) == [PROVISION_NO_OUTCOME]


def test_one_provision_serving_several_outcomes_ties_in_every_one(db_session: Session) -> None:
    plan, _people = make_plan(db_session)
    senco = coordinator_of(db_session, plan)
    needs = [write(db_session, plan, senco, Section.B, f"Need {n}") for n in (1, 2)]
    outcomes = [write(db_session, plan, senco, Section.E, f"Outcome {n}") for n in (1, 2)]
    provision = write(db_session, plan, senco, Section.F, "A visual timetable", **QUANTIFIED)
    for need, outcome in zip(needs, outcomes, strict=True):
        link(db_session, plan, senco, outcome, need)
        link(db_session, plan, senco, provision, outcome)
    report = report_of(db_session, plan, senco)
    assert report.thread_unbroken
    assert [thread.provision_ids for thread in report.threads] == [[provision.id], [provision.id]]


def test_a_view_answered_through_the_need_counts_for_the_outcome(db_session: Session) -> None:
    plan, people = make_plan(db_session)
    senco = coordinator_of(db_session, plan)
    view = write(db_session, plan, people[MemberRole.CHILD], Section.A, "Noise hurts my ears.")
    need = write(db_session, plan, senco, Section.B, "Finds noise hard")
    outcome = write(db_session, plan, senco, Section.E, "Eats lunch calmly")
    provision = write(db_session, plan, senco, Section.F, "Quiet room", **QUANTIFIED)
    link(db_session, plan, senco, need, view)
    link(db_session, plan, senco, outcome, need)
    link(db_session, plan, senco, provision, outcome)
    assert report_of(db_session, plan, senco).thread_unbroken


def test_a_removed_link_breaks_the_thread_again(db_session: Session) -> None:
    plan, _people = make_plan(db_session)
    senco = coordinator_of(db_session, plan)
    need = write(db_session, plan, senco, Section.B, "Need")
    outcome = write(db_session, plan, senco, Section.E, "Outcome")
    provision = write(db_session, plan, senco, Section.F, "Provision", **QUANTIFIED)
    link(db_session, plan, senco, outcome, need)
    link(db_session, plan, senco, provision, outcome)
    assert report_of(db_session, plan, senco).thread_unbroken
    access = access_for(db_session, senco, plan)
    standing = [
        found for found in links.plan_links(db_session, plan.id or 0) if found.item_id == provision.id
    ]
    links.remove_link(db_session, Actor.command(senco), access, standing[0])
    assert breaks_of(report_of(db_session, plan, senco), need) == [NEED_NO_PROVISION]


def test_the_report_is_audited_as_one_read(db_session: Session) -> None:
    plan, _people = make_plan(db_session)
    senco = coordinator_of(db_session, plan)
    mark = last_event_id(db_session)
    report_of(db_session, plan, senco)
    [event] = events_since(db_session, mark)
    assert (event.action, event.actor_id, event.plan_id) == ("plan.quality_read", senco.id, plan.id)


# Issuing an EHC plan with unquantified provision ---------------------------------------------------------


def ehc_plan_with_unquantified_provision(db: Session) -> tuple[Plan, Person]:
    plan, _people = make_plan(db, PlanKind.EHC)
    officer = coordinator_of(db, plan)
    write(db, plan, officer, Section.F, "Access to a quiet space when appropriate")
    access = access_for(db, officer, plan)
    lifecycle.take_step(
        db, Actor.command(officer), access, lifecycle.StepRequest(step=lifecycle.Step.SEND_FOR_CONSULTATION)
    )
    plan.consultation_ends_on = uk_today() - timedelta(days=1)
    db.add(plan)
    db.flush()
    return plan, officer


def test_an_ehc_plan_with_unquantified_provision_is_not_issued_without_a_reason(db_session: Session) -> None:
    plan, officer = ehc_plan_with_unquantified_provision(db_session)
    request = lifecycle.StepRequest(step=lifecycle.Step.ISSUE)
    with pytest.raises(Refused) as refused:
        lifecycle.take_step(
            db_session, Actor.command(officer), access_for(db_session, officer, plan), request
        )
    assert refused.value.status_code == 409
    assert "1 provision does not say how much and how often" in refused.value.detail
    assert plan.status is PlanStatus.CONSULTATION


def test_with_a_reason_it_is_issued_and_the_reason_is_kept_and_audited(db_session: Session) -> None:
    plan, officer = ehc_plan_with_unquantified_provision(db_session)
    mark = last_event_id(db_session)
    why = "The therapy service sets the hours after its assessment in January."
    request = lifecycle.StepRequest(step=lifecycle.Step.ISSUE, reason=why)
    lifecycle.take_step(db_session, Actor.command(officer), access_for(db_session, officer, plan), request)
    assert plan.status is PlanStatus.ISSUED
    [kept] = db_session.exec(select(IssueReason).where(IssueReason.plan_id == plan.id)).all()
    assert (kept.reason, kept.unquantified, kept.recorded_by_id) == (why, 1, officer.id)
    [issued] = [event for event in events_since(db_session, mark) if event.action == "plan.issue"]
    typed = db_session.get(AuditReason, issued.id)
    assert (issued.reason, typed.words if typed else None) == (None, why)
    assert issued.details["unquantified_provision"] == 1


def test_the_issue_page_asks_for_the_reason_and_the_plan_shows_it(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    plan, officer = ehc_plan_with_unquantified_provision(db_session)
    csrf = sign_in_as(officer)
    stage = f"/plans/{plan.id}/stage"
    page = client.get(stage)
    assert "not say how much and how often" in page.text
    assert 'name="reason"' in page.text
    refused = client.post(stage, data={"step": "issue", "csrf_token": csrf})
    assert refused.status_code == 200  # on the same page, beside the reason it asks for
    check_page(refused.text)
    assert 'href="#issue-reason">' in refused.text
    assert 'id="issue-reason-error"' in refused.text
    why = "Hours to follow the therapy assessment."
    done = client.post(stage, data={"step": "issue", "reason": why, "csrf_token": csrf})
    assert done.status_code == 200
    assert "not quantified" in client.get(f"/plans/{plan.id}").text  # in brief on the plan page
    checks = client.get(f"/plans/{plan.id}/quality")
    check_page(checks.text)
    assert why in checks.text
    assert "not quantified" in checks.text


# Differences of opinion ------------------------------------------------------------------------------------


def test_a_difference_of_opinion_is_kept_beside_its_item_with_each_view(db_session: Session) -> None:
    plan, people = make_plan(db_session)
    senco, parent = coordinator_of(db_session, plan), people[MemberRole.PARENT_CARER]
    provision = write(db_session, plan, senco, Section.F, "Reading group, 3 sessions a week", **QUANTIFIED)
    mark = last_event_id(db_session)
    new = differences.NewDifference(
        about="How much reading support",
        item_id=provision.id,
        views=[
            differences.NewView(holder_id=parent.id, view="He needs it every day."),
            differences.NewView(holder_name="Class teacher", view="Three times a week is enough."),
        ],
    )
    difference = differences.record_difference(
        db_session, Actor.command(parent), access_for(db_session, parent, plan), new
    )
    assert difference.section is Section.F
    [event] = events_since(db_session, mark)
    assert (event.action, event.details["views"]) == ("difference.recorded", 2)
    [record] = differences.differences(db_session, plan.id or 0)
    assert [(view.holder_name, view.view) for view in record.views] == [
        (parent.display_name, "He needs it every day."),
        ("Class teacher", "Three times a week is enough."),
    ]


def test_a_difference_needs_a_part_of_the_plan_and_each_holder(db_session: Session) -> None:
    plan, _people = make_plan(db_session)
    senco = coordinator_of(db_session, plan)
    new = differences.NewDifference(
        about="Placement", views=[differences.NewView(view="One"), differences.NewView(view="Two")]
    )
    with pytest.raises(items.ContentProblem) as problem:
        differences.record_difference(
            db_session, Actor.command(senco), access_for(db_session, senco, plan), new
        )
    assert set(problem.value.errors) == {"section", "views-1-holder_id", "views-2-holder_id"}


# Pages, live checks and the API ----------------------------------------------------------------------------


def sams_plan(db: Session, demo: Lookup) -> Plan:
    plan = db.exec(select(Plan).join(Child).where(col(Child.person_id) == demo("Sam Taylor").id)).one()
    return plan


def test_the_demo_leaves_one_vague_provision_and_one_need_without_provision(
    db_session: Session, demo: Lookup
) -> None:
    priya = demo("Priya Shah")
    report = report_of(db_session, sams_plan(db_session, demo), priya)
    [broken] = [thread for thread in report.threads if thread.breaks]
    assert NEED_NO_PROVISION in broken.breaks
    assert len(report.unspecific) == 1
    assert report.breaks == 2  # the reading need: no outcome and no provision


def test_the_family_sees_the_checks_on_the_plan_page(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: Callable[[Person], str]
) -> None:
    sign_in_as(demo("Alex Taylor"))
    page = client.get(f"/plans/{sams_plan(db_session, demo).id}")
    assert page.status_code == 200
    check_page(page.text)
    assert "Plan quality checks" in page.text
    assert (
        "Is each need joined up to what should come of it and the help to get there? Not yet: in 2 places"
        in (text_of(page.text))
    )
    assert "Golden thread" not in page.text
    checks = client.get(f"/plans/{sams_plan(db_session, demo).id}/quality")
    check_page(checks.text)
    assert "This need has no provision yet" in checks.text
    assert "Vague wording: “access to”" in checks.text
    # Beside the items themselves, on their sections' pages.
    whole = whole_plan(client, sams_plan(db_session, demo).id)
    assert "This need has no provision yet" in whole
    assert "Vague wording: “access to”" in whole


def test_the_live_check_flags_vague_words_and_clears_for_specific_ones(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: Callable[[Person], str]
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    check = f"/plans/{sams_plan(db_session, demo).id}/quality/check"
    mark = last_event_id(db_session)
    vague = client.post(check, data={"text": "access to a quiet space when appropriate", "csrf_token": csrf})
    assert vague.status_code == 200
    assert "Vague wording: “access to”" in vague.text
    assert "Say what the child will get" in vague.text
    specific = client.post(
        check,
        data={"text": "a quiet room, 15 minutes, twice a day, with a teaching assistant", "csrf_token": csrf},
    )
    assert "Vague wording" not in specific.text
    assert "This provision is specific" in specific.text
    assert events_since(db_session, mark) == []  # nothing saved, nothing of the plan read


def test_the_add_provision_form_carries_the_live_check(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: Callable[[Person], str]
) -> None:
    sign_in_as(demo("Priya Shah"))
    plan = sams_plan(db_session, demo)
    form = client.get(f"/plans/{plan.id}/sections/F/new")
    assert f'hx-post="/plans/{plan.id}/quality/check"' in form.text
    assert "input changed delay:400ms" in form.text


def test_the_api_gives_the_quality_report_and_audits_the_read(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: Callable[[Person], str]
) -> None:
    sign_in_as(demo("Tom Baker"))
    plan = sams_plan(db_session, demo)
    mark = last_event_id(db_session)
    answer = client.get(f"/api/v1/plans/{plan.id}/quality")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["thread_unbroken"], body["breaks"], body["unspecific_provisions"]) == (False, 2, 1)
    assert [event.action for event in events_since(db_session, mark)] == ["plan.quality_read"]


def test_a_difference_is_recorded_on_its_page_and_shown_on_the_plan(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: Callable[[Person], str]
) -> None:
    alex = demo("Alex Taylor")
    csrf = sign_in_as(alex)
    plan = sams_plan(db_session, demo)
    page = client.get(f"/plans/{plan.id}/differences/new")
    check_page(page.text)
    empty = client.post(f"/plans/{plan.id}/differences", data={"csrf_token": csrf})
    assert empty.status_code == 200
    assert "Enter what the difference of opinion is about" in empty.text
    done = client.post(
        f"/plans/{plan.id}/differences",
        data={
            "csrf_token": csrf,
            "about": "Whether Sam needs help at lunch every day",
            "part": "section:F",
            "views-1-holder_id": str(alex.id),
            "views-1-view": "Every day, or he does not eat.",
            "views-2-holder_name": "Tom Baker, class teacher",
            "views-2-view": "Three days a week, then review.",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Differences of opinion" in client.get(f"/plans/{plan.id}").text
    shown = client.get(f"/plans/{plan.id}/quality").text
    assert "Whether Sam needs help at lunch every day" in shown
    assert "Three days a week, then review." in shown
    api = client.get(f"/api/v1/plans/{plan.id}/differences").json()
    assert [view["holder_name"] for view in api[0]["views"]] == ["Alex Taylor", "Tom Baker, class teacher"]


def test_the_la_sees_its_figures_and_they_change_as_provision_is_made_specific(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: Callable[[Person], str]
) -> None:
    sign_in_as(demo("Morgan Price"))
    before = client.get("/api/v1/la/quality").json()
    assert (before["plans"], before["unbroken"], before["vague_provisions"]) == (2, 1, 1)
    assert before["vague_by_agency"] == [{"name": "Northshire Children's Services", "provisions": 1}]
    page = client.get("/la/quality")
    check_page(page.text)
    assert "50% (1 of 2)" in page.text
    jo = demo("Jo Green")
    plan = sams_plan(db_session, demo)
    short_breaks = next(
        entry.item
        for entry in plan_items(db_session, access_for(db_session, jo, plan))
        if entry.item.section is Section.H1
    )
    items.revise(
        db_session,
        Actor.command(jo),
        access_for(db_session, jo, plan),
        short_breaks,
        items.ItemContent(
            text="Short breaks: an after-school club place, 3 hours a week, with a trained play worker.",
            delivered_by="Short breaks team",
        ),
        based_on=short_breaks.revision_number,
        reason="Agreed with Alex: the place and hours are now fixed",  # agreed at the review
    )
    after = client.get("/api/v1/la/quality").json()
    assert after["vague_provisions"] == 0
    assert db_session.exec(select(AuditEvent).where(AuditEvent.action == "la.quality_read")).all()
