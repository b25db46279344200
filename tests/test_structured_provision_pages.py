"""Structured provision on the plan pages: typed beside the words, with and without JavaScript, and
shown back as one standard sentence; problems named field by field (GOV.UK error summary)."""

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import DelivererRole, GroupSize, Person, Plan
from tests.page_checks import check_page
from tests.test_paper import get_pdf, pdf_text, words
from tests.test_plan_item_pages import HTMX, item_saying, last_event, revisions_of
from tests.test_plan_pages import error_beside, error_summary, plan_of, text_of

SignIn = Callable[[Person], str]
Demo = Callable[[str], Person]

WORDS = "Colourful Semantics to build sentences"
SENTENCE = (
    "Provision 30 minutes, 3 times a week, in a small group of 4, by a speech and language therapist"
    " trained in Colourful Semantics; in the therapy room; from 4 January 2027 to 16 July 2027."
)


def structured(csrf: str, **changes: str) -> dict[str, str]:
    """The add form filled in with every particular of the provision."""
    form = {
        "csrf_token": csrf,
        "text": WORDS,
        "amount": "3",
        "unit": "sessions",
        "frequency": "week",
        "session_minutes": "30",
        "group_size": "small_group",
        "group_of": "4",
        "deliverer_role": "speech_and_language_therapist",
        "expertise": "trained in Colourful Semantics",
        "location": "the therapy room",
        "starts_on-day": "4",
        "starts_on-month": "1",
        "starts_on-year": "2027",
        "ends_on-day": "16",
        "ends_on-month": "7",
        "ends_on-year": "2027",
    }
    return form | changes


@pytest.fixture
def sam(db_session: Session, demo: Demo) -> Plan:
    return plan_of(db_session, "Sam Taylor")


def test_the_add_form_asks_for_each_particular(
    demo: Demo, sign_in_as: SignIn, client: TestClient, sam: Plan
) -> None:
    sign_in_as(demo("Priya Shah"))
    form = client.get(f"/plans/{sam.id}/sections/F/new").text
    check_page(form)
    page = text_of(form)
    for label in (
        "Minutes each session",
        "Group size",
        "One to one",
        "How many children in the group",
        "Who delivers it",
        "Role",
        "Named service or other role",
        "Expertise or training needed",
        "Where",
        "Until",
    ):
        assert label in page, label
    assert '<option value="speech_and_language_therapist">Speech and language therapist</option>' in form


