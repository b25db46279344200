"""What you may not see does not exist for you: the same 404 as for something that is not there
(issue 22: the administrator on a plan, finding 11; a link to a view hidden from you, finding 7)."""

from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, col, select

from app.models import AuditEvent, Item, ItemKind, ItemLink, Outcome, PersonRole
from app.models.base import id_of
from tests.factories import make_person
from tests.test_plan_pages import plan_of
from tests.test_voices import HIDDEN, Demo, SignIn, view_item

MISSING = 2_000_000


def _without_request_id(answer: Response) -> str:
    return answer.text.replace(answer.headers["X-Request-ID"], "")


def test_an_administrator_meets_a_plan_as_a_stranger_does(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    addresses = [
        "/plans/{}",
        "/plans/{}/audit",
        "/plans/{}/export.zip",
        "/api/v1/plans/{}",
        "/api/v1/plans/{}/items",
    ]
    sign_in_as(make_person(db_session, PersonRole.HEALTH))
    stranger = {address: client.get(address.format(plan.id)) for address in addresses}
    missing = {address: client.get(address.format(MISSING)) for address in addresses}
    sign_in_as(demo("Admin"))
    for address in addresses:
        answer = client.get(address.format(plan.id))
        assert answer.status_code == stranger[address].status_code == missing[address].status_code == 404
        assert _without_request_id(answer) == _without_request_id(stranger[address]), address
    csrf = sign_in_as(demo("Admin"))
    written = client.post(f"/plans/{plan.id}/items/1/comments", data={"csrf_token": csrf, "comment": "Hi"})
    assert written.status_code == 404
    refused = db_session.exec(
        select(AuditEvent).where(AuditEvent.action == "plan.refused", AuditEvent.actor_id == demo("Admin").id)
    ).all()
    assert {event.object_id for event in refused} == {str(plan.id)}
    assert all(event.outcome is Outcome.REFUSED for event in refused)


def test_an_auditor_of_another_council_is_told_a_plan_is_not_there(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    """The LA audit officer's role may not write at all; another council's plan is still absent to them."""
    plan = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(make_person(db_session, PersonRole.LA_AUDIT_OFFICER))
    answer = client.post(f"/plans/{plan.id}/items/1/comments", data={"csrf_token": csrf, "comment": "Hi"})
    assert answer.status_code == 404
    # Rita audits Northshire's plans: she sees Sam's, so her role's refusal is a 403 that says why.
    csrf = sign_in_as(demo("Rita Okafor"))
    answer = client.post(f"/plans/{plan.id}/items/1/comments", data={"csrf_token": csrf, "comment": "Hi"})
    assert answer.status_code == 403


def _link_to_the_hidden_view(db: Session, demo: Demo) -> tuple[int, ItemLink]:
    """Sam's view for Alex and Tom only, answered by an outcome (linked by Tom, who may read it)."""
    plan = plan_of(db, "Sam Taylor")
    hidden = view_item(db, plan, HIDDEN)
    outcome = db.exec(
        select(Item).where(col(Item.plan_id) == plan.id, col(Item.kind) == ItemKind.OUTCOME).limit(1)
    ).one()
    link = ItemLink(
        plan_id=id_of(plan),
        item_id=id_of(outcome),
        answers_id=id_of(hidden),
        created_by=id_of(demo("Tom Baker")),
    )
    db.add(link)
    db.flush()
    return id_of(plan), link


def test_a_link_to_a_view_hidden_from_you_cannot_be_removed_or_found(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan_id, link = _link_to_the_hidden_view(db_session, demo)
    client.headers["X-CSRF-Token"] = csrf = sign_in_as(demo("Priya Shah"))
    missing = client.delete(f"/api/v1/plans/{plan_id}/links/{MISSING}")
    hidden = client.delete(f"/api/v1/plans/{plan_id}/links/{link.id}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    page = client.post(
        f"/plans/{plan_id}/items/{link.item_id}/links/{link.id}/remove",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert page.status_code == 404
    db_session.refresh(link)
    assert link.removed_at is None
    assert not db_session.exec(select(AuditEvent).where(AuditEvent.action == "link.removed")).first()
    # Tom may read the view: for him the link is there, and he may end it.
    client.headers["X-CSRF-Token"] = sign_in_as(demo("Tom Baker"))
    assert client.delete(f"/api/v1/plans/{plan_id}/links/{link.id}").status_code == 204
