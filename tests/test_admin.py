"""Administrators manage organisations and people, and every change they make is audited."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import (
    AuditEvent,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    RecoveryCode,
    SettingPhase,
    UserSession,
)
from app.services.auth.secrets import digest
from tests.factories import make_organisation, make_person, session_token_for


@pytest.fixture
def admin_csrf(db_session: Session, sign_in_as: Callable[[Person], str]) -> str:
    return sign_in_as(make_person(db_session, PersonRole.ADMINISTRATOR, password=None))


def test_admin_adds_a_school_to_a_local_authority(
    client: TestClient, db_session: Session, admin_csrf: str
) -> None:
    council = make_organisation(db_session, OrganisationKind.LOCAL_AUTHORITY)
    response = client.post(
        "/admin/organisations/new",
        data={
            "name": "  Brook  Lane Primary ",
            "kind": "school",
            "local_authority_id": str(council.id),
            "phase": "primary",
            "csrf_token": admin_csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    school = db_session.exec(select(Organisation).where(Organisation.name == "Brook Lane Primary")).one()
    assert school.local_authority_id == council.id
    assert school.phase is SettingPhase.PRIMARY
    event = db_session.exec(select(AuditEvent).where(AuditEvent.action == "organisation.created")).one()
    assert event.object_id == str(school.id)
    listed = client.get("/admin/organisations").text
    assert "Brook Lane Primary" in listed
    assert "School or college (primary)" in listed


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": "", "kind": "school"}, "name", "Enter the organisation"),
        ({"name": "Somewhere", "kind": ""}, "kind", "Select what kind of organisation it is"),
        (
            {"name": "Somewhere", "kind": "health"},
            "local_authority_id",
            "Select the local authority it belongs to",
        ),
    ],
)
def test_organisation_errors_are_shown_beside_the_field(
    client: TestClient, db_session: Session, admin_csrf: str, form: dict[str, str], field: str, message: str
) -> None:
    page = client.post("/admin/organisations/new", data={**form, "csrf_token": admin_csrf}).text
    assert f'href="#{field}">{message}' in page.replace("&#39;", "'")
    assert (
        db_session.exec(select(AuditEvent).where(AuditEvent.action == "organisation.created")).first() is None
    )


def test_duplicate_organisation_name_is_refused(
    client: TestClient, db_session: Session, admin_csrf: str
) -> None:
    existing = make_organisation(db_session, OrganisationKind.LOCAL_AUTHORITY)
    page = client.post(
        "/admin/organisations/new",
        data={"name": existing.name, "kind": "local_authority", "csrf_token": admin_csrf},
    ).text
    assert "An organisation with this name already exists" in page


def test_deactivating_keeps_the_person_and_can_be_undone(
    client: TestClient, db_session: Session, admin_csrf: str
) -> None:
    teacher = make_person(db_session, PersonRole.EDUCATION, password=None)
    client.post(f"/admin/people/{teacher.id}/deactivate", data={"csrf_token": admin_csrf})
    db_session.refresh(teacher)
    assert teacher.deactivated_at is not None
    assert "Deactivated" in client.get("/admin/people").text
    client.post(f"/admin/people/{teacher.id}/reactivate", data={"csrf_token": admin_csrf})
    db_session.refresh(teacher)
    assert teacher.is_active
    actions = db_session.exec(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "person", AuditEvent.object_id == str(teacher.id))
        .order_by(col(AuditEvent.id))
    ).all()
    assert actions == ["person.deactivated", "person.reactivated"]


def test_administrator_cannot_lock_themselves_out(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    admin = make_person(db_session, PersonRole.ADMINISTRATOR, password=None)
    csrf = sign_in_as(admin)
    response = client.post(f"/admin/people/{admin.id}/deactivate", data={"csrf_token": csrf})
    assert response.status_code == 409
    assert "You cannot deactivate your own account" in response.text


def test_unknown_person_is_404(client: TestClient, admin_csrf: str) -> None:
    assert client.post("/admin/people/999999/deactivate", data={"csrf_token": admin_csrf}).status_code == 404


def test_resetting_a_lost_second_factor(client: TestClient, db_session: Session, admin_csrf: str) -> None:
    nurse = make_person(db_session, PersonRole.HEALTH, password=None, totp_secret="JBSWY3DPEHPK3PXP")
    db_session.add(RecoveryCode(person_id=nurse.id or 0, code_hash="0" * 64))
    token = session_token_for(db_session, nurse)
    assert "Reset second factor" in client.get("/admin/people").text
    response = client.post(f"/admin/people/{nurse.id}/reset-second-factor", data={"csrf_token": admin_csrf})
    assert response.status_code == 200
    db_session.refresh(nurse)
    assert (nurse.totp_secret, nurse.totp_confirmed_at) == (None, None)
    assert db_session.exec(select(RecoveryCode).where(RecoveryCode.person_id == nurse.id)).first() is None
    session = db_session.exec(select(UserSession).where(UserSession.token_hash == digest(token))).one()
    assert session.ended_at is not None
    assert db_session.exec(
        select(AuditEvent).where(AuditEvent.action == "person.second_factor_reset")
    ).one().object_id == str(nurse.id)


def test_families_have_no_second_factor_to_reset(
    client: TestClient, db_session: Session, admin_csrf: str
) -> None:
    parent = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    response = client.post(f"/admin/people/{parent.id}/reset-second-factor", data={"csrf_token": admin_csrf})
    assert response.status_code == 409
    assert "Only staff have a second factor to reset" in response.text


def test_a_rejected_invitation_keeps_what_was_chosen(
    client: TestClient, db_session: Session, admin_csrf: str
) -> None:
    trust = make_organisation(db_session, OrganisationKind.HEALTH)
    page = client.post(
        "/admin/people/invite",
        data={
            "display_name": "",
            "email": "nurse@nhs.example",
            "role": "health",
            "organisation_id": str(trust.id),
            "csrf_token": admin_csrf,
        },
    ).text
    assert "Enter the person&#39;s full name" in page
    assert 'value="health" checked' in page
    assert f'value="{trust.id}" selected' in page
