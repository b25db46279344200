"""The plan page and each section page cost the same number of queries with 10 items as with 300."""

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


def _page_queries(app: FastAPI, client: TestClient, address: str) -> tuple[int, str]:
    with counting_queries() as counter:
        response = client.get(address)
    assert response.status_code == 200
    return counter.count, response.text


def test_the_plan_page_costs_the_same_queries_for_10_items_as_for_300(
    app: FastAPI, client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    small, small_people = plan_with_items(db_session, 10)
    large, large_people = plan_with_items(db_session, 300)
    small_address, large_address = f"/plans/{small.id}", f"/plans/{large.id}"  # read outside the count
    sign_in_as(small_people[MemberRole.PARENT_CARER])
    few, small_page = _page_queries(app, client, small_address)
    sign_in_as(large_people[MemberRole.PARENT_CARER])
    many, large_page = _page_queries(app, client, large_address)
    assert "1 item" in small_page
    # The outline counts the items and their comments; it shows none of them.
    assert "Item 299" not in large_page
    assert 'class="oneplan-item"' not in large_page
    # Section B: every 14th item from the first (22 of 300), three comments on each third of them.
    assert "22 items, 24 comments" in large_page
    assert many == few


def test_a_section_page_costs_the_same_queries_for_10_items_as_for_300(
    app: FastAPI, client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    small, small_people = plan_with_items(db_session, 10)
    large, large_people = plan_with_items(db_session, 300)
    small_address, large_address = f"/plans/{small.id}/sections/F", f"/plans/{large.id}/sections/F"
    sign_in_as(small_people[MemberRole.PARENT_CARER])
    few, small_page = _page_queries(app, client, small_address)
    sign_in_as(large_people[MemberRole.PARENT_CARER])
    many, large_page = _page_queries(app, client, large_address)
    assert small_page.count('class="oneplan-item"') == 1
    assert large_page.count('class="oneplan-item"') == 22  # every 14th of 300 items is in section F
    assert "Item 296: words that someone on the plan wrote." in large_page
    assert 'class="oneplan-comment"' in large_page
    assert "<textarea" not in large_page  # comment forms only when asked for
    assert many == few
