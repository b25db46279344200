"""A plan costs the API the same number of queries with 10 items as with 300 (authors, sections, comments)."""

import itertools
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.actor import Actor
from app.models import (
    AreaOfNeed,
    MemberRole,
    OrganisationKind,
    Person,
    PersonRole,
    PlanKind,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
)
from app.models.base import id_of
from app.services.auth.api_tokens import create_token
from app.services.plans import items, members
from app.services.plans.access import plan_access
from app.services.plans.plans import NewPlan, create_plan
from tests.factories import make_organisation, make_person
from tests.query_count import counting_queries

WRITERS: dict[MemberRole, tuple[Section, ...]] = {
    MemberRole.EDUCATION: (Section.B, Section.E, Section.F),
    MemberRole.HEALTH: (Section.C, Section.G),
    MemberRole.SOCIAL_CARE: (Section.D, Section.H1),
    MemberRole.PARENT_CARER: (Section.A,),
}
PERSON_ROLES = {
    MemberRole.HEALTH: PersonRole.HEALTH,
    MemberRole.SOCIAL_CARE: PersonRole.SOCIAL_CARE,
    MemberRole.PARENT_CARER: PersonRole.PARENT_CARER,
}


def _new_item(section: Section, number: int) -> items.NewItem:
    text = f"Item {number}: words that someone on the plan wrote."
    if section in {Section.B, Section.C, Section.D}:
        return items.NewItem(section=section, text=text, area_of_need=AreaOfNeed.INDEPENDENCE)
    if section in {Section.F, Section.G, Section.H1}:
        return items.NewItem(
            section=section,
            text=text,
            delivered_by="Teaching assistant",
            amount=2,
            unit=ProvisionUnit.HOURS,
            frequency=ProvisionFrequency.WEEK,
        )
    return items.NewItem(section=section, text=text)


def plan_with_items(db: Session, senco: Person, count: int) -> int:
    """A SEN Support plan with items by four people in their own sections; every third has a comment."""
    plan = create_plan(
        db,
        Actor.command(senco),
        NewPlan(
            kind=PlanKind.SEN_SUPPORT,
            child_full_name=f"Child with {count} items",
            child_date_of_birth=date(2016, 1, 1),
            child_school_year="Year 5",
        ),
    )
    plan_id = id_of(plan)
    coordinator = plan_access(db, Actor.command(senco), plan_id)
    writers = [(senco, MemberRole.EDUCATION)]
    for role, person_role in PERSON_ROLES.items():
        person = make_person(db, person_role, password=None)
        members.enrol(db, Actor.command(senco), coordinator, person, role)
        writers.append((person, role))
    accesses = [(plan_access(db, Actor.command(person), plan_id), role) for person, role in writers]
    turns = itertools.cycle([(access, section) for access, role in accesses for section in WRITERS[role]])
    for number in range(count):
        access, section = next(turns)
        item = items.add_item(db, Actor.command(access.person), access, _new_item(section, number))
        if number % 3 == 0:
            commenter = accesses[(number + 1) % len(accesses)][0]
            items.add_comment(
                db, Actor.command(commenter.person), commenter, item, f"A comment on item {number}"
            )
    return plan_id


def _queries(app: FastAPI, client: TestClient, db: Session, path: str, headers: dict[str, str]) -> int:
    db.expunge_all()  # nothing cached from building the plan: count what a request really asks
    with counting_queries() as counter:
        response = client.get(path, headers=headers)
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize("suffix", ["", "/items"])
def test_plan_reads_do_not_grow_with_the_plan(
    app: FastAPI, client: TestClient, db_session: Session, suffix: str
) -> None:
    council = make_organisation(db_session, OrganisationKind.LOCAL_AUTHORITY)
    school = make_organisation(db_session, OrganisationKind.SCHOOL, council)
    senco = make_person(db_session, PersonRole.EDUCATION, organisation=school, password=None)
    _token, secret = create_token(db_session, Actor.command(), senco, "query count")
    headers = {"Authorization": f"Bearer {secret}"}
    small, large = plan_with_items(db_session, senco, 10), plan_with_items(db_session, senco, 300)
    client.get("/api/v1/me", headers=headers)  # a token notes its first use (then once a minute)

    few = _queries(app, client, db_session, f"/api/v1/plans/{small}{suffix}", headers)
    many = _queries(app, client, db_session, f"/api/v1/plans/{large}{suffix}", headers)
    assert many == few
    answer = client.get(f"/api/v1/plans/{large}{suffix}", headers=headers).json()
    found = answer["sections"] if suffix == "" else [{"items": answer}]
    assert sum(len(section["items"]) for section in found) == 300
    assert sum(len(item["comments"]) for section in found for item in section["items"]) == 100
