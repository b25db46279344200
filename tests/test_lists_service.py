"""Each figure of the school's list and evidence pack, from plans built in each state; the council list's
search and keyset; and every list's queries, the same for 3 plans as for 30."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.actor import Actor
from app.clock import uk_today
from app.config import Settings
from app.models import (
    Child,
    DeliveryRecord,
    DeliveryStatus,
    MemberRole,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanStatus,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
)
from app.models.base import id_of, utc_now
from app.services.delivery.arithmetic import monday_of
from app.services.lists import council, evidence, setting
from app.services.lists.evidence import Mark
from app.services.plans import items, links, members
from app.services.plans.access import plan_access
from tests.factories import make_person
from tests.plan_factories import add_items, designate_senco, make_bare_plan, make_local_authority, make_staff
from tests.query_count import counting_queries

SignIn = Callable[[Person], str]
SPECIFIC = "Reads with a teaching assistant trained in precision teaching, one to one."


def _senco(db: Session) -> Person:
    return designate_senco(db, make_staff(db, PersonRole.EDUCATION, make_local_authority(db)))


def _write(
    db: Session, plan: Plan, author: Person, new: items.NewItem, answers: list[int] | None = None
) -> int:
    actor = Actor.command(author)
    access = plan_access(db, actor, id_of(plan))
    item = items.add_item(db, actor, access, new)
    for answered in answers or []:
        links.add_link(db, actor, access, item, answered)
    return id_of(item)


def _voiced(db: Session, senco: Person) -> Plan:
    """The child's own view, an outcome answering it that answers a need, specific provision serving it."""
    plan = make_bare_plan(db, PlanKind.SEN_SUPPORT, senco)
    child = make_person(db, PersonRole.CHILD, password=None)
    access = plan_access(db, Actor.command(senco), id_of(plan))
    record = db.get(Child, plan.child_id)
    assert record is not None
    record.person_id = child.id
    db.add(record)
    members.enrol(db, Actor.command(senco), access, child, MemberRole.CHILD)
    view = _write(db, plan, child, items.NewItem(section=Section.A, text="I like reading about dinosaurs."))
    need = _write(
        db,
        plan,
        senco,
        items.NewItem(
            section=Section.B, text="Reads two years behind.", area_of_need="cognition_and_learning"
        ),
    )
    outcome = _write(
        db, plan, senco, items.NewItem(section=Section.E, text="Reads a dinosaur book alone."), [need, view]
    )
    _write(
        db,
        plan,
        senco,
        items.NewItem(
            section=Section.F,
            text=SPECIFIC,
            amount=30,
            unit=ProvisionUnit.MINUTES,
            frequency=ProvisionFrequency.DAY,
        ),
        [outcome],
    )
    return plan


def _short(db: Session, senco: Person) -> Plan:
    """Weekly provision logged as missed last week: it fell short, and its delivery is logged."""
    plan = make_bare_plan(db, PlanKind.SEN_SUPPORT, senco)
    provision = _write(
        db,
        plan,
        senco,
        items.NewItem(
            section=Section.F,
            text=SPECIFIC,
            amount=1,
            unit=ProvisionUnit.HOURS,
            frequency=ProvisionFrequency.WEEK,
        ),
    )
    last_week = monday_of(uk_today()) - timedelta(weeks=1)
    for offset in range(5):
        db.add(
            DeliveryRecord(
                plan_id=id_of(plan),
                item_id=provision,
                delivered_on=last_week + timedelta(days=offset),
                status=DeliveryStatus.MISSED,
                reason="Teaching assistant off sick",
                recorded_by_id=id_of(senco),
            )
        )
    db.flush()
    return plan


def _school_with_plans(db: Session) -> tuple[Person, dict[str, Plan]]:
    senco = _senco(db)
    plans = {"fresh": make_bare_plan(db, PlanKind.SEN_SUPPORT, senco)}
    late = make_bare_plan(db, PlanKind.SEN_SUPPORT, senco)
    late.created_at = utc_now() - timedelta(days=200)  # no review with the parents since: one is late
    db.add(late)
    plans["late"] = late
    broken = make_bare_plan(db, PlanKind.SEN_SUPPORT, senco)
    add_items(db, broken, 1)  # a need with no outcome and no provision
    plans["broken"] = broken
    plans["voiced"] = _voiced(db, senco)
    plans["short"] = _short(db, senco)
    ended = make_bare_plan(db, PlanKind.SEN_SUPPORT, senco)
    ended.status = PlanStatus.CLOSED
    db.add(ended)
    db.flush()
    return senco, plans


