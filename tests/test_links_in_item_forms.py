"""Tying the plan together where you write: the add and edit forms of a need, outcome or provision
say what it answers (or serves), several at once, saved with the item and audited as on the linking
page; an item saved in place shows its links and its checks at once."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Item, ItemLink, Plan, Section
from tests.page_checks import check_page
from tests.test_plan_item_pages import HTMX, Demo, SignIn, item_saying
from tests.test_plan_pages import error_beside, events, plan_of, text_of

OUTCOME = "By the end of the spring term, Sam will copy a short passage from a sheet on his desk."
PROVISION = "A copy of the board work on Sam's desk in every lesson, prepared by the class teacher."


def answered_by(db: Session, item: Item) -> set[int]:
    links = db.exec(select(ItemLink).where(ItemLink.item_id == item.id, col(ItemLink.removed_at).is_(None)))
    return {link.answers_id for link in links}


def needs_of(db: Session, plan: Plan) -> list[Item]:
    return list(
        db.exec(select(Item).where(Item.plan_id == plan.id, Item.kind == "need").order_by(col(Item.id)))
    )


def outcome_form(csrf: str, ticked: list[Item], **more: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "text": OUTCOME,
        "achieve_by-day": "1",
        "achieve_by-month": "4",
        "achieve_by-year": "2027",
        "answers_offered": "yes",
        **{f"answers-{item.id}": "yes" for item in ticked},
        **more,
    }


def test_the_add_form_offers_what_an_outcome_answers_grouped_by_section_newest_first(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sam = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Priya Shah"))
    form = client.get(f"/plans/{sam.id}/sections/E/new")
    assert form.status_code == 200
    check_page(form.text)
    fieldset = form.text.split('class="govuk-form-group oneplan-answers-choice', 1)[1].split(
        "</fieldset>", 1
    )[0]
    assert "What this outcome answers" in fieldset
    boxes = [int(found) for found in re.findall(r'name="answers-(\d+)" type="checkbox"', fieldset)]
    needs = needs_of(db_session, sam)
    assert needs, "Sam's plan has needs"
    order = list(Section)
    expected = sorted(needs, key=lambda need: (order.index(need.section), -int(need.id or 0)))
    assert [box for box in boxes if box in {need.id for need in needs}] == [need.id for need in expected]
    assert not any("checked" in box for box in re.findall(r"<input[^>]+checkbox[^>]+>", fieldset))
    read = events(db_session, "links.read")[-1]  # their first words are a read of the plan, audited
    assert (read.object_type, read.object_id, read.details) == ("plan", str(sam.id), {"plan_id": sam.id})


def test_priya_adds_an_outcome_answering_two_needs_in_one_save(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sam = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Priya Shah"))
    first, second = needs_of(db_session, sam)[:2]
    response = client.post(
        f"/plans/{sam.id}/sections/E/items", data=outcome_form(csrf, [first, second]), follow_redirects=False
    )
    assert response.status_code == 303
    outcome = item_saying(db_session, sam, OUTCOME)
    assert answered_by(db_session, outcome) == {first.id, second.id}
    added = [event for event in events(db_session, "link.added") if event.details["item_id"] == outcome.id]
    assert sorted(event.details["answers_id"] for event in added) == sorted([first.id, second.id])
    assert {event.channel for event in added} == {"page"}


def test_a_box_for_something_not_offered_is_a_problem_and_nothing_is_saved(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sam = plan_of(db_session, "Sam Taylor")
    other = db_session.exec(select(Item).where(Item.plan_id != sam.id, Item.kind == "need")).first()
    assert other is not None
    csrf = sign_in_as(demo("Priya Shah"))
    response = client.post(f"/plans/{sam.id}/sections/E/items", data=outcome_form(csrf, [other]))
    assert response.status_code == 200
    assert error_beside(response.text, "answers") == "Select only items of this plan that it can answer"
    assert 'href="#answers"' in response.text
    assert OUTCOME in response.text
    try:
        item_saying(db_session, sam, OUTCOME)
    except LookupError:
        pass
    else:
        raise AssertionError("the outcome was saved with a problem")


def test_an_outcome_added_in_place_shows_its_links_and_checks_at_once(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sam = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Priya Shah"))
    need = needs_of(db_session, sam)[0]
    form = client.get(f"/plans/{sam.id}/sections/E/new", headers=HTMX)
    assert 'id="section-E-answers"' in form.text
    added = client.post(f"/plans/{sam.id}/sections/E/items", data=outcome_form(csrf, [need]), headers=HTMX)
    assert added.status_code == 200
    outcome = item_saying(db_session, sam, OUTCOME)
    block = text_of(added.text.split(f'id="item-{outcome.id}"', 1)[1])
    assert "This outcome answers:" in block
    need_words = item_saying_words(db_session, need)
    assert need_words[:40] in block
    assert "This outcome does not answer any of the views of the child or family." in block
    assert "This outcome does not say which need it answers" not in block


def item_saying_words(db: Session, item: Item) -> str:
    from app.services.plans.items import current_revision

    return current_revision(db, item).text


def test_editing_ticks_what_it_answers_now_and_saves_the_changes(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sam = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Priya Shah"))
    first, second = needs_of(db_session, sam)[:2]
    client.post(f"/plans/{sam.id}/sections/E/items", data=outcome_form(csrf, [first]))
    outcome = item_saying(db_session, sam, OUTCOME)
    form = client.get(f"/plans/{sam.id}/items/{outcome.id}/edit")
    assert re.search(rf'name="answers-{first.id}" type="checkbox" value="yes" checked', form.text)
    assert not re.search(rf'name="answers-{second.id}" type="checkbox" value="yes" checked', form.text)
    assert f'name="answers-{outcome.id}"' not in form.text  # never itself
    edited = client.post(
        f"/plans/{sam.id}/items/{outcome.id}",
        data=outcome_form(csrf, [second], based_on="1"),
        headers=HTMX,
    )
    assert edited.status_code == 200
    assert answered_by(db_session, outcome) == {second.id}
    removed = events(db_session, "link.removed")[-1]
    assert (removed.details["item_id"], removed.details["answers_id"]) == (outcome.id, first.id)
    assert item_saying_words(db_session, second)[:40] in text_of(edited.text)


def test_a_provision_serves_an_outcome_and_shows_it_in_place(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sam = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Priya Shah"))
    client.post(f"/plans/{sam.id}/sections/E/items", data=outcome_form(csrf, needs_of(db_session, sam)[:1]))
    outcome = item_saying(db_session, sam, OUTCOME)
    form = client.get(f"/plans/{sam.id}/sections/F/new")
    assert "What this provision serves" in form.text
    added = client.post(
        f"/plans/{sam.id}/sections/F/items",
        data={
            "csrf_token": csrf,
            "text": PROVISION,
            "answers_offered": "yes",
            f"answers-{outcome.id}": "yes",
        },
        headers=HTMX,
    )
    assert added.status_code == 200
    provision = item_saying(db_session, sam, PROVISION)
    assert answered_by(db_session, provision) == {outcome.id}
    block = text_of(added.text.split(f'id="item-{provision.id}"', 1)[1])
    assert "This provision answers:" in block
    assert OUTCOME[:40] in block
    assert "does not say which outcome it serves" not in block


def test_an_edit_form_without_the_choice_leaves_the_links_alone(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sam = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Priya Shah"))
    need = needs_of(db_session, sam)[0]
    client.post(f"/plans/{sam.id}/sections/E/items", data=outcome_form(csrf, [need]))
    outcome = item_saying(db_session, sam, OUTCOME)
    older_form = outcome_form(csrf, [], based_on="1")
    del older_form["answers_offered"]
    assert client.post(f"/plans/{sam.id}/items/{outcome.id}", data=older_form).status_code == 200
    assert answered_by(db_session, outcome) == {need.id}


def test_after_adding_a_need_in_place_its_outcome_is_one_step_on(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sam = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Priya Shah"))
    words = "Sam finds it hard to copy from the board and loses his place in the text."
    added = client.post(
        f"/plans/{sam.id}/sections/B/items",
        data={"csrf_token": csrf, "text": words, "area_of_need": "cognition_and_learning"},
        headers=HTMX,
    )
    need = item_saying(db_session, sam, words)
    next_url = f"/plans/{sam.id}/sections/E/new?answering={need.id}"
    assert f'href="{next_url}"' in added.text
    assert "Add an outcome for this need" in added.text
    form = client.get(next_url, headers=HTMX)
    assert form.text.lstrip().startswith(f'<div id="item-{need.id}-next"')
    assert re.search(rf'name="answers-{need.id}" type="checkbox" value="yes" checked', form.text)
    assert f'name="answering" value="{need.id}"' in form.text
    outcome_added = client.post(
        f"/plans/{sam.id}/sections/E/items",
        data=outcome_form(csrf, [need], answering=str(need.id)),
        headers=HTMX,
    )
    outcome = item_saying(db_session, sam, OUTCOME)
    assert answered_by(db_session, outcome) == {need.id}
    assert outcome_added.text.lstrip().startswith(f'<div id="item-{need.id}-next"')
    assert f'id="item-{outcome.id}"' in outcome_added.text
    assert f"/plans/{sam.id}/sections/F/new?answering={outcome.id}" in outcome_added.text
    # The need around it shows its checks again, now that an outcome answers it.
    need_checks = outcome_added.text.split(f'<div id="item-{need.id}-checks" data-hx-swap-oob="true">', 1)[1]
    assert "This need has no provision yet" in need_checks
    assert "This need has no outcome yet" not in outcome_added.text
    assert "This need has no outcome yet" in added.text
    # Without JavaScript the same address is the add form as a page, the need ticked.
    page = client.get(next_url)
    check_page(page.text)
    assert re.search(rf'name="answers-{need.id}" type="checkbox" value="yes" checked', page.text)


def test_an_item_not_offered_is_not_ticked_by_the_address(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sam = plan_of(db_session, "Sam Taylor")
    other = db_session.exec(select(Item).where(Item.plan_id != sam.id, Item.kind == "need")).first()
    assert other is not None
    sign_in_as(demo("Priya Shah"))
    form = client.get(f"/plans/{sam.id}/sections/E/new?answering={other.id}")
    assert form.status_code == 200
    assert f"answers-{other.id}" not in form.text
    assert 'name="answering"' not in form.text
