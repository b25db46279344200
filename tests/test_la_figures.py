"""The council dashboard's figures come from the plans' own facts, and each links to the plans it counts."""

import html
import re
from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.actor import Actor
from app.clock import uk_today
from app.models import (
    Person,
    Plan,
    PlanKind,
    PlanStatus,
    ReducedTimetable,
)
from app.models.base import id_of, utc_now
from app.models.timeline import StatutoryStep, StepKind
from app.services.timelines import timelines
from app.services.timelines.la_figures import Figure
from tests.page_checks import check_page
from tests.plan_factories import coordinator_of, make_bare_plan
from tests.query_count import counting_queries

SignIn = Callable[[Person], str]
TODAY = uk_today()


def council_with_plans(db: Session) -> tuple[Person, dict[str, Plan]]:
    """One council's officer and a plan in each state: the first plan's officer coordinates them all."""
    first = make_bare_plan(db, PlanKind.EHC)
    officer = coordinator_of(db, first)
    plans = {"draft": first}
    for name in ("consultation", "issued", "under_review", "ceased", "overdue", "timetable", "on_time"):
        plans[name] = make_bare_plan(db, PlanKind.EHC, officer)
    states = {
        "consultation": PlanStatus.CONSULTATION,
        "issued": PlanStatus.ISSUED,
        "under_review": PlanStatus.UNDER_REVIEW,
        "ceased": PlanStatus.CEASED,
        "overdue": PlanStatus.DRAFT,
        "timetable": PlanStatus.ISSUED,
        "on_time": PlanStatus.ISSUED,
    }
    for name, status in states.items():
        plan = plans[name]
        plan.status = status
        if status is PlanStatus.CONSULTATION:
            plan.consultation_ends_on = TODAY + timedelta(days=10)
        if status is PlanStatus.CEASED:
            plan.ceased_at = utc_now()
        db.add(plan)
    # A statutory step past its deadline; a final plan issued in time after a request.
    db.add(
        StatutoryStep(
            plan_id=id_of(plans["overdue"]), kind=StepKind.ISSUE_DECISION, due_on=TODAY - timedelta(days=3)
        )
    )
    db.add(
        StatutoryStep(
            plan_id=id_of(plans["on_time"]),
            kind=StepKind.FINAL_PLAN,
            due_on=TODAY - timedelta(days=10),
            done_on=TODAY - timedelta(days=12),
        )
    )
    # An issued plan's reduced timetable whose review passed with no decision.
    db.add(
        ReducedTimetable(
            plan_id=id_of(plans["timetable"]),
            starts_on=TODAY - timedelta(days=100),
            planned_end_on=TODAY + timedelta(days=30),
            hours_a_week=15,
            reason="Anxiety after the move",
            return_plan="An hour more each fortnight",
            review_on=TODAY - timedelta(days=14),
            recorded_by_id=id_of(officer),
        )
    )
    db.flush()
    return officer, plans


def figure_plans(overview: timelines.LaOverview) -> dict[Figure, set[int]]:
    return {figure: {id_of(plan) for plan in found} for figure, found in overview.figures.items()}


def test_each_figure_counts_the_plans_in_that_state(db_session: Session) -> None:
    officer, plans = council_with_plans(db_session)
    overview = timelines.la_overview(db_session, Actor.command(officer))
    ids = {name: id_of(plan) for name, plan in plans.items()}
    assert figure_plans(overview) == {
        Figure.DRAFT: {ids["draft"], ids["overdue"]},
        Figure.CONSULTATION: {ids["consultation"]},
        Figure.ISSUED: {ids["issued"], ids["timetable"], ids["on_time"]},
        Figure.UNDER_REVIEW: {ids["under_review"]},
        Figure.ENDED: {ids["ceased"]},
        Figure.OVERDUE: {ids["overdue"], ids["timetable"]},
        Figure.FINAL_AFTER_REQUEST: {ids["on_time"]},
        Figure.FINAL_IN_20_WEEKS: {ids["on_time"]},
    }
    # The undecided review of a reduced timetable is overdue, as the plan page warns.
    assert overview.overdue_count == 2
    assert ("Reduced timetable review or end", 1) in overview.overdue_by_kind
    [late] = overview.timetables_overdue
    assert late.due_on == TODAY - timedelta(days=14)