def test_each_figure_of_the_list_comes_from_the_plan_in_that_state(
    db_session: Session, settings: Settings
) -> None:
    senco, plans = _school_with_plans(db_session)
    make_bare_plan(db_session, PlanKind.SEN_SUPPORT)  # another school's plan
    rows = {
        row.plan.id: row
        for row in setting.setting_rows(db_session, settings, int(senco.organisation_id or 0))
    }
    assert set(rows) == {
        id_of(plan) for name, plan in plans.items() if name != "closed" and plan.status is PlanStatus.ACTIVE
    }
    figures = {
        name: (row.overdue, row.shortfalls, row.quality_flags, row.voice.percent, row.views, row.child_views)
        for name, plan in plans.items()
        if (row := rows.get(id_of(plan))) is not None
    }
    assert figures == {
        "fresh": (0, 0, 0, None, 0, 0),
        "late": (1, 0, 0, None, 0, 0),
        "broken": (0, 0, 2, None, 0, 0),
        "voiced": (0, 0, 0, 100, 1, 1),
        "short": (0, 1, 1, None, 0, 0),  # the provision serves no outcome yet: one flag
    }
    assert rows[id_of(plans["late"])].next_review is not None
    assert rows[id_of(plans["late"])].next_review < uk_today()  # type: ignore[operator]


def test_each_mark_of_the_evidence_pack_counts_the_plans_that_meet_it(
    db_session: Session, settings: Settings
) -> None:
    senco, plans = _school_with_plans(db_session)
    school = db_session.get(Organisation, senco.organisation_id)
    assert school is not None
    pack = evidence.read_evidence_pack(db_session, settings, Actor.command(senco), school)
    counted = {
        mark: {
            name
            for name, plan in plans.items()
            if any(row.plan.id == plan.id for row in pack.figure(mark).plans)
        }
        for mark in Mark
    }
    assert counted == {
        Mark.REVIEWED_ON_TIME: {"fresh", "broken", "voiced", "short"},
        Mark.CHILD_VOICE: {"voiced"},
        Mark.SPECIFIC_PROVISION: {"voiced", "short"},
        Mark.UNBROKEN_THREAD: {"voiced"},
        Mark.DELIVERY_LOGGED: {"short"},
    }
    assert pack.figure(Mark.CHILD_VOICE).percent == 20


def test_the_filters_and_the_order_of_the_list(db_session: Session, settings: Settings) -> None:
    senco, plans = _school_with_plans(db_session)
    school = db_session.get(Organisation, senco.organisation_id)
    assert school is not None
    actor = Actor.command(senco)

    def shown(**values: str) -> list[int]:
        filters = setting.read_filters(values)
        return [
            id_of(row.plan) for row in setting.read_setting_list(db_session, settings, actor, school, filters)
        ]

    assert shown(overdue="1") == [id_of(plans["late"])]
    assert shown(shortfall="1") == [id_of(plans["short"])]
    assert shown(kind="ehc") == []
    assert shown()[0] == id_of(plans["late"])  # the review soonest (already late) first
    assert len(shown(kind="nonsense")) == 5


def test_the_council_list_finds_part_of_a_name_in_any_case_and_keeps_to_its_council(
    db_session: Session,
) -> None:
    plan = make_bare_plan(db_session, PlanKind.SEN_SUPPORT)
    other = make_bare_plan(db_session, PlanKind.SEN_SUPPORT)
    officer = make_person(
        db_session,
        PersonRole.LA_CASE_OFFICER,
        organisation=db_session.get(Organisation, plan.local_authority_id),
        password=None,
    )
    actor = Actor.command(officer)
    page = council.council_page(db_session, actor, plan.local_authority_id, search="robin TEST")
    assert [row.plan_id for row in page.rows] == [id_of(plan)]
    assert council.council_page(db_session, actor, plan.local_authority_id, search=other.reference).rows == []
    assert page.after is None
    assert page.before is None


def _child_with_plan(db: Session, council_id: int, name: str) -> Plan:
    child = Child(
        full_name=name, date_of_birth=date(2015, 1, 1), school_year="Year 6", local_authority_id=council_id
    )
    db.add(child)
    db.flush()
    plan = Plan(
        kind=PlanKind.SEN_SUPPORT,
        child_id=id_of(child),
        local_authority_id=council_id,
        status=PlanStatus.ACTIVE,
    )
    db.add(plan)
    db.flush()
    return plan


