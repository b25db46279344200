"""Adding, editing and commenting on items, with and without JavaScript; nobody's words are ever lost."""

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.models import AuditEvent, Item, ItemComment, ItemRevision, Organisation, Person, Plan, Section
from tests.page_checks import check_page
from tests.test_plan_pages import error_beside, error_summary, events, plan_of, text_of

SignIn = Callable[[Person], str]
Demo = Callable[[str], Person]
HTMX = {"HX-Request": "true"}


def item_saying(db: Session, plan: Plan, words: str) -> Item:
    """The plan's item whose current words start with these."""
    for item, revision in db.exec(
        select(Item, ItemRevision)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(Item.plan_id == plan.id)
    ):
        if revision.text.startswith(words):
            return item
    raise LookupError(words)


def item_count(db: Session, plan: Plan) -> int:
    return db.exec(select(func.count()).select_from(Item).where(Item.plan_id == plan.id)).one()


def revisions_of(db: Session, item: Item) -> list[ItemRevision]:
    return list(
        db.exec(
            select(ItemRevision).where(ItemRevision.item_id == item.id).order_by(col(ItemRevision.number))
        )
    )


def last_event(db: Session) -> AuditEvent:
    return db.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()  # type: ignore[return-value]


@pytest.fixture
def sam(db_session: Session, demo: Demo) -> Plan:
    return plan_of(db_session, "Sam Taylor")


# Adding items -----------------------------------------------------------------------------------

NEED = "Sam loses his place when copying from the board and needs the text on his desk."


