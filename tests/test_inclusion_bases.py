"""Inclusion bases: Priya gives Sam a place in Riverside's base (a provision of his plan, in minutes a
week); the school's staff see who uses the base and what was delivered; no one else sees it."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today as today
from app.errors import Refused
from app.models import (
    AuditEvent,
    DeliveryRecord,
    DeliveryStatus,
    InclusionBase,
    ItemRevision,
    Person,
    Plan,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
)
from app.models.base import id_of
from app.services.demo.experts import RIVERSIDE_BASE
from app.services.experts import bases
from app.services.plans.access import plan_access
from app.services.plans.items import ContentProblem
from tests.query_count import counting_queries
from tests.test_experts import sams_plan

Lookup = Callable[[str], Person]
SignIn = Callable[[Person], str]


def the_nest(db: Session, plan: Plan) -> InclusionBase:
    return db.exec(
        select(InclusionBase).where(
            col(InclusionBase.setting_id) == plan.setting_id, col(InclusionBase.name) == RIVERSIDE_BASE
        )
    ).one()


def give(db: Session, demo: Lookup, minutes: int = 300, text: str = "Afternoons in the Nest") -> int:
    plan = sams_plan(db, demo)
    actor = Actor.command(demo("Priya Shah"))
    new = bases.NewPlace(base_id=id_of(the_nest(db, plan)), minutes_a_week=minutes, text=text)
    return bases.give_place(db, actor, plan_access(db, actor, id_of(plan)), new).item_id


def test_a_place_is_a_provision_of_the_plan_and_its_delivery_counts(
    db_session: Session, demo: Lookup
) -> None:
    item_id = give(db_session, demo)
    revision = db_session.exec(select(ItemRevision).where(col(ItemRevision.item_id) == item_id)).one()
    assert (revision.amount, revision.unit, revision.frequency) == (
        300,
        ProvisionUnit.MINUTES,
        ProvisionFrequency.WEEK,
    )
    assert revision.location == RIVERSIDE_BASE
    assert revision.sentence == f"300 minutes a week; in {RIVERSIDE_BASE}; from {today():%-d %B %Y}."
    plan = sams_plan(db_session, demo)
    tom = demo("Tom Baker")
    yesterday = today() - timedelta(days=1)
    for status, amount in ((DeliveryStatus.MISSED, 0), (DeliveryStatus.DELIVERED, 60)):
        db_session.add(
            DeliveryRecord(
                plan_id=id_of(plan),
                item_id=item_id,
                delivered_on=yesterday,
                status=status,
                amount=amount,
                reason="Trip" if amount == 0 else None,
                recorded_by_id=id_of(tom),
            )
        )
    db_session.flush()
    roll = bases.base_roll(db_session, Actor.command(tom), id_of(the_nest(db_session, plan)))
    assert [(row.child.full_name, row.revision.amount, row.delivered_minutes) for row in roll.rows] == [
        ("Sam Taylor", 300, 60)
    ]
    event = db_session.exec(select(AuditEvent).where(col(AuditEvent.action) == "inclusion_place.added")).one()
    assert event.details["item_id"] == item_id
    assert (event.details["section"], event.details["kind"]) == (Section.F.value, "provision")


def test_the_list_of_a_base_takes_the_same_queries_however_many_use_it(
    db_session: Session, demo: Lookup
) -> None:
    give(db_session, demo)
    plan = sams_plan(db_session, demo)
    priya = Actor.command(demo("Priya Shah"))
    base_id = id_of(the_nest(db_session, plan))
    with counting_queries() as one:
        bases.base_roll(db_session, priya, base_id)
    give(db_session, demo, 60, "Lunchtime club")
    give(db_session, demo, 30, "Morning check-in")
    with counting_queries() as three:
        assert len(bases.base_roll(db_session, priya, base_id).rows) == 3
    assert three.count == one.count


def test_only_the_schools_own_staff_see_a_base_or_give_a_place(db_session: Session, demo: Lookup) -> None:
    plan = sams_plan(db_session, demo)
    base_id = id_of(the_nest(db_session, plan))
    for stranger in ("Chris Wood", "Dr Aisha Khan", "Alex Taylor"):
        with pytest.raises(Refused) as absent:
            bases.base_roll(db_session, Actor.command(demo(stranger)), base_id)
        assert absent.value.status_code == 404
    with pytest.raises(Refused) as refused:
        bases.bases_of_my_school(db_session, Actor.command(demo("Alex Taylor")))
    assert refused.value.status_code == 403
    alex = Actor.command(demo("Alex Taylor"))
    with pytest.raises(Refused):
        bases.give_place(
            db_session,
            alex,
            plan_access(db_session, alex, id_of(plan)),
            bases.NewPlace(base_id=base_id, minutes_a_week=60, text="Not Alex's to give"),
        )
    with pytest.raises(ContentProblem) as same_name:
        bases.add_base(db_session, Actor.command(demo("Tom Baker")), RIVERSIDE_BASE)
    assert same_name.value.errors == {"name": "Your school already has a base with this name"}


def test_through_the_pages_and_the_api(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    plan = sams_plan(db_session, demo)
    base_id = id_of(the_nest(db_session, plan))
    token = sign_in_as(demo("Priya Shah"))
    assert "Give a place in one of the school" in client.get(f"/plans/{plan.id}/experts").text
    form = {"csrf_token": token, "base_id": str(base_id), "minutes_a_week": "0", "text": "Afternoons"}
    wrong = client.post(f"/plans/{plan.id}/inclusion-place", data=form, follow_redirects=False)
    assert wrong.status_code == 200
    assert "Enter the minutes a week, from 1 to 2,400" in wrong.text
    form["minutes_a_week"] = "300"
    given = client.post(f"/plans/{plan.id}/inclusion-place", data=form, follow_redirects=False)
    assert given.status_code == 303
    assert given.headers["location"] == f"/inclusion-bases/{base_id}"
    roll = client.get(f"/inclusion-bases/{base_id}").text
    assert "Sam Taylor" in roll
    assert "Afternoons" in roll
    assert f"{RIVERSIDE_BASE}</a>: 1 child, 300 minutes a week" in client.get("/inclusion-bases").text
    empty = client.post("/inclusion-bases", data={"csrf_token": token, "name": " "}, follow_redirects=False)
    assert "Enter the name of the base" in empty.text
    added = client.post(
        "/inclusion-bases", data={"csrf_token": token, "name": "The Den"}, follow_redirects=False
    )
    assert added.status_code == 303
    places = client.get(f"/api/v1/inclusion-bases/{base_id}/places").json()
    assert [(place["child_name"], place["minutes_a_week"]) for place in places] == [("Sam Taylor", 300)]
    sign_in_as(demo("Chris Wood"))
    assert client.get(f"/api/v1/inclusion-bases/{base_id}/places").status_code == 404