def test_the_dashboard_shows_each_figure_and_links_to_the_plans_it_counts(
    client: TestClient, db_session: Session, sign_in_as: SignIn
) -> None:
    officer, plans = council_with_plans(db_session)
    sign_in_as(officer)
    response = client.get("/la/dashboard")
    assert response.status_code == 200
    check_page(response.text)
    page = response.text
    expected = {
        Figure.DRAFT: 2,
        Figure.CONSULTATION: 1,
        Figure.ISSUED: 3,
        Figure.UNDER_REVIEW: 1,
        Figure.ENDED: 1,
        Figure.OVERDUE: 2,
        Figure.FINAL_IN_20_WEEKS: 1,
    }
    for figure, count in expected.items():
        link = re.search(rf'id="figure-{figure.value}" href="([^"]+)">(\d+)', page)
        assert link is not None, figure
        assert int(link.group(2)) == count, figure
        listed = client.get(link.group(1))
        assert listed.status_code == 200
        check_page(listed.text)
        assert f"<strong>{count}</strong>" in listed.text, figure
        shown = set(re.findall(r'href="/plans/(\d+)/(?:stage|timeline)">OP-', listed.text))
        assert len(shown) == count, figure
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "2 steps are past their deadline, on 2 plans" in text
    assert "100% 1 of 1 plan issued after a request" in text
    assert "a decision at the reduced timetable's review on" in text.lower()
    overdue = client.get("/la/dashboard/plans/overdue").text
    assert plans["timetable"].reference in overdue
    # Each line of "Overdue by kind of step" opens the plans it counts.
    kinds = dict(re.findall(r'href="(/la/dashboard/plans/overdue\?kind=[^"]+)">(\d+)', page))
    assert len(kinds) == 2
    for path, count in kinds.items():
        listed = client.get(html.unescape(path))
        check_page(listed.text)
        assert f"<strong>{count}</strong>" in listed.text
    timetable = client.get("/la/dashboard/plans/overdue", params={"kind": "Reduced timetable review or end"})
    assert set(re.findall(r'href="/plans/(\d+)/timeline"', timetable.text)) == {str(plans["timetable"].id)}
    settings = re.findall(r'href="(/la/dashboard/plans/overdue\?setting=[^"]+)">(\d+)', page)
    assert sum(int(count) for _path, count in settings) == 2
    assert client.get("/la/dashboard/plans/nonsense").status_code == 404


def test_an_issued_plan_without_a_recorded_request_is_not_called_unissued(
    client: TestClient, db_session: Session, sign_in_as: SignIn
) -> None:
    plan = make_bare_plan(db_session, PlanKind.EHC)
    plan.status = PlanStatus.ISSUED
    db_session.add(plan)
    db_session.flush()
    sign_in_as(coordinator_of(db_session, plan))
    text = html.unescape(client.get("/la/dashboard").text)
    assert "No final EHC plan has been issued" not in text
    assert "so the 20 weeks cannot be counted yet" in text
    assert re.search(
        r'id="figure-issued" href="/la/dashboard/plans/issued">1 plan', client.get("/la/dashboard").text
    )


def _queries(client: TestClient, path: str) -> int:
    with counting_queries() as counter:
        assert client.get(path).status_code == 200
    return counter.count


def test_the_dashboard_and_its_lists_cost_the_same_queries_for_few_plans_or_many(
    app: FastAPI, client: TestClient, db_session: Session, sign_in_as: SignIn
) -> None:
    officer, _plans = council_with_plans(db_session)
    sign_in_as(officer)
    paths = ["/la/dashboard", "/la/dashboard/plans/overdue", "/la/dashboard/plans/issued"]
    few = [_queries(client, path) for path in paths]
    _more_officer, _more = council_with_plans_for(db_session, officer)
    assert [_queries(client, path) for path in paths] == few


def council_with_plans_for(db: Session, officer: Person) -> tuple[Person, list[Plan]]:
    """Ten more plans of the same council, overdue and with reduced timetables."""
    made = []
    for _ in range(10):
        plan = make_bare_plan(db, PlanKind.EHC, officer)
        db.add(
            StatutoryStep(plan_id=id_of(plan), kind=StepKind.ISSUE_DECISION, due_on=TODAY - timedelta(days=1))
        )
        db.add(
            ReducedTimetable(
                plan_id=id_of(plan),
                starts_on=TODAY - timedelta(days=50),
                planned_end_on=TODAY - timedelta(days=1),
                hours_a_week=10,
                reason="Illness",
                return_plan="Back after half-term",
                review_on=TODAY - timedelta(days=20),
                recorded_by_id=id_of(officer),
            )
        )
        made.append(plan)
    db.flush()
    return officer, made


def test_the_api_gives_each_figures_plans_and_the_undecided_timetable(
    client: TestClient, db_session: Session, sign_in_as: SignIn
) -> None:
    officer, plans = council_with_plans(db_session)
    sign_in_as(officer)
    body = client.get("/api/v1/la/dashboard").json()
    assert body["figures"]["issued"] == sorted(
        id_of(plans[name]) for name in ("issued", "timetable", "on_time")
    )
    assert body["figures"]["overdue"] == sorted(id_of(plans[name]) for name in ("overdue", "timetable"))
    [late] = body["timetables_overdue"]
    assert (late["plan_id"], late["due_on"]) == (plans["timetable"].id, str(TODAY - timedelta(days=14)))
