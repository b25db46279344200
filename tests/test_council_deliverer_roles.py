"""Who delivers provision, from a list the council can extend: the built-in roles stay, an administrator
adds a council's own (audited), its plans offer both, a provision keeps the role's name and prints it
in the sentence; a role on no list of the plan's council is refused. The API's sentence names the
organisation that delivers the provision."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.actor import Actor
from app.errors import Refused
from app.models import Organisation, OrganisationKind, Plan, provision_sentence
from app.models.item import ItemContent, ItemRevision
from app.services import deliverer_roles
from app.services.auth.api_tokens import create_token
from app.services.plans import plans
from tests.page_checks import check_page
from tests.test_plan_item_pages import HTMX, Demo, SignIn, item_saying
from tests.test_plan_pages import error_beside, events, plan_of, text_of

PLAY = "Play therapist"


@pytest.fixture
def sam(db_session: Session, demo: Demo) -> Plan:
    return plan_of(db_session, "Sam Taylor")


def other_council(db: Session) -> Organisation:
    council = Organisation(name="Westshire County Council", kind=OrganisationKind.LOCAL_AUTHORITY)
    db.add(council)
    db.flush()
    return council


def test_an_administrator_adds_a_role_to_a_councils_list(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Admin"))
    page = client.get("/admin/deliverer-roles")
    assert page.status_code == 200
    check_page(page.text)
    assert "Speech and language therapist" in text_of(page.text)
    added = client.post(
        "/admin/deliverer-roles",
        data={"csrf_token": csrf, "local_authority_id": str(sam.local_authority_id), "label": f"  {PLAY} "},
        follow_redirects=False,
    )
    assert added.status_code == 303
    roles = deliverer_roles.council_roles(db_session, sam.local_authority_id)
    assert [role.label for role in roles] == [PLAY]
    event = events(db_session, "deliverer_role.added")[-1]
    assert event.details == {"local_authority_id": sam.local_authority_id, "label": PLAY}
    assert event.object_id == str(roles[0].id)
    council = db_session.get(Organisation, sam.local_authority_id)
    assert council is not None
    listed = text_of(client.get("/admin/deliverer-roles").text)
    assert f"{council.name}'s own roles {PLAY}" in listed


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("", "Enter the name of the role"),
        ("occupational therapist", "“occupational therapist” is already on the list"),
        ("play THERAPIST", "“play THERAPIST” is already on the list"),
        ("x" * 101, "The name of the role must be 100 characters or fewer"),
    ],
)
def test_a_role_already_listed_or_unnamed_is_refused_beside_its_box(
    client: TestClient,
    db_session: Session,
    demo: Demo,
    sign_in_as: SignIn,
    sam: Plan,
    label: str,
    message: str,
) -> None:
    admin = demo("Admin")
    deliverer_roles.add_role(db_session, Actor.command(admin), sam.local_authority_id, PLAY)
    csrf = sign_in_as(admin)
    refused = client.post(
        "/admin/deliverer-roles",
        data={"csrf_token": csrf, "local_authority_id": str(sam.local_authority_id), "label": label},
    )
    assert refused.status_code == 200
    check_page(refused.text)
    assert error_beside(refused.text, "label") == message
    assert len(deliverer_roles.council_roles(db_session, sam.local_authority_id)) == 1


def test_only_an_administrator_adds_a_role_whoever_calls_the_service(
    db_session: Session, demo: Demo, sam: Plan
) -> None:
    """The service asks permissions itself, as the route does: a SENCo or a council officer is refused."""
    for name in ("Priya Shah", "Morgan Price"):
        with pytest.raises(Refused) as refused:
            deliverer_roles.add_role(db_session, Actor.command(demo(name)), sam.local_authority_id, PLAY)
        assert (refused.value.status_code, refused.value.action) == (403, "deliverer_role.refused")
    assert deliverer_roles.council_roles(db_session, sam.local_authority_id) == []


def test_the_provision_form_offers_the_councils_roles_after_the_built_in_ones(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    admin = Actor.command(demo("Admin"))
    deliverer_roles.add_role(db_session, admin, sam.local_authority_id, PLAY)
    deliverer_roles.add_role(db_session, admin, id_of_council(db_session, sam), "Equine therapist")
    csrf = sign_in_as(demo("Priya Shah"))
    form = client.get(f"/plans/{sam.id}/sections/F/new").text
    roles = form.split('name="deliverer_role"', 1)[1].split("</select>", 1)[0]
    assert roles.index("Key worker") < roles.index(f'value="{PLAY}"')
    assert "Equine therapist" not in roles  # another council's
    words = "Play therapy to help Sam name and manage his feelings."
    saved = client.post(
        f"/plans/{sam.id}/sections/F/items",
        data={"csrf_token": csrf, "text": words, "deliverer_role": PLAY, "location": "the nurture room"},
        headers=HTMX,
    )
    assert saved.status_code == 200
    provision = item_saying(db_session, sam, words)
    assert "By a play therapist; in the nurture room." in text_of(saved.text)
    edit = client.get(f"/plans/{sam.id}/items/{provision.id}/edit").text
    assert f'<option value="{PLAY}" selected>' in edit


def id_of_council(db: Session, plan: Plan) -> int:
    """Another council than the plan's."""
    council = other_council(db)
    assert council.id != plan.local_authority_id
    return int(council.id or 0)