def test_the_council_list_finds_the_start_of_any_word_of_a_name_and_a_renamed_child_by_the_new_name(
    db_session: Session,
) -> None:
    councils = [id_of(make_local_authority(db_session)[OrganisationKind.LOCAL_AUTHORITY]) for _ in range(2)]
    zoe = _child_with_plan(db_session, councils[0], "Zoë O'Brien-Lee")
    elsewhere = _child_with_plan(db_session, councils[1], "Zoë O'Brien-Lee")  # another council's child
    actor = Actor.command(make_person(db_session, PersonRole.LA_CASE_OFFICER, password=None))

    def found(search: str, council_id: int = councils[0]) -> list[int]:
        return [
            row.plan_id for row in council.council_page(db_session, actor, council_id, search=search).rows
        ]

    for search in ("zoe", "ZOË", "o'brien", "obri", "lee", "zo lee", "brien"):
        assert found(search) == [id_of(zoe)], search
    assert found("zoe") != found("zoe", councils[1]) == [id_of(elsewhere)]
    for search in ("oe", "rien", "zoe smith", "-", "%"):
        assert found(search) == [], search
    child = db_session.get(Child, zoe.child_id)
    assert child is not None
    child.full_name = "Zoë Hart"
    db_session.add(child)
    db_session.flush()
    assert found("hart") == [id_of(zoe)]
    assert found("brien") == []
    assert [
        row.child_name for row in council.council_page(db_session, actor, councils[0], search="z").rows
    ] == ["Zoë Hart"]


def _queries(client: TestClient, path: str) -> int:
    with counting_queries() as counter:
        assert client.get(path).status_code == 200, path
    return counter.count


def _more_plans(db: Session, senco: Person, count: int) -> None:
    for _ in range(count):
        plan = make_bare_plan(db, PlanKind.SEN_SUPPORT, senco)
        add_items(db, plan, 1)


def test_every_list_costs_the_same_queries_for_3_plans_as_for_30(
    client: TestClient, db_session: Session, sign_in_as: SignIn
) -> None:
    senco = _senco(db_session)
    school = senco.organisation_id
    council_id = db_session.get(Organisation, school).local_authority_id  # type: ignore[union-attr]
    officer = make_person(
        db_session,
        PersonRole.LA_CASE_OFFICER,
        organisation=db_session.get(Organisation, council_id),
        password=None,
    )
    _more_plans(db_session, senco, 3)
    school_paths = [
        f"/settings/{school}/plans",
        f"/settings/{school}/plans?overdue=1&sort=name",
        f"/settings/{school}/plans.csv",
        f"/settings/{school}/evidence?mark=child_voice",
        f"/settings/{school}/evidence.csv",
    ]
    council_paths = ["/la/plans", "/la/plans?q=robin", "/la/plans?q=robin+te"]

    def counts() -> list[int]:
        sign_in_as(senco)
        found = [_queries(client, path) for path in school_paths]
        sign_in_as(officer)
        return found + [_queries(client, path) for path in council_paths]

    few = counts()
    _more_plans(db_session, senco, 27)
    assert counts() == few


@pytest.mark.parametrize("search", ["", "cole b"])
def test_walking_the_council_list_forwards_and_back_meets_every_plan_once(
    db_session: Session, monkeypatch: pytest.MonkeyPatch, search: str
) -> None:
    """Pages of 3 over children with two plans each, so that pages end between a child's two plans."""
    monkeypatch.setattr(council, "PAGE_SIZE", 3)
    council_id = id_of(make_local_authority(db_session)[OrganisationKind.LOCAL_AUTHORITY])
    expected = []
    names = ("Noor Ali", "Ben Cole", "Ben Cole", "Ada Park", "Bo Coleman", "Zed Young")  # two named alike
    for name in names:
        child = Child(
            full_name=name,
            date_of_birth=date(2015, 1, 1),
            school_year="Year 6",
            local_authority_id=council_id,
        )
        db_session.add(child)
        db_session.flush()
        for kind, status in (
            (PlanKind.SEN_SUPPORT, PlanStatus.CLOSED),
            (PlanKind.SEN_SUPPORT, PlanStatus.ACTIVE),
        ):
            plan = Plan(kind=kind, child_id=id_of(child), local_authority_id=council_id, status=status)
            db_session.add(plan)
            db_session.flush()
            if not search or name in ("Ben Cole", "Bo Coleman"):  # the names with a word for each searched
                expected.append((name, id_of(child), id_of(plan)))
    expected.sort()
    actor = Actor.command(make_person(db_session, PersonRole.LA_AUDIT_OFFICER, password=None))
    seen: list[int] = []
    page = council.council_page(db_session, actor, council_id, search=search)
    pages = [page]
    while page.after is not None:
        page = council.council_page(db_session, actor, council_id, search=search, after=page.after)
        pages.append(page)
    seen = [row.plan_id for found in pages for row in found.rows]
    assert seen == [plan_id for _name, _child, plan_id in expected]
    back = [pages[-1]]
    while back[-1].before is not None:
        back.append(
            council.council_page(db_session, actor, council_id, search=search, before=back[-1].before)
        )
    assert [[row.plan_id for row in found.rows] for found in reversed(back)] == [
        [row.plan_id for row in found.rows] for found in pages
    ]