def test_priya_adds_a_need_and_it_appears_on_the_plan(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    form = client.get(f"/plans/{sam.id}/sections/B/new")
    assert form.status_code == 200
    check_page(form.text)
    assert '<h1 class="govuk-heading-l">Add a need</h1>' in form.text
    assert 'name="area_of_need"' in form.text
    response = client.post(
        f"/plans/{sam.id}/sections/B/items",
        data={"csrf_token": csrf, "text": NEED, "area_of_need": "cognition_and_learning"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    item = item_saying(db_session, sam, NEED)
    assert response.headers["location"] == f"/plans/{sam.id}/sections/B#item-{item.id}"
    added = events(db_session, "item.added")[-1]
    assert added.object_id == str(item.id)
    assert added.details["section"] == "B"
    assert added.channel == "page"
    page = client.get(response.headers["location"]).text
    block = text_of(page.split(f'id="item-{item.id}"', 1)[1].split("</li>", 1)[0])
    assert NEED in block
    assert "Area of need: Cognition and learning" in block
    assert "Priya Shah" in block
    assert "Revision 1" in block


def test_dr_khan_adds_health_provision_with_how_much_and_how_often(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Dr Aisha Khan"))
    form = client.get(f"/plans/{sam.id}/sections/G/new").text
    check_page(form)
    trust = db_session.exec(select(Organisation).where(Organisation.name == "Northshire NHS Trust")).one()
    assert f'<option value="{trust.id}">Northshire NHS Trust</option>' in form
    response = client.post(
        f"/plans/{sam.id}/sections/G/items",
        data={
            "csrf_token": csrf,
            "text": "Speech and language therapy in a small group.",
            "delivered_by": "Speech and language therapist",
            "delivered_by_organisation_id": str(trust.id),
            "amount": "45",
            "unit": "minutes",
            "frequency": "week",
            "starts_on-day": "5",
            "starts_on-month": "1",
            "starts_on-year": "2027",
            "review_on-day": "26",
            "review_on-month": "3",
            "review_on-year": "2027",
        },
    )
    assert response.status_code == 200
    item = item_saying(db_session, sam, "Speech and language therapy")
    block = text_of(response.text.split(f'id="item-{item.id}"', 1)[1].split("</li>", 1)[0])
    assert (
        "Provision 45 minutes a week, by Speech and language therapist from Northshire NHS Trust;"
        " from 5 January 2027." in block
    )
    assert "Review date 26 March 2027" in block
    assert "Dr Aisha Khan" in block


def test_an_outcome_has_a_date_to_achieve_it_by(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Tom Baker"))
    response = client.post(
        f"/plans/{sam.id}/sections/E/items",
        data={
            "csrf_token": csrf,
            "text": "Sam will join a game at playtime.",
            "achieve_by-day": "1",
            "achieve_by-month": "4",
            "achieve_by-year": "2027",
        },
    )
    assert "To achieve by 1 April 2027" in text_of(response.text)


def test_a_section_outside_one_s_part_is_refused(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Dr Aisha Khan"))
    before = item_count(db_session, sam)
    form = client.get(f"/plans/{sam.id}/sections/F/new")
    assert form.status_code == 403
    check_page(form.text)
    assert "does not include writing in “Support in school”" in form.text
    response = client.post(
        f"/plans/{sam.id}/sections/F/items", data={"csrf_token": csrf, "text": "Extra support in class."}
    )
    assert response.status_code == 403
    assert item_count(db_session, sam) == before
    refused = events(db_session, "item.refused")[-1]
    assert refused.outcome == "refused"


@pytest.mark.parametrize("section", ["I", "J", "Z", "b"])
def test_a_section_the_plan_does_not_have_is_not_found(
    client: TestClient, demo: Demo, sign_in_as: SignIn, sam: Plan, section: str
) -> None:
    sign_in_as(demo("Priya Shah"))
    assert client.get(f"/plans/{sam.id}/sections/{section}/new").status_code == 404


def test_empty_words_and_a_need_without_its_area_are_shown_beside_the_fields(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    before = item_count(db_session, sam)
    response = client.post(f"/plans/{sam.id}/sections/B/items", data={"csrf_token": csrf, "text": "  "})
    assert response.status_code == 200
    check_page(response.text)
    assert "<title>Error: Add a need" in response.text
    assert error_summary(response.text) == [
        ("text", "Enter the words of the need"),
        ("area_of_need", "Select the area of need"),
    ]
    assert error_beside(response.text, "text") == "Enter the words of the need"
    assert error_beside(response.text, "area_of_need") == "Select the area of need"
    assert item_count(db_session, sam) == before
    # What was typed stays.
    kept = client.post(
        f"/plans/{sam.id}/sections/B/items",
        data={"csrf_token": csrf, "text": "Finds <long> words hard", "area_of_need": ""},
    ).text
    assert "Finds &lt;long&gt; words hard</textarea>" in kept
    assert error_summary(kept) == [("area_of_need", "Select the area of need")]


def test_provision_problems_are_named_field_by_field(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    response = client.post(
        f"/plans/{sam.id}/sections/F/items",
        data={
            "csrf_token": csrf,
            "text": "Reading support",
            "amount": "lots",
            "unit": "hours",
            "starts_on-day": "30",
            "starts_on-month": "2",
            "starts_on-year": "2027",
            "review_on-day": "1",
            "review_on-year": "2027",
        },
    )
    assert error_summary(response.text) == [
        ("amount", "Enter how much as a number, like 3 or 1.5"),
        ("frequency", "Select how often"),
        ("starts_on-day", "The start date must be a real date"),
        ("review_on-month", "The review date must include a month"),
    ]
    assert error_beside(response.text, "starts_on") == "The start date must be a real date"
    assert 'value="lots"' in response.text


def test_a_professional_records_a_view_for_a_family_member_of_the_plan(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Jo Green"))
    form = client.get(f"/plans/{sam.id}/sections/A/new").text
    check_page(form)
    assert "Whose view is this?" in form
    assert "Sam Taylor (child or young person)" in form
    assert "Alex Taylor (parent or carer)" in form
    assert "Jo Green" not in form.split("<form", 1)[1].split("</form>", 1)[0]
    missing = client.post(f"/plans/{sam.id}/sections/A/items", data={"csrf_token": csrf, "text": "Hello"})
    assert error_summary(missing.text) == [("voice_id", "Select whose view this is")]
    priya = demo("Priya Shah")
    stranger = client.post(
        f"/plans/{sam.id}/sections/A/items",
        data={"csrf_token": csrf, "text": "Hello", "voice_id": str(priya.id)},
    )
    assert error_summary(stranger.text) == [
        ("voice_id", "Select whose view this is: the child or a parent on this plan")
    ]


def test_a_parent_writes_their_own_view(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Alex Taylor"))
    form = client.get(f"/plans/{sam.id}/sections/A/new").text
    assert '<h1 class="govuk-heading-l">Add your view</h1>' in form
    assert "Whose view" not in form
    assert "In your own words" in form
    client.post(
        f"/plans/{sam.id}/sections/A/items", data={"csrf_token": csrf, "text": "Sam sleeps better now."}
    )
    item = item_saying(db_session, sam, "Sam sleeps better now.")
    assert item.voice_id == demo("Alex Taylor").id


# With htmx --------------------------------------------------------------------------------------


def test_with_htmx_the_add_form_and_the_new_item_are_fragments(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    form = client.get(f"/plans/{sam.id}/sections/B/new", headers=HTMX)
    assert form.status_code == 200
    assert "HX-Request" in form.headers["vary"]
    assert "<html" not in form.text
    assert form.text.lstrip().startswith('<div id="section-B-add"')
    assert f'hx-post="/plans/{sam.id}/sections/B/items"' in form.text
    assert 'id="section-B-text"' in form.text  # ids stay unique beside other open forms
    assert re.search(r'<textarea[^>]*id="section-B-text"[^>]*autofocus', form.text)
    invalid = client.post(
        f"/plans/{sam.id}/sections/B/items", data={"csrf_token": csrf, "text": ""}, headers=HTMX
    )
    assert invalid.status_code == 200  # htmx swaps only successful answers in
    assert "<html" not in invalid.text
    assert error_summary(invalid.text) == [
        ("section-B-text", "Enter the words of the need"),
        ("section-B-area_of_need", "Select the area of need"),
    ]
    assert re.search(r'class="govuk-error-summary"[^>]*tabindex="-1" autofocus', invalid.text)
    added = client.post(
        f"/plans/{sam.id}/sections/B/items",
        data={"csrf_token": csrf, "text": NEED, "area_of_need": "cognition_and_learning"},
        headers=HTMX,
    )
    assert added.status_code == 200
    assert "<html" not in added.text
    item = item_saying(db_session, sam, NEED)
    assert added.text.lstrip().startswith('<div id="section-B-add"')
    assert 'hx-swap-oob="beforeend:#section-B-items"' in added.text
    assert f'<li class="oneplan-item" id="item-{item.id}" tabindex="-1" autofocus>' in added.text
    assert NEED in added.text


def test_with_htmx_editing_swaps_the_form_in_place_and_the_saved_item_back(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    item = item_saying(db_session, sam, "Sam reads words accurately")
    form = client.get(f"/plans/{sam.id}/items/{item.id}/edit", headers=HTMX)
    assert form.status_code == 200
    assert form.text.lstrip().startswith(
        f'<li class="oneplan-item oneplan-item--editing" id="item-{item.id}">'
    )
    assert f'hx-target="#item-{item.id}"' in form.text
    assert 'name="based_on" value="1"' in form.text
    saved = client.post(
        f"/plans/{sam.id}/items/{item.id}",
        data={
            "csrf_token": csrf,
            "based_on": "1",
            "text": "Sam reads words accurately; his understanding is behind.",
            "area_of_need": "cognition_and_learning",
        },
        headers=HTMX,
    )
    assert saved.status_code == 200
    assert "<html" not in saved.text
    assert saved.text.lstrip().startswith(
        f'<li class="oneplan-item" id="item-{item.id}" tabindex="-1" autofocus>'
    )
    assert "his understanding is behind." in saved.text
    assert "Revision 2" in text_of(saved.text)


# Editing ----------------------------------------------------------------------------------------


def test_editing_without_javascript_adds_a_revision(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Tom Baker"))
    item = item_saying(db_session, sam, "By Easter, Sam will eat his lunch calmly")
    form = client.get(f"/plans/{sam.id}/items/{item.id}/edit")
    assert form.status_code == 200
    check_page(form.text)
    assert "By Easter, Sam will eat his lunch calmly" in form.text
    assert 'name="achieve_by-day" type="text" value="26"' in form.text
    response = client.post(
        f"/plans/{sam.id}/items/{item.id}",
        data={
            "csrf_token": csrf,
            "based_on": "1",
            "text": "By Easter, Sam will eat his lunch calmly in the hall.",
            "achieve_by-day": "26",
            "achieve_by-month": "3",
            "achieve_by-year": "2027",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/plans/{sam.id}/sections/E#item-{item.id}"
    assert [revision.number for revision in revisions_of(db_session, item)] == [1, 2]
    assert events(db_session, "item.revised")[-1].object_id == str(item.id)


def test_edit_errors_are_shown_beside_the_fields(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Tom Baker"))
    item = item_saying(db_session, sam, "By Easter, Sam will eat his lunch calmly")
    response = client.post(
        f"/plans/{sam.id}/items/{item.id}",
        data={"csrf_token": csrf, "based_on": "1", "text": "", "achieve_by-day": "40"},
    )
    assert response.status_code == 200
    check_page(response.text)
    assert "<title>Error: Edit this outcome" in response.text
    assert error_summary(response.text) == [
        ("text", "Enter the words of the outcome"),
        ("achieve_by-month", "The date to achieve it by must include a month and a year"),
    ]
    assert len(revisions_of(db_session, item)) == 1


def test_nobody_edits_another_person_s_view(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Alex Taylor"))
    sams_view = item_saying(db_session, sam, "I like drawing dragons")
    assert client.get(f"/plans/{sam.id}/items/{sams_view.id}/edit").status_code == 403
    response = client.post(
        f"/plans/{sam.id}/items/{sams_view.id}",
        data={"csrf_token": csrf, "based_on": "1", "text": "Something else"},
    )
    assert response.status_code == 403
    assert "Only the person who wrote these words can change them" in response.text
    assert len(revisions_of(db_session, sams_view)) == 1


def test_an_issued_plan_cannot_be_changed(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    ella = plan_of(db_session, "Ella Morris")
    csrf = sign_in_as(demo("Chris Wood"))
    item = item_saying(db_session, ella, "Travel training")
    edit = client.get(f"/plans/{ella.id}/items/{item.id}/edit")
    assert edit.status_code == 409
    check_page(edit.text)
    assert "changes are made through a review" in edit.text
    saved = client.post(
        f"/plans/{ella.id}/items/{item.id}", data={"csrf_token": csrf, "based_on": "1", "text": "Changed"}
    )
    assert saved.status_code == 409
    added = client.post(f"/plans/{ella.id}/sections/F/items", data={"csrf_token": csrf, "text": "More"})
    assert added.status_code == 409
    assert len(revisions_of(db_session, item)) == 1


# Two people editing the same item at once -------------------------------------------------------

TOMS = "By the end of Year 4, Sam will follow a three-step instruction with a checklist, every lesson."
PRIYAS = (
    "By the end of Year 4, Sam will follow a three-step instruction in class, in four out of five lessons."
)


def _outcome_form(csrf: str, text: str, based_on: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "based_on": based_on,
        "text": text,
        "achieve_by-day": "16",
        "achieve_by-month": "7",
        "achieve_by-year": "2027",
    }


def test_when_two_people_edit_at_once_both_texts_survive(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    outcome = item_saying(db_session, sam, "By the end of Year 4, Sam will follow")
    assert outcome.revision_number == 2
    # Both open the edit form at revision 2.
    priya_csrf = sign_in_as(demo("Priya Shah"))
    assert 'name="based_on" value="2"' in client.get(f"/plans/{sam.id}/items/{outcome.id}/edit").text
    tom_csrf = sign_in_as(demo("Tom Baker"))
    assert 'name="based_on" value="2"' in client.get(f"/plans/{sam.id}/items/{outcome.id}/edit").text
    # Tom saves first.
    first = client.post(
        f"/plans/{sam.id}/items/{outcome.id}", data=_outcome_form(tom_csrf, TOMS, "2"), follow_redirects=False
    )
    assert first.status_code == 303
    # Priya saves second (in her own session again): refused, with both texts and hers in the merge box.
    priya_csrf = sign_in_as(demo("Priya Shah"))
    second = client.post(f"/plans/{sam.id}/items/{outcome.id}", data=_outcome_form(priya_csrf, PRIYAS, "2"))
    assert second.status_code == 409
    check_page(second.text)
    assert "<title>Someone saved this while you were editing" in second.text
    page = text_of(second.text)
    assert "Tom Baker saved revision 3" in page
    assert f"Their words: revision 3, saved {TOMS}" in page
    assert f"Your words: not saved yet {PRIYAS}" in page
    assert re.search(r'<textarea[^>]*name="text"[^>]*>' + re.escape(PRIYAS) + "</textarea>", second.text)
    assert 'name="based_on" value="3"' in second.text
    assert "Your words, to save as revision 4" in page
    assert "<ins" in second.text
    assert "<del" in second.text
    assert [revision.number for revision in revisions_of(db_session, outcome)] == [1, 2, 3]
    # She saves the merge: revision 4, and every text stays in the history.
    merged = client.post(
        f"/plans/{sam.id}/items/{outcome.id}",
        data=_outcome_form(priya_csrf, PRIYAS, "3"),
        follow_redirects=False,
    )
    assert merged.status_code == 303
    texts = {revision.number: revision.text for revision in revisions_of(db_session, outcome)}
    assert (texts[3], texts[4]) == (TOMS, PRIYAS)
    history = client.get(f"/plans/{sam.id}/items/{outcome.id}?from=3&to=4")
    assert history.status_code == 200
    rows = re.findall(r'<th scope="row" class="govuk-table__header">(\d+)</th>', history.text)
    assert rows == ["1", "2", "3", "4"]


def test_with_htmx_the_conflict_is_swapped_in_place(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    outcome = item_saying(db_session, sam, "By the end of Year 4, Sam will follow")
    csrf = sign_in_as(demo("Priya Shah"))
    client.post(f"/plans/{sam.id}/items/{outcome.id}", data=_outcome_form(csrf, TOMS, "2"))
    stale = client.post(
        f"/plans/{sam.id}/items/{outcome.id}", data=_outcome_form(csrf, PRIYAS, "2"), headers=HTMX
    )
    assert stale.status_code == 200
    assert "<html" not in stale.text
    assert stale.text.lstrip().startswith(
        f'<li class="oneplan-item oneplan-item--editing" id="item-{outcome.id}">'
    )
    assert "Someone saved this while you were editing" in stale.text
    assert re.search(r'class="oneplan-conflict" tabindex="-1" autofocus', stale.text)
    assert TOMS in stale.text
    assert PRIYAS in stale.text
    assert 'name="based_on" value="3"' in stale.text


# History ----------------------------------------------------------------------------------------


def test_the_history_shows_every_revision_and_the_difference_between_two(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    alex = demo("Alex Taylor")
    sign_in_as(alex)
    outcome = item_saying(db_session, sam, "By the end of Year 4, Sam will follow")
    response = client.get(f"/plans/{sam.id}/items/{outcome.id}")
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    assert "History of this outcome" in page
    assert re.search(r"1 Priya Shah \d+ \w+ \d{4} at", page)
    assert re.search(r"2 Tom Baker \d+ \w+ \d{4} at", page)
    # By default the last two are compared: Tom added a written checklist.
    assert re.search(r"<ins[^>]*>.*?and a written checklist on his desk", response.text)
    assert "/edit" not in response.text  # a parent does not revise outcomes
    read = events(db_session, "item.read")[-1]
    assert (read.actor_id, read.object_id) == (alex.id, str(outcome.id))


def test_the_history_compares_the_revisions_chosen(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    sign_in_as(demo("Priya Shah"))
    outcome = item_saying(db_session, sam, "By the end of Year 4, Sam will follow")
    reverse = client.get(f"/plans/{sam.id}/items/{outcome.id}?from=2&to=1").text
    assert re.search(r"<del[^>]*>.*?and a written checklist on his desk", reverse)
    same = client.get(f"/plans/{sam.id}/items/{outcome.id}?from=2&to=2").text
    assert "The words are the same in both." in same
    wrong = client.get(f"/plans/{sam.id}/items/{outcome.id}?from=9&to=2")
    assert wrong.status_code == 200
    check_page(wrong.text)
    assert error_summary(wrong.text) == [("compare-from", "Choose a revision from 1 to 2")]


def test_an_item_of_another_plan_is_not_found(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    sign_in_as(demo("Priya Shah"))
    ellas = item_saying(db_session, plan_of(db_session, "Ella Morris"), "Travel training")
    assert client.get(f"/plans/{sam.id}/items/{ellas.id}").status_code == 404
    assert client.get(f"/plans/{sam.id}/items/{ellas.id}/edit").status_code == 404


# Comments ---------------------------------------------------------------------------------------


def test_alex_comments_without_javascript(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Alex Taylor"))
    provision = item_saying(db_session, sam, "Occupational therapy sensory review")
    response = client.post(
        f"/plans/{sam.id}/items/{provision.id}/comments",
        data={"csrf_token": csrf, "comment": "Could the review look at assemblies too?"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    comment = db_session.exec(select(ItemComment).where(ItemComment.item_id == provision.id)).one()
    assert response.headers["location"] == f"/plans/{sam.id}/sections/G#comment-{comment.id}"
    assert events(db_session, "comment.added")[-1].object_id == str(comment.id)
    page = client.get(response.headers["location"]).text
    block = text_of(page.split(f'id="comment-{comment.id}"', 1)[1].split("</li>", 1)[0])
    assert "Could the review look at assemblies too?" in block
    assert "Alex Taylor" in block


def test_an_empty_comment_is_shown_beside_the_field(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Alex Taylor"))
    provision = item_saying(db_session, sam, "Occupational therapy sensory review")
    response = client.post(
        f"/plans/{sam.id}/items/{provision.id}/comments", data={"csrf_token": csrf, "comment": "  "}
    )
    assert response.status_code == 200
    check_page(response.text)
    assert "<title>Error: History of this provision" in response.text
    assert error_summary(response.text) == [("comment", "Enter your comment")]
    assert error_beside(response.text, "comment") == "Enter your comment"
    assert db_session.exec(select(ItemComment).where(ItemComment.item_id == provision.id)).first() is None


def test_comments_from_the_history_page_go_back_to_it(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Jo Green"))
    provision = item_saying(db_session, sam, "Occupational therapy sensory review")
    history = client.get(f"/plans/{sam.id}/items/{provision.id}").text
    assert 'name="back" value="item"' in history
    response = client.post(
        f"/plans/{sam.id}/items/{provision.id}/comments",
        data={"csrf_token": csrf, "comment": "The short breaks team can join.", "back": "item"},
    )
    assert response.status_code == 200
    comment = db_session.exec(select(ItemComment).where(ItemComment.item_id == provision.id)).one()
    assert str(response.url).endswith(f"/plans/{sam.id}/items/{provision.id}#comment-{comment.id}")
    assert "The short breaks team can join." in response.text
    assert "on revision 1" in text_of(response.text)


def test_with_htmx_a_comment_comes_back_in_its_item(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Alex Taylor"))
    provision = item_saying(db_session, sam, "Occupational therapy sensory review")
    empty = client.post(
        f"/plans/{sam.id}/items/{provision.id}/comments",
        data={"csrf_token": csrf, "comment": ""},
        headers=HTMX,
    )
    assert empty.status_code == 200
    assert empty.text.lstrip().startswith(f'<li class="oneplan-item" id="item-{provision.id}"')
    assert error_beside(empty.text, f"item-{provision.id}-comment") == "Enter your comment"
    assert '<details class="govuk-details oneplan-item__details" open>' in empty.text
    assert f'id="item-{provision.id}-comment-text"' in empty.text
    added = client.post(
        f"/plans/{sam.id}/items/{provision.id}/comments",
        data={"csrf_token": csrf, "comment": "Thank you."},
        headers=HTMX,
    )
    comment = db_session.exec(select(ItemComment).where(ItemComment.item_id == provision.id)).one()
    assert f'id="comment-{comment.id}" tabindex="-1" autofocus' in added.text
    assert "Comments (1)" in added.text


def test_audit_officers_only_read(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Rita Okafor"))
    provision = item_saying(db_session, sam, "Occupational therapy sensory review")
    assert client.get(f"/plans/{sam.id}/items/{provision.id}").status_code == 200
    assert client.get(f"/plans/{sam.id}/items/{provision.id}/edit").status_code == 403
    assert client.get(f"/plans/{sam.id}/sections/{Section.F}/new").status_code == 403
    response = client.post(
        f"/plans/{sam.id}/items/{provision.id}/comments", data={"csrf_token": csrf, "comment": "Noted."}
    )
    assert response.status_code == 403
    assert last_event(db_session).outcome == "refused"


def test_words_keep_their_paragraphs_and_line_breaks(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, sam: Plan
) -> None:
    csrf = sign_in_as(demo("Alex Taylor"))
    words = "Mornings are better.\r\n\r\nStill hard:\r\n<b>Mondays</b>\r\nand after holidays."
    response = client.post(f"/plans/{sam.id}/sections/A/items", data={"csrf_token": csrf, "text": words})
    item = item_saying(db_session, sam, "Mornings are better.")
    block = response.text.split(f'id="item-{item.id}"', 1)[1].split("</li>", 1)[0]
    assert (
        '<p class="govuk-body">Mornings are better.</p>'
        '<p class="govuk-body">Still hard:<br>&lt;b&gt;Mondays&lt;/b&gt;<br>and after holidays.</p>'
    ) in block


def test_a_nul_character_is_refused_plainly_and_nothing_is_saved(
    client: TestClient,
    db_session: Session,
    demo: Callable[[str], Person],
    sign_in_as: Callable[[Person], str],
) -> None:
    """No keyboard types a NUL, but a crafted form can: a 400 page, never a database error."""
    priya = demo("Priya Shah")
    csrf = sign_in_as(priya)
    plan_id = plan_of(db_session, "Sam Taylor").id
    before = len(db_session.exec(select(Item)).all())
    response = client.post(
        f"/plans/{plan_id}/sections/B/items",
        data={"csrf_token": csrf, "text": "Sam\x00", "area_of_need": "cognition_and_learning"},
    )
    assert response.status_code == 400
    assert "cannot be stored" in response.text
    assert len(db_session.exec(select(Item)).all()) == before