def test_a_role_on_no_list_of_the_plans_council_is_refused(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    deliverer_roles.add_role(db_session, Actor.command(demo("Admin")), id_of_council(db_session, sam), PLAY)
    csrf = sign_in_as(demo("Priya Shah"))
    refused = client.post(
        f"/plans/{sam.id}/sections/F/items",
        data={"csrf_token": csrf, "text": "Play therapy once a week.", "deliverer_role": PLAY},
    )
    assert refused.status_code == 200
    assert error_beside(refused.text, "deliverer_role") == "Select a role from the list"


def test_built_in_roles_read_and_print_as_before() -> None:
    built_in = ItemContent.model_construct(deliverer_role="occupational_therapist", session_minutes=None)
    council = ItemContent.model_construct(deliverer_role="Sensory support assistant")
    acronym = ItemContent.model_construct(deliverer_role="ELSA")
    assert provision_sentence(_filled(built_in)) == "By an occupational therapist."
    assert provision_sentence(_filled(council)) == "By a sensory support assistant."
    assert provision_sentence(_filled(acronym)) == "By an ELSA."


def _filled(content: ItemContent) -> ItemContent:
    blanks: dict[str, Any] = {name: None for name in ItemContent.model_fields if name not in content.__dict__}
    return ItemContent.model_construct(**content.__dict__, **blanks)


def test_the_apis_sentence_names_the_organisation_that_delivers_it(
    client: TestClient, db_session: Session, demo: Demo, sam: Plan
) -> None:
    organisation = plans.local_organisations(db_session, sam.local_authority_id)[0]
    _token, secret = create_token(db_session, Actor.command(), demo("Priya Shah"), "roles test")
    headers = {"Authorization": f"Bearer {secret}"}
    sent = {
        "section": "F",
        "text": "Advice to staff on Sam's sensory needs.",
        "deliverer_role": "occupational_therapist",
        "delivered_by_organisation_id": organisation.id,
    }
    added = client.post(f"/api/v1/plans/{sam.id}/items", json=sent, headers=headers)
    assert added.status_code == 201, added.text
    assert added.json()["sentence"] == f"By an occupational therapist from {organisation.name}."
    read = client.get(added.headers["Location"], headers=headers).json()
    assert read["sentence"] == read["revisions"][0]["sentence"] == added.json()["sentence"]
    listed = client.get(f"/api/v1/plans/{sam.id}/items?section=F", headers=headers).json()
    assert added.json()["sentence"] in [item["sentence"] for item in listed]


def test_a_provision_keeps_a_role_its_councils_list_lacks_when_edited(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    """A plan moved from another council keeps the role it was given, and can still be edited."""
    csrf = sign_in_as(demo("Priya Shah"))
    words = "Play therapy to help Sam name and manage his feelings."
    client.post(f"/plans/{sam.id}/sections/F/items", data={"csrf_token": csrf, "text": words})
    provision = item_saying(db_session, sam, words)
    revision = db_session.get(ItemRevision, provision.current_revision_id)
    assert revision is not None
    revision.deliverer_role = "Equine therapist"  # as an import from another council writes it
    db_session.add(revision)
    db_session.flush()
    form = client.get(f"/plans/{sam.id}/items/{provision.id}/edit").text
    assert '<option value="Equine therapist" selected>' in form
    kept = client.post(
        f"/plans/{sam.id}/items/{provision.id}",
        data={
            "csrf_token": csrf,
            "text": words + " Weekly.",
            "deliverer_role": "Equine therapist",
            "based_on": "1",
        },
        follow_redirects=False,
    )
    assert kept.status_code == 303
    changed = client.post(
        f"/plans/{sam.id}/items/{provision.id}",
        data={"csrf_token": csrf, "text": words, "deliverer_role": "Llama therapist", "based_on": "2"},
    )
    assert error_beside(changed.text, "deliverer_role") == "Select a role from the list"
