"""The plan page costs the same number of queries with 10 items as with 300 (authors, sections, comments)."""

import itertools
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.actor import Actor
from app.models import (
    AreaOfNeed,
    MemberRole,
    OrganisationKind,
    Person,
    Plan,
    PlanKind,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
)
from app.models.base import id_of
from app.services.plans import items
from app.services.plans.access import plan_access
from tests.factories import make_organisation
from tests.plan_factories import make_plan
from tests.query_count import counting_queries

WRITERS: dict[MemberRole, tuple[Section, ...]] = {
    MemberRole.EDUCATION: (Section.B, Section.E, Section.F, Section.K),
    MemberRole.HEALTH: (Section.C, Section.G, Section.K),
    MemberRole.SOCIAL_CARE: (Section.D, Section.H1, Section.H2),
    MemberRole.PARENT_CARER: (Section.A,),
    MemberRole.CHILD: (Section.A,),
    MemberRole.LOCAL_AUTHORITY: (Section.I, Section.J),
}
COMMENTERS = (MemberRole.PARENT_CARER, MemberRole.READER, MemberRole.HEALTH)


def _new_item(db: Session, section: Section, number: int) -> items.NewItem:
    text = f"Item {number}: words that someone on the plan wrote.\n\nA second paragraph."
    if section in {Section.B, Section.C, Section.D}:
        return items.NewItem(section=section, text=text, area_of_need=AreaOfNeed.INDEPENDENCE)
    if section in {Section.F, Section.G, Section.H1, Section.H2}:
        organisation = make_organisation(db, OrganisationKind.OTHER)
        return items.NewItem(
            section=section,
            text=text,
            delivered_by="Teaching assistant",
            delivered_by_organisation_id=organisation.id,
            amount=2,
            unit=ProvisionUnit.HOURS,
            frequency=ProvisionFrequency.WEEK,
        )
    return items.NewItem(section=section, text=text)


def plan_with_items(db: Session, count: int) -> tuple[Plan, dict[MemberRole, Person]]:
    """An EHC plan written by six people in their own sections; every third item has comments."""
    plan, people = make_plan(db, PlanKind.EHC)
    plan_id = id_of(plan)
    turns = itertools.cycle([(role, section) for role, sections in WRITERS.items() for section in sections])
    for number, (role, section) in zip(range(count), turns, strict=False):
        author = people[role]
        actor = Actor.command(author)
        item = items.add_item(db, actor, plan_access(db, actor, plan_id), _new_item(db, section, number))
        if number % 3 == 0:
            for commenter in COMMENTERS:
                by = Actor.command(people[commenter])
                items.add_comment(db, by, plan_access(db, by, plan_id), item, f"A comment on item {number}.")
    return plan, people


def _page_queries(app: FastAPI, client: TestClient, plan: Plan) -> tuple[int, str]:
    address = f"/plans/{plan.id}"  # outside the count: reading the id may reload the plan
    with counting_queries(app.state.engine) as counter:
        response = client.get(address)
    assert response.status_code == 200
    return counter.count, response.text


def test_the_plan_page_costs_the_same_queries_for_10_items_as_for_300(
    app: FastAPI, client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    small, small_people = plan_with_items(db_session, 10)
    large, large_people = plan_with_items(db_session, 300)
    sign_in_as(small_people[MemberRole.PARENT_CARER])
    few, small_page = _page_queries(app, client, small)
    sign_in_as(large_people[MemberRole.PARENT_CARER])
    many, large_page = _page_queries(app, client, large)
    assert "Item 299: words that someone on the plan wrote." in large_page
    assert large_page.count('class="oneplan-comment"') == 100 * len(COMMENTERS)
    assert small_page.count('class="oneplan-item"') == 10
    assert many == few