def test_without_javascript_structured_provision_is_saved_and_shown_as_one_sentence(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    response = client.post(f"/plans/{sam.id}/sections/F/items", data=structured(csrf), follow_redirects=False)
    assert response.status_code == 303
    item = item_saying(db_session, sam, WORDS)
    assert response.headers["location"] == f"/plans/{sam.id}/sections/F#item-{item.id}"
    [revision] = revisions_of(db_session, item)
    assert (revision.group_size, revision.group_of, revision.deliverer_role) == (
        GroupSize.SMALL_GROUP,
        4,
        DelivererRole.SPEECH_AND_LANGUAGE_THERAPIST,
    )
    page = client.get(f"/plans/{sam.id}/sections/F").text
    block = text_of(page.split(f'id="item-{item.id}"', 1)[1].split("</li>", 1)[0])
    assert SENTENCE in block
    # Quantified, with who and their training: only the missing link to an outcome is left to check.
    assert "1 check" in block
    assert "This provision does not say which outcome it serves." in block
    assert "It does not say" not in block


def test_with_htmx_the_saved_provision_comes_back_in_place_with_its_sentence(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    form = client.get(f"/plans/{sam.id}/sections/F/new", headers=HTMX).text
    assert 'id="section-F-session_minutes"' in form
    assert 'id="section-F-group_of"' in form
    added = client.post(f"/plans/{sam.id}/sections/F/items", data=structured(csrf), headers=HTMX)
    assert added.status_code == 200
    assert "<html" not in added.text
    assert SENTENCE in text_of(added.text)


def test_a_number_of_children_is_for_a_small_group_only(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    response = client.post(
        f"/plans/{sam.id}/sections/F/items", data=structured(csrf, group_size="one_to_one")
    )
    assert error_summary(response.text) == [("group_of", "Give how many children only for a small group")]
    client.post(
        f"/plans/{sam.id}/sections/F/items", data=structured(csrf, group_size="one_to_one", group_of="")
    )
    [revision] = revisions_of(db_session, item_saying(db_session, sam, WORDS))
    assert (revision.group_size, revision.group_of) == (GroupSize.ONE_TO_ONE, None)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_bad_particulars_are_named_in_the_error_summary_and_beside_each_field(
    client: TestClient,
    db_session: Session,
    demo: Demo,
    sign_in_as: SignIn,
    sam: Plan,
    headers: dict[str, str],
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    typed = structured(
        csrf,
        session_minutes="half an hour",
        group_of="40",
        **{"ends_on-day": "3", "ends_on-month": "1", "ends_on-year": "2027"},
    )
    response = client.post(f"/plans/{sam.id}/sections/F/items", data=typed, headers=headers)
    assert response.status_code == 200
    if not headers:
        check_page(response.text)
        assert "<title>Error: Add provision" in response.text
    prefix = "section-F-" if headers else ""
    assert error_summary(response.text) == [
        (f"{prefix}session_minutes", "Enter how long each session is as a whole number of minutes, like 30"),
        (f"{prefix}group_of", "Enter how many children are in the group, from 2 to 15"),
        (f"{prefix}ends_on-day", "The end date must be on or after the start date"),
    ]
    assert error_beside(response.text, f"{prefix}session_minutes").startswith("Enter how long each session")
    assert (
        error_beside(response.text, f"{prefix}ends_on") == "The end date must be on or after the start date"
    )
    assert 'value="half an hour"' in response.text
    with pytest.raises(LookupError):
        item_saying(db_session, sam, WORDS)


def test_minutes_as_a_fraction_are_refused(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    response = client.post(f"/plans/{sam.id}/sections/F/items", data=structured(csrf, session_minutes="30.5"))
    assert error_summary(response.text) == [
        ("session_minutes", "Enter how long each session is as a whole number of minutes, like 30")
    ]


def test_the_edit_form_shows_the_particulars_and_a_change_is_a_revision_with_its_event(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    client.post(f"/plans/{sam.id}/sections/F/items", data=structured(csrf))
    item = item_saying(db_session, sam, WORDS)
    form = client.get(f"/plans/{sam.id}/items/{item.id}/edit").text
    check_page(form)
    assert 'name="session_minutes" type="text" spellcheck="false" value="30"' in form
    assert 'value="small_group" checked' in form
    assert '<option value="speech_and_language_therapist" selected>' in form
    assert 'value="the therapy room"' in form
    assert 'name="ends_on-day" type="text" value="16"' in form
    assert 'name="group_of" type="text" spellcheck="false" value="4"' in form
    response = client.post(
        f"/plans/{sam.id}/items/{item.id}",
        data=structured(csrf, based_on="1", session_minutes="45", location="the classroom"),
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert [revision.session_minutes for revision in revisions_of(db_session, item)] == [30, 45]
    event = last_event(db_session)
    assert (event.action, event.details["revision"]) == ("item.revised", 2)
    history = text_of(client.get(f"/plans/{sam.id}/items/{item.id}").text)
    assert "Minutes a session 30 45" in history
    assert "Where the therapy room the classroom" in history


def test_the_live_check_reads_the_role_and_the_expertise_chosen(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    check = f"/plans/{sam.id}/quality/check"
    typed = {"csrf_token": csrf, "text": "Access to the sensory room", "amount": "3", "unit": "sessions"}
    typed |= {"frequency": "week"}
    unsaid = text_of(client.post(check, data=typed).text)
    assert "It does not say who delivers it" in unsaid
    assert "Vague wording: “Access to”" in unsaid
    said = text_of(client.post(check, data=typed | {"deliverer_role": "teaching_assistant"}).text)
    assert "It does not say" not in said
    assert "Vague wording" not in said


def test_the_plan_on_paper_prints_the_provision_sentence(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan, tmp_path: Path
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    client.post(f"/plans/{sam.id}/sections/F/items", data=structured(csrf))
    text = words(pdf_text(get_pdf(client, f"/plans/{sam.id}/plan.pdf"), tmp_path, "structured"))
    assert words(SENTENCE.replace("Provision ", "Provision: ", 1)) in text
    # Provision written before its particulars were structured prints what it has, in the same sentence.
    assert "Provision: 1 session a term, by Occupational therapist from Northshire NHS Trust" in text
