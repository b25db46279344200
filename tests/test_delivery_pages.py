"""Delivery, reduced timetables, endings and moves, through the pages, as the demo people use them."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.clock import uk_today as today
from app.models import (
    AuditEvent,
    Child,
    DeliveryRecord,
    Item,
    ItemComment,
    ItemRevision,
    OutboxMessage,
    Person,
    Plan,
    PlanMember,
    PlanReview,
    PlanVersion,
    ProvisionChange,
    ReducedTimetable,
)
from app.services.delivery import arithmetic
from app.services.demo.delivery import ONE_TO_ONE
from tests.page_checks import check_page

Lookup = Callable[[str], Person]
SignIn = Callable[[Person], str]


def plan_of(db: Session, child: Person) -> Plan:
    return db.exec(select(Plan).join(Child).where(col(Child.person_id) == child.id)).one()


def one_to_one(db: Session, plan: Plan) -> Item:
    return db.exec(
        select(Item)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.plan_id) == plan.id, col(ItemRevision.text) == ONE_TO_ONE)
    ).one()


def provision(db: Session, plan: Plan, words: str) -> Item:
    return db.exec(
        select(Item)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.plan_id) == plan.id, col(ItemRevision.text).contains(words))
    ).one()


def get(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    check_page(response.text)
    return response.text


def test_the_demo_shortfall_shows_on_sams_plan_to_priya_and_alex_and_to_morgan_on_the_la_page(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, demo("Sam Taylor"))
    item = one_to_one(db_session, plan)
    records = db_session.exec(select(DeliveryRecord).where(DeliveryRecord.item_id == item.id)).all()
    assert sorted(record.status.value for record in records) == ["delivered"] * 3 + ["missed"] * 2
    for name in ("Priya Shah", "Alex Taylor"):
        sign_in_as(demo(name))
        page = get(client, f"/plans/{plan.id}")
        assert "Less was delivered than planned" in page
        assert "3 of 5 sessions (2 missed)" in page
    sign_in_as(demo("Morgan Price"))  # on Sam's plan as the case officer of the assessment
    assert "3 of 5 sessions (2 missed)" in get(client, f"/plans/{plan.id}")
    page = get(client, "/la/delivery")
    assert plan.reference in page
    assert "Riverside Primary School" in page
    assert "Sam Taylor" not in page
    mails = db_session.exec(
        select(OutboxMessage).where(col(OutboxMessage.subject).contains("not all delivered"))
    ).all()
    assert {mail.recipient for mail in mails} == {demo("Priya Shah").email, demo("Alex Taylor").email}
    assert all("Sam" not in mail.body for mail in mails)


def test_tom_logs_a_week_and_a_correction_is_a_new_record(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, demo("Sam Taylor"))
    item = one_to_one(db_session, plan)
    token = sign_in_as(demo("Tom Baker"))
    monday = arithmetic.monday_of(today()) - timedelta(weeks=1)
    get(client, f"/plans/{plan.id}/delivery/{item.id}?week={monday.isoformat()}")
    days = arithmetic.week_days(monday)
    form = {"csrf_token": token, "week": monday.isoformat()}
    for day in days:
        form[f"status-{day.isoformat()}"] = "delivered"
    form[f"status-{days[0].isoformat()}"] = "missed"  # no reason: refused beside the field
    response = client.post(f"/plans/{plan.id}/delivery/{item.id}", data=form, follow_redirects=False)
    assert response.status_code == 200
    assert "Enter why it was missed on Monday" in response.text
    form[f"reason-{days[0].isoformat()}"] = "Trip"
    before = db_session.exec(select(func.count()).select_from(DeliveryRecord)).one()
    response = client.post(f"/plans/{plan.id}/delivery/{item.id}", data=form, follow_redirects=False)
    assert response.status_code == 303
    written = db_session.exec(select(func.count()).select_from(DeliveryRecord)).one() - before
    calendar_days = [day for day in days if arithmetic.SchoolCalendar.parse("", "").is_school_day(day)]
    assert written == len(calendar_days)
    form[f"status-{days[0].isoformat()}"] = "delivered"
    client.post(f"/plans/{plan.id}/delivery/{item.id}", data=form, follow_redirects=False)
    monday_records = db_session.exec(
        select(DeliveryRecord).where(
            DeliveryRecord.item_id == item.id, DeliveryRecord.delivered_on == days[0]
        )
    ).all()
    if days[0] in calendar_days:
        assert [record.status.value for record in monday_records] == ["missed", "delivered"]


def test_priya_ends_an_adjustment_only_with_a_reason_and_alex_is_told_and_replies(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, demo("Sam Taylor"))
    lunch = provision(db_session, plan, "quiet place for lunch")
    token = sign_in_as(demo("Priya Shah"))
    assert "End this provision" in get(client, f"/plans/{plan.id}/items/{lunch.id}/end")
    response = client.post(
        f"/plans/{plan.id}/items/{lunch.id}/end", data={"csrf_token": token, "reason": "  "}
    )
    assert response.status_code == 200
    assert "Enter why this provision is ending" in response.text
    assert db_session.exec(select(ProvisionChange)).all() == []
    response = client.post(
        f"/plans/{plan.id}/items/{lunch.id}/end",
        data={"csrf_token": token, "reason": "The library is used for exams this term."},
        follow_redirects=False,
    )
    assert response.status_code == 303
    [change] = db_session.exec(select(ProvisionChange)).all()
    [mail] = db_session.exec(
        select(OutboxMessage).where(col(OutboxMessage.subject).contains("has ended"))
    ).all()
    assert mail.recipient == demo("Alex Taylor").email
    assert "exams" not in mail.body
    token = sign_in_as(demo("Alex Taylor"))
    page = get(client, f"/plans/{plan.id}")
    assert "The library is used for exams this term." in page
    assert "Priya Shah" in page
    response = client.post(
        f"/plans/{plan.id}/provision-changes/{change.id}/responses",
        data={"csrf_token": token, "text": "Please find Sam another quiet place."},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Please find Sam another quiet place." in get(
        client, f"/plans/{plan.id}/provision-changes/{change.id}"
    )


def test_ellas_reduced_timetable_is_escalated_on_her_plan_and_the_la_page(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, demo("Ella Morris"))
    [timetable] = db_session.exec(select(ReducedTimetable).where(ReducedTimetable.plan_id == plan.id)).all()
    sign_in_as(demo("Chris Wood"))
    page = get(client, f"/plans/{plan.id}")
    assert "has no decision recorded" in page
    token = sign_in_as(demo("Chris Wood"))
    response = client.post(
        f"/plans/{plan.id}/timetables/{timetable.id}/decisions",
        data={
            "csrf_token": token,
            "decision": "continue",
            "note": "Going well; one more afternoon.",
            "next_review_on": (today() + timedelta(days=7)).isoformat(),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "has no decision recorded" not in get(client, f"/plans/{plan.id}/timetables/{timetable.id}")
    sign_in_as(demo("Rita Okafor"))
    assert "12 weeks to 6 months" in get(client, "/la/delivery")


def _snapshot(db: Session, plan: Plan) -> dict[str, object]:
    def ids(model: type, column: object) -> list[int]:
        return sorted(row.id for row in db.exec(select(model).where(column == plan.id)).all())

    return {
        "items": ids(Item, Item.plan_id),
        "revisions": sorted(
            r.id for r in db.exec(select(ItemRevision).join(Item).where(Item.plan_id == plan.id)).all()
        ),
        "comments": ids(ItemComment, ItemComment.plan_id),
        "reviews": ids(PlanReview, PlanReview.plan_id),
        "versions": ids(PlanVersion, PlanVersion.plan_id),
        "delivery": ids(DeliveryRecord, DeliveryRecord.plan_id),
        "audit": sorted(e.id for e in db.exec(select(AuditEvent).where(AuditEvent.plan_id == plan.id)).all()),
    }


def test_sam_moves_school_and_the_whole_plan_goes_with_him(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, demo("Sam Taylor"))
    before = _snapshot(db_session, plan)
    chris, tom = demo("Chris Wood"), demo("Tom Baker")
    token = sign_in_as(demo("Priya Shah"))
    get(client, f"/plans/{plan.id}/move")
    response = client.post(
        f"/plans/{plan.id}/move",
        data={
            "csrf_token": token,
            "to_setting_id": str(chris.organisation_id),
            "new_senco_id": str(chris.id),
            "moves_on": today().isoformat(),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    after = _snapshot(db_session, plan)
    assert {key: value for key, value in after.items() if key != "audit"} == {
        key: value for key, value in before.items() if key != "audit"
    }
    assert set(before["audit"]) <= set(after["audit"])  # type: ignore[arg-type]
    db_session.refresh(plan)
    assert plan.setting_id == chris.organisation_id
    [coordinator] = db_session.exec(
        select(PlanMember).where(PlanMember.plan_id == plan.id, col(PlanMember.is_coordinator).is_(True))
    ).all()
    assert coordinator.person_id == chris.id
    sign_in_as(tom)
    assert client.get(f"/plans/{plan.id}").status_code == 404
    sign_in_as(chris)
    page = get(client, f"/plans/{plan.id}")
    assert "Riverside Primary School" in page
    assert "Hillcrest Academy" in page
    for path in (
        "/changes",
        "/versions",
        "/delivery",
        f"/delivery/{one_to_one(db_session, plan).id}",
        "/audit",
    ):
        client_response = client.get(f"/plans/{plan.id}{path}")
        assert client_response.status_code == 200, path


@pytest.mark.parametrize("day", [date(2026, 11, 16)])
def test_the_needs_map_shows_change_over_time(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn, day: date
) -> None:
    plan = plan_of(db_session, demo("Sam Taylor"))
    need = provision_need = db_session.exec(
        select(Item).where(Item.plan_id == plan.id, Item.kind == "need")
    ).first()
    assert need is not None
    assert provision_need is not None
    token = sign_in_as(demo("Alex Taylor"))
    for support, confidence in (("some", "low"), ("good", "some")):
        response = client.post(
            f"/plans/{plan.id}/needs-map",
            data={
                "csrf_token": token,
                "item_id": str(need.id),
                "setting_support": support,
                "support_offered": "A visual prompt card",
                "family_confidence": confidence,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
    page = get(client, f"/plans/{plan.id}/needs-map")
    assert "Was: Not confident" in page
    assert "Was: Some support" in page
