"""Contribution summaries: per plan, which agencies contributed and when, and which have gone quiet."""

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import html5lib
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app import migrate
from app.actor import Actor
from app.config import Environment, Settings
from app.db import build_engine
from app.models import (
    Channel,
    Child,
    MemberRole,
    OrganisationKind,
    Person,
    PersonRole,
    Plan,
    PlanContribution,
    PlanKind,
    PlanMember,
    Section,
)
from app.models.base import as_utc, id_of, utc_now
from app.services.audit.contributions import contribution_page
from app.services.audit.sequencer import chain_pending
from app.services.plans import items
from tests.databases import migrated_database
from tests.factories import make_organisation, make_person
from tests.page_checks import check_page
from tests.plan_factories import access_for, add_items, make_plan

Demo = Callable[[str], Person]


def _plan_of(db: Session, child_name: str) -> Plan:
    return db.exec(select(Plan).join(Child).where(Child.full_name == child_name)).one()


def _officer(demo: Demo) -> Actor:
    return Actor(person=demo("Rita Okafor"), channel=Channel.PAGE)


def test_each_plan_shows_its_agencies_with_how_often_and_when(demo: Demo, db_session: Session) -> None:
    sam = _plan_of(db_session, "Sam Taylor")

    page = contribution_page(db_session, _officer(demo))

    (summary,) = [plan for plan in page.plans if plan.plan_id == sam.id]
    agencies = {agency.organisation.name: agency for agency in summary.agencies}
    assert set(agencies) == {
        "Riverside Primary School",
        "Northshire NHS Trust",
        "Northshire Children's Services",
        "Northshire County Council",  # the case officer of Sam's assessment
    }
    assert agencies["Riverside Primary School"].contributions >= 10
    assert all(agency.on_plan and not agency.quiet for agency in agencies.values())
    assert all(
        agency.last is not None and utc_now() - agency.last < timedelta(hours=1)
        for agency in agencies.values()
    )


def test_an_agency_on_the_plan_that_has_not_contributed_for_six_months_is_flagged(
    demo: Demo, db_session: Session
) -> None:
    sam = _plan_of(db_session, "Sam Taylor")
    newcomer_school = make_organisation(db_session, OrganisationKind.SCHOOL)
    newcomer = make_person(db_session, PersonRole.EDUCATION, organisation=newcomer_school, password=None)
    db_session.add(PlanMember(plan_id=id_of(sam), person_id=id_of(newcomer), role=MemberRole.READER))
    db_session.flush()

    now = contribution_page(db_session, _officer(demo), quiet_only=True)
    later = contribution_page(
        db_session, _officer(demo), quiet_only=True, now=utc_now() + timedelta(days=200)
    )

    assert [plan.plan_id for plan in now.plans] == [sam.id]
    (quiet,) = [agency for agency in now.plans[0].agencies if agency.quiet]
    assert (quiet.organisation.id, quiet.contributions, quiet.last) == (newcomer_school.id, 0, None)
    assert sam.id in [plan.plan_id for plan in later.plans]
    assert all(agency.quiet for plan in later.plans for agency in plan.agencies if agency.on_plan)


def test_the_page_lists_plans_in_pages_and_flags_the_quiet(
    client: TestClient, sign_in_as: Callable[[Person], str], demo: Demo, db_session: Session
) -> None:
    sam = _plan_of(db_session, "Sam Taylor")
    newcomer_school = make_organisation(db_session, OrganisationKind.SCHOOL)
    newcomer = make_person(db_session, PersonRole.EDUCATION, organisation=newcomer_school, password=None)
    db_session.add(PlanMember(plan_id=id_of(sam), person_id=id_of(newcomer), role=MemberRole.READER))
    db_session.flush()
    sign_in_as(demo("Rita Okafor"))

    everything = client.get("/audit/contributions")
    quiet = client.get("/audit/contributions", params={"quiet": "1"})
    one_by_one = contribution_page(db_session, _officer(demo), size=1)

    assert everything.status_code == 200
    check_page(everything.text)
    check_page(quiet.text)
    text = re.sub(r"\s+", " ", everything.text)
    assert "Riverside Primary School" in text
    assert "Hillcrest Academy" in text
    assert f"{newcomer_school.name}</td>" in text or newcomer_school.name in text
    assert "No contribution" in text
    assert sam.reference in quiet.text
    assert _plan_of(db_session, "Ella Morris").reference not in quiet.text
    assert len(one_by_one.plans) == 1
    assert one_by_one.next_after == one_by_one.plans[0].plan_id


def _contribution_rows(engine: Engine) -> list[tuple[int, int, int, datetime]]:
    with Session(engine) as db:
        rows = db.exec(select(PlanContribution).order_by(col(PlanContribution.plan_id))).all()
        return sorted(
            (row.plan_id, row.organisation_id, row.contributions, as_utc(row.last_at)) for row in rows
        )


def test_the_counts_kept_with_the_trail_are_the_counts_the_trail_gives(tmp_path: Path) -> None:
    """Counted as events are written, or rebuilt from the trail by the migration: the same rows."""
    with migrated_database(tmp_path) as url:
        engine = build_engine(Settings(environment=Environment.TEST, database_url=url, data_dir=tmp_path))
        with Session(engine) as db:
            plan, people = make_plan(db, PlanKind.SEN_SUPPORT)
            add_items(db, plan, 3)
            health = people[MemberRole.HEALTH]
            items.add_item(
                db,
                Actor.command(health),
                access_for(db, health, plan),
                items.NewItem(section=Section.G, text="Ear defenders fitted"),
            )
            db.commit()
        chain_pending(engine)
        kept = _contribution_rows(engine)
        assert sorted(count for _plan, _organisation, count, _last in kept) == [1, 3], "school 3, health 1"
        engine.dispose()
        migrate.downgrade(url, "-1")
        migrate.upgrade(url)
        engine = build_engine(Settings(environment=Environment.TEST, database_url=url, data_dir=tmp_path))
        assert _contribution_rows(engine) == kept
        engine.dispose()


def test_the_officer_sees_advice_asked_for_and_returned_on_time_by_agency(
    client: TestClient, demo: Demo, sign_in_as: Callable[[Person], str]
) -> None:
    sign_in_as(demo("Rita Okafor"))
    page = client.get("/audit/contributions")
    check_page(page.text)
    document = html5lib.parse(page.text, namespaceHTMLElements=False)
    [advice] = [
        table for table in document.findall(".//table") if "Advice requests" in "".join(table.itertext())
    ]
    rows = {
        " ".join("".join(row.find("th").itertext()).split()): [cell.text for cell in row.findall("td")]
        for row in advice.findall(".//tbody/tr")
    }
    # The demo: Sam's assessment asked three agencies; Dr Khan's trust has not answered in 6 weeks.
    assert rows["Northshire NHS Trust"] == ["1", "0", "0", "1"]
    assert rows["Riverside Primary School"] == ["1", "1", "1", "0"]
