"""Contribution summaries: per plan, which agencies contributed and when, and which have gone quiet."""

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.actor import Actor
from app.models import Channel, Child, MemberRole, OrganisationKind, Person, PersonRole, Plan, PlanMember
from app.models.base import id_of, utc_now
from app.services.audit_contributions import contribution_page
from tests.factories import make_organisation, make_person
from tests.page_checks import check_page

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
