"""Who is on a plan, as pages: everyone sees the members; the coordinator adds, removes and hands on."""

import html
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent, Child, OutboxMessage, Outcome, Person, Plan, PlanMember
from tests.page_checks import check_page, whole_plan

Demo = Callable[[str], Person]
SignIn = Callable[[Person], str]


def plan_of(db: Session, demo: Demo, child_name: str) -> Plan:
    child = demo(child_name)
    return db.exec(
        select(Plan).join(Child, col(Child.id) == col(Plan.child_id)).where(Child.person_id == child.id)
    ).one()


def membership(db: Session, plan: Plan, person: Person) -> PlanMember:
    return db.exec(
        select(PlanMember).where(PlanMember.plan_id == plan.id, PlanMember.person_id == person.id)
    ).one()


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action)))


def text_of(page: str) -> str:
    return html.unescape(page)


@pytest.fixture
def sams_plan(db_session: Session, demo: Demo) -> Plan:
    return plan_of(db_session, demo, "Sam Taylor")


def test_everyone_on_the_plan_sees_who_is_on_it(
    client: TestClient, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    sign_in_as(demo("Alex Taylor"))
    response = client.get(f"/plans/{sams_plan.id}/members")
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    for name in ("Priya Shah", "Tom Baker", "Dr Aisha Khan", "Jo Green", "Sam Taylor"):
        assert name in page
    assert "Coordinator" in page
    assert "Northshire NHS Trust" in page
    assert "Parent or carer" in page
    # Only the coordinator changes who is on the plan.
    assert "Add someone to the plan" not in page
    assert "/remove" not in page


def test_the_coordinator_sees_how_to_change_the_members(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    sign_in_as(demo("Priya Shah"))
    page = client.get(f"/plans/{sams_plan.id}/members").text
    check_page(page)
    assert "Add someone to the plan" in page
    tom = membership(db_session, sams_plan, demo("Tom Baker"))
    jo = membership(db_session, sams_plan, demo("Jo Green"))
    priya = membership(db_session, sams_plan, demo("Priya Shah"))
    assert f"/members/{jo.id}/remove" in page
    assert f"/members/{tom.id}/coordinator" in page
    # Only a colleague in the coordinator's part can take the role on, and nobody removes the coordinator.
    assert f"/members/{jo.id}/coordinator" not in page
    assert f"/members/{priya.id}/remove" not in page
    # Reading who is on the plan is a read of the plan: it is audited.
    assert events(db_session, "plan.members_read")


def test_someone_already_on_the_plan_is_not_added_twice(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    jo = demo("Jo Green")
    added_before = len(events(db_session, "member.added"))
    response = client.post(
        f"/plans/{sams_plan.id}/members",
        data={"email": jo.email or "", "role": "social_care", "csrf_token": csrf},
    )
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    assert "<title>Error: Who is on the plan" in page
    assert 'href="#email">Jo Green is already on this plan' in page
    assert 'id="email-error"' in page
    assert f'value="{jo.email}"' in page
    assert len(events(db_session, "member.added")) == added_before


def test_a_new_parent_is_invited_by_email_and_listed(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    response = client.post(
        f"/plans/{sams_plan.id}/members",
        data={
            "email": "kim.taylor@family.example",
            "role": "parent_carer",
            "display_name": "Kim Taylor",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    kim = db_session.exec(select(Person).where(Person.email == "kim.taylor@family.example")).one()
    member = membership(db_session, sams_plan, kim)
    assert response.headers["location"] == f"/plans/{sams_plan.id}/members?invited={member.id}"
    invitation = db_session.exec(
        select(OutboxMessage).where(OutboxMessage.recipient == "kim.taylor@family.example")
    ).one()
    assert invitation.subject.startswith("You are invited to")
    assert "Priya Shah has invited you" in invitation.body
    added = [event for event in events(db_session, "member.added") if event.object_id == str(member.id)]
    assert len(added) == 1
    assert added[0].details["invited"] is True
    assert added[0].details["outbox_message_id"] == invitation.id

    page = client.get(response.headers["location"])
    check_page(page.text)
    text = text_of(page.text)
    assert "We have e-mailed kim.taylor@family.example an invitation" in text
    assert "Kim Taylor" in text

    # The banner is the coordinator's: another member following the address learns no e-mail address.
    sign_in_as(demo("Alex Taylor"))
    text = text_of(client.get(response.headers["location"]).text)
    assert "Kim Taylor" in text
    assert "kim.taylor@family.example" not in text


def test_someone_with_an_account_is_added_and_told(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    ellas_plan = plan_of(db_session, demo, "Ella Morris")
    csrf = sign_in_as(demo("Morgan Price"))
    aisha = demo("Dr Aisha Khan")
    response = client.post(
        f"/plans/{ellas_plan.id}/members",
        data={"email": (aisha.email or "").upper(), "role": "health", "csrf_token": csrf},
    )
    assert response.status_code == 200  # followed to the members page
    assert "Dr Aisha Khan has been added to the plan as health" in text_of(response.text)
    assert db_session.exec(select(OutboxMessage).where(OutboxMessage.recipient == aisha.email)).first()


def test_an_unknown_address_without_a_name_is_asked_for_the_name(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    response = client.post(
        f"/plans/{sams_plan.id}/members",
        data={"email": "nobody.yet@family.example", "role": "parent_carer", "csrf_token": csrf},
    )
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    assert 'href="#display_name">Enter their full name' in page
    assert 'id="display_name-error"' in page
    assert 'value="nobody.yet@family.example"' in page
    assert 'value="parent_carer" checked' in page
    assert db_session.exec(select(Person).where(Person.email == "nobody.yet@family.example")).first() is None


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"email": "", "role": "reader"}, "email", "Enter their e-mail address"),
        ({"email": "x@example.org", "role": ""}, "role", "Select their part on the plan"),
        (
            {"email": "not-an-address", "role": "reader"},
            "email",
            "Enter an e-mail address in the correct format",
        ),
        (
            {"email": "new.teacher@school.example", "role": "education", "display_name": "Pat Lee"},
            "organisation_id",
            "Select their organisation",
        ),
    ],
)
def test_problems_are_shown_beside_their_field(
    client: TestClient,
    demo: Demo,
    sign_in_as: SignIn,
    sams_plan: Plan,
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    page = client.post(f"/plans/{sams_plan.id}/members", data={**form, "csrf_token": csrf}).text
    check_page(page)
    assert f'href="#{field}">{message}' in text_of(page)


def test_a_new_member_of_staff_is_invited_with_their_organisation(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    riverside = demo("Tom Baker").organisation_id
    response = client.post(
        f"/plans/{sams_plan.id}/members",
        data={
            "email": "pat.lee@riverside.example",
            "role": "education",
            "display_name": "Pat Lee",
            "organisation_id": str(riverside),
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    pat = db_session.exec(select(Person).where(Person.email == "pat.lee@riverside.example")).one()
    assert pat.organisation_id == riverside


def test_only_the_coordinator_adds_people(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    csrf = sign_in_as(demo("Tom Baker"))
    form = {
        "email": "kim.taylor@family.example",
        "role": "parent_carer",
        "display_name": "Kim",
        "csrf_token": csrf,
    }
    response = client.post(f"/plans/{sams_plan.id}/members", data=form)
    assert response.status_code == 403
    assert "Only the plan's coordinator" in text_of(response.text)
    refused = events(db_session, "member.refused")
    assert refused
    assert refused[-1].outcome is Outcome.REFUSED
    # A parent's role never coordinates.
    csrf = sign_in_as(demo("Alex Taylor"))
    assert client.post(f"/plans/{sams_plan.id}/members", data={**form, "csrf_token": csrf}).status_code == 403
    assert db_session.exec(select(Person).where(Person.email == "kim.taylor@family.example")).first() is None


def test_removal_ends_access_at_once_and_keeps_their_words(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    jo = demo("Jo Green")
    jo_member = membership(db_session, sams_plan, jo)
    csrf = sign_in_as(demo("Priya Shah"))
    confirm = client.get(f"/plans/{sams_plan.id}/members/{jo_member.id}/remove")
    check_page(confirm.text)
    asked = text_of(confirm.text)
    assert "Remove Jo Green from the plan?" in asked
    assert "they will lose" in asked
    assert "What they wrote stays on the plan" in asked

    unsaid = client.post(
        f"/plans/{sams_plan.id}/members/{jo_member.id}/remove", data={"csrf_token": csrf, "reason": "  "}
    )
    assert unsaid.status_code == 200
    check_page(unsaid.text)
    assert "Enter why they are being removed from the plan" in text_of(unsaid.text)
    assert not [
        event for event in events(db_session, "member.removed") if event.object_id == str(jo_member.id)
    ]

    response = client.post(
        f"/plans/{sams_plan.id}/members/{jo_member.id}/remove",
        data={"csrf_token": csrf, "reason": "Jo has moved to another authority"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/plans/{sams_plan.id}/members?removed={jo_member.id}"
    removed = [
        event for event in events(db_session, "member.removed") if event.object_id == str(jo_member.id)
    ]
    assert len(removed) == 1

    page = client.get(response.headers["location"])
    check_page(page.text)
    text = text_of(page.text)
    assert "Jo Green has been removed from the plan. What they wrote stays on it." in text
    assert "People who have left the plan" in text

    history = text_of(client.get(f"/plans/{sams_plan.id}/audit?show=changes").text)
    assert "removed Jo Green from the plan, saying: “Jo has moved to another authority”" in history

    # Her words stay on the plan, with her name.
    assert "Alex cares for Sam and his younger sister" in text_of(whole_plan(client, sams_plan.id))

    sign_in_as(jo)
    assert client.get(f"/plans/{sams_plan.id}").status_code == 404
    assert client.get(f"/plans/{sams_plan.id}/members").status_code == 404
    assert events(db_session, "plan.refused")


def test_the_coordinator_cannot_be_removed(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    priya = demo("Priya Shah")
    csrf = sign_in_as(priya)
    own = membership(db_session, sams_plan, priya)
    response = client.post(
        f"/plans/{sams_plan.id}/members/{own.id}/remove", data={"csrf_token": csrf, "reason": "Leaving"}
    )
    assert response.status_code == 200
    assert "Hand the coordinator role to someone else" in text_of(response.text)
    db_session.refresh(own)
    assert own.removed_at is None


def test_members_of_another_plan_are_not_found(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    ellas_plan = plan_of(db_session, demo, "Ella Morris")
    chris = membership(db_session, ellas_plan, demo("Chris Wood"))
    csrf = sign_in_as(demo("Priya Shah"))
    response = client.post(
        f"/plans/{sams_plan.id}/members/{chris.id}/remove", data={"csrf_token": csrf, "reason": "Gone"}
    )
    assert response.status_code == 404
    assert client.get(f"/plans/{sams_plan.id}/members/{chris.id}/remove").status_code == 404


def test_handing_on_the_coordinator_role(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sams_plan: Plan
) -> None:
    tom, priya = demo("Tom Baker"), demo("Priya Shah")
    tom_member = membership(db_session, sams_plan, tom)
    alex_member = membership(db_session, sams_plan, demo("Alex Taylor"))
    csrf = sign_in_as(priya)
    # Only someone in the coordinator's part (education, for SEN Support) can take it on.
    refused = client.post(
        f"/plans/{sams_plan.id}/members/{alex_member.id}/coordinator", data={"csrf_token": csrf}
    )
    assert refused.status_code == 409
    assert "must be on it as education" in text_of(refused.text)

    response = client.post(
        f"/plans/{sams_plan.id}/members/{tom_member.id}/coordinator",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Tom Baker is now the coordinator of this plan." in text_of(
        client.get(response.headers["location"]).text
    )
    handed = events(db_session, "coordinator.handed_on")
    assert handed[-1].details["to_person_id"] == tom.id

    new_parent = {"email": "kim.taylor@family.example", "role": "parent_carer", "display_name": "Kim Taylor"}
    response = client.post(f"/plans/{sams_plan.id}/members", data={**new_parent, "csrf_token": csrf})
    assert response.status_code == 403
    page = client.get(f"/plans/{sams_plan.id}/members").text
    assert "Add someone to the plan" not in page

    csrf = sign_in_as(tom)
    response = client.post(
        f"/plans/{sams_plan.id}/members", data={**new_parent, "csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
