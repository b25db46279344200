"""The page form layer (app/forms): what a person typed becomes a typed form, or the GOV.UK error summary's
problems keyed by the id each links to, in the order of the fields on the page."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated

import pytest
from fastapi.testclient import TestClient
from pydantic import Field
from sqlmodel import Session

from app.clock import uk_today
from app.forms import Choice, ChosenId, GovukDate, Number, PageForm, Text
from app.forms.items import ItemForm, RevisionsForm
from app.forms.plan_stages import ChangesForm, ReviewForm
from app.forms.sign_in import SignInForm
from app.forms.timelines import AdviceReturnedForm
from app.models import AreaOfNeed, ItemKind, Person
from app.models.timeline import ExceptionKind
from app.services.plans.items import ContentProblem
from app.services.plans.plans import PlanProblem
from tests.test_delivery_pages import Lookup, plan_of
from tests.test_plan_pages import error_beside, error_summary


class MeetingForm(PageForm):
    """A form with one of each kind of answer, in page order."""

    note: Annotated[str, Text(20, missing="Enter a note", too_long="The note must be 20 characters or fewer")]
    held_on: Annotated[date, GovukDate(label="The meeting date", missing="Enter the meeting date")]
    follow_up_on: Annotated[date | None, GovukDate(label="The follow-up")]
    exception: Annotated[ExceptionKind, Choice(ExceptionKind, "Select the exception")]
    person_id: Annotated[int | None, ChosenId("Select a person, or nobody", optional=True)]
    hours: Annotated[
        float, Number("Enter the hours, more than 0 and less than 10", more_than=0, less_than=10)
    ]
    view: Annotated[
        str, Text(10, too_long="A view must be 10 characters or fewer"), Field(alias="views-1-view")
    ]


EXCEPTION = next(iter(ExceptionKind)).value
FILLED = {
    "note": "  Agreed  ",
    "held_on-day": "27",
    "held_on-month": "3",
    "held_on-year": "2026",
    "exception": EXCEPTION,
    "person_id": "",
    "hours": "2.5",
}


def test_a_complete_form_is_read_into_its_types_with_the_spaces_trimmed() -> None:
    form, errors = MeetingForm.read(FILLED)
    assert errors == {}
    assert form is not None
    assert (form.note, form.held_on, form.follow_up_on) == ("Agreed", date(2026, 3, 27), None)
    assert (form.exception.value, form.person_id, form.hours, form.view) == (EXCEPTION, None, 2.5, "")


def test_an_empty_form_lists_every_problem_in_page_order_keyed_by_the_id_it_links_to() -> None:
    form, errors = MeetingForm.read({})
    assert form is None
    assert list(errors.items()) == [
        ("note", "Enter a note"),
        ("held_on-day", "Enter the meeting date"),
        ("exception", "Select the exception"),
        ("hours", "Enter the hours, more than 0 and less than 10"),
    ]


@pytest.mark.parametrize(
    ("boxes", "key", "message"),
    [
        (
            {"held_on-day": "27", "held_on-year": "2026"},
            "held_on-month",
            "The meeting date must include a month",
        ),
        ({"held_on-day": "27"}, "held_on-month", "The meeting date must include a month and a year"),
        (
            {"held_on-month": "3", "held_on-year": "2026"},
            "held_on-day",
            "The meeting date must include a day",
        ),
        (
            {"held_on-day": "31", "held_on-month": "2", "held_on-year": "2026"},
            "held_on-day",
            "The meeting date must be a real date",
        ),
        (
            {"held_on-day": "1", "held_on-month": "13", "held_on-year": "2026"},
            "held_on-day",
            "The meeting date must be a real date",
        ),
        (
            {"held_on-day": "1", "held_on-month": "3", "held_on-year": "26"},
            "held_on-day",
            "The meeting date must be a real date",
        ),
        (
            {"held_on-day": "one", "held_on-month": "3", "held_on-year": "2026"},
            "held_on-day",
            "The meeting date must be a real date",
        ),
        (
            {"held_on-day": "1", "held_on-month": "3", "held_on-year": "1066"},
            "held_on-day",
            "The meeting date must be a real date",
        ),
    ],
)
def test_a_date_with_a_box_left_empty_or_not_real_is_a_problem_at_that_box(
    boxes: dict[str, str], key: str, message: str
) -> None:
    typed = {name: value for name, value in FILLED.items() if not name.startswith("held_on")} | boxes
    assert MeetingForm.read(typed) == (None, {key: message})


def test_a_date_may_come_whole_as_in_an_address_and_an_optional_one_may_be_left_out() -> None:
    form, _errors = MeetingForm.read(FILLED | {"follow_up_on": "2026-04-10"})
    assert form is not None
    assert form.follow_up_on == date(2026, 4, 10)
    assert MeetingForm.read(FILLED | {"follow_up_on": "10 April"})[1] == {
        "follow_up_on-day": "The follow-up must be a real date"
    }


def test_a_form_pinned_to_the_first_box_links_a_missing_month_there() -> None:
    assert ReviewForm.read({"held_on-day": "3", "held_on-year": "2026"})[1]["held_on-day"] == (
        "The date must include a month"
    )


def test_too_long_a_text_and_a_number_out_of_range_say_so_beside_their_fields() -> None:
    form, errors = MeetingForm.read(FILLED | {"note": "x" * 21, "hours": "10", "views-1-view": "y" * 11})
    assert form is None
    assert errors == {
        "note": "The note must be 20 characters or fewer",
        "hours": "Enter the hours, more than 0 and less than 10",
        "views-1-view": "A view must be 10 characters or fewer",
    }
    assert MeetingForm.read(FILLED | {"hours": "nan"})[1] == {
        "hours": "Enter the hours, more than 0 and less than 10"
    }


def test_a_choice_not_offered_and_an_id_that_is_not_one_are_problems() -> None:
    assert MeetingForm.read(FILLED | {"exception": "invented", "person_id": "12x"})[1] == {
        "exception": "Select the exception",
        "person_id": "Select a person, or nobody",
    }


def test_text_that_cannot_be_stored_is_refused() -> None:
    assert MeetingForm.read(FILLED | {"note": "Sam\x00"})[1] == {
        "note": "Use ordinary text, without control characters"
    }


def test_what_was_typed_is_shown_again_as_typed_box_by_box() -> None:
    shown = MeetingForm.shown({"note": "  Agreed ", "held_on-day": "31", "csrf_token": "secret"})
    assert shown["note"] == "  Agreed "
    assert (shown["held_on-day"], shown["held_on-month"], shown["views-1-view"]) == ("31", "", "")
    assert "csrf_token" not in shown


def test_a_services_refusal_is_shown_beside_the_field_it_names_a_date_at_its_first_box() -> None:
    assert MeetingForm.problem_errors(PlanProblem("held_on", "The meeting cannot be before the request")) == {
        "held_on-day": "The meeting cannot be before the request"
    }
    refused = ContentProblem({"hours": "Too many hours", "note": "Say more"})
    assert list(MeetingForm.problem_errors(refused)) == ["note", "hours"]


def test_a_form_shown_more_than_once_reads_and_links_its_own_boxes() -> None:
    _form, errors = AdviceReturnedForm.read({"returned_on_7-day": "2"}, suffix="_7")
    assert errors == {"returned_on_7-month": "The date must include a month and a year"}
    refused = PlanProblem("advice", "This advice has already come back")
    assert AdviceReturnedForm.problem_errors(refused, suffix="_7") == {
        "returned_on_7-day": "This advice has already come back"
    }


def test_what_changed_since_a_day_to_come_is_refused() -> None:
    tomorrow = uk_today() + timedelta(days=1)
    assert ChangesForm.read({"since": tomorrow.isoformat()})[1] == {
        "since-day": "The date must be today or in the past"
    }


def test_a_password_is_read_exactly_as_typed() -> None:
    form, _errors = SignInForm.read({"email": " priya@example.org ", "password": " secret "})
    assert form is not None
    assert (form.email, form.password) == ("priya@example.org", " secret ")


# On the pages ------------------------------------------------------------------------------------


def test_the_day_of_a_move_is_typed_in_three_boxes_and_a_missing_month_is_marked_where_it_is_missing(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: Callable[[Person], str]
) -> None:
    plan = plan_of(db_session, demo("Sam Taylor"))
    token = sign_in_as(demo("Priya Shah"))
    today = uk_today()
    page = client.get(f"/plans/{plan.id}/move").text
    assert f'name="moves_on-day" type="text" value="{today.day}"' in page
    typed = {"csrf_token": token, "moves_on-day": "3", "moves_on-year": "2026"}
    response = client.post(f"/plans/{plan.id}/move", data=typed)
    assert response.status_code == 200
    assert error_summary(response.text) == [
        ("to_setting_id", "Select the new school"),
        ("new_senco_id", "Select the new school's SENCo"),
        ("moves_on-month", "The day of the move must include a month"),
    ]
    assert error_beside(response.text, "moves_on") == "The day of the move must include a month"
    assert 'name="moves_on-year" type="text" value="2026"' in response.text


def test_a_review_meeting_on_a_day_that_does_not_exist_is_refused_beside_its_date(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: Callable[[Person], str]
) -> None:
    ella = plan_of(db_session, demo("Ella Morris"))
    token = sign_in_as(demo("Morgan Price"))
    typed = {"csrf_token": token, "meeting_on-day": "30", "meeting_on-month": "2", "meeting_on-year": "2027"}
    response = client.post(f"/plans/{ella.id}/review-meetings", data=typed)
    assert response.status_code == 200
    assert error_summary(response.text) == [("meeting_on-day", "The date must be a real date")]
    assert error_beside(response.text, "meeting_on") == "The date must be a real date"
    assert 'name="meeting_on-day" type="text" value="30"' in response.text


def test_an_item_lists_the_forms_problems_and_the_services_at_once_in_page_order() -> None:
    """What the form cannot read and what the service refuses of the rest are shown together."""
    typed = ItemForm.read_item(
        {
            "text": " ",
            "amount": "lots",
            "unit": "hours",
            "session_minutes": "30.5",
            "group_of": "3",
            "starts_on-day": "10",
            "starts_on-month": "3",
            "starts_on-year": "2027",
            "ends_on-day": "1",
            "ends_on-month": "3",
            "ends_on-year": "2027",
        },
        ItemKind.PROVISION,
        needs_voice=False,
    )
    assert list(typed.errors.items()) == [
        ("text", "Enter the words of the provision"),
        ("amount", "Enter how much as a number, like 3 or 1.5"),
        ("frequency", "Select how often"),
        ("session_minutes", "Enter how long each session is as a whole number of minutes, like 30"),
        ("group_of", "Give how many children only for a small group"),
        ("ends_on-day", "The end date must be on or after the start date"),
    ]
    assert typed.values["amount"] == "lots"


def test_an_item_reads_only_the_particulars_of_its_kind() -> None:
    """A need has no amount: whatever a crafted form sends for one is neither read nor refused."""
    typed = ItemForm.read_item(
        {"text": "Reading", "area_of_need": "cognition_and_learning", "amount": "lots", "voice_id": "x"},
        ItemKind.NEED,
        needs_voice=False,
    )
    assert typed.errors == {}
    assert (typed.content.area_of_need, typed.content.amount, typed.voice_id) == (
        AreaOfNeed.COGNITION_AND_LEARNING,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Enter how much as a number more than 0 and up to 10,000"),
        ("10001", "Enter how much as a number more than 0 and up to 10,000"),
        ("nan", "Enter how much as a number more than 0 and up to 10,000"),
        ("three", "Enter how much as a number, like 3 or 1.5"),
    ],
)
def test_an_amount_out_of_range_is_told_its_range_and_one_not_a_number_an_example(
    typed: str, message: str
) -> None:
    form = {"text": "Speech therapy", "amount": typed, "unit": "hours", "frequency": "week"}
    assert ItemForm.read_item(form, ItemKind.PROVISION, needs_voice=False).errors == {"amount": message}


@pytest.mark.parametrize(
    ("chosen", "errors"),
    [
        ({"compare-from": "1", "compare-to": "3"}, {}),
        (
            {"compare-from": "0", "compare-to": "03"},
            {
                "compare-from": "Choose a revision from 1 to 3",
                "compare-to": "Choose a revision from 1 to 3",
            },
        ),
        ({"compare-from": "", "compare-to": "4"}, {"compare-to": "Choose a revision from 1 to 3"}),
    ],
)
def test_only_revisions_the_item_has_are_compared(chosen: dict[str, str], errors: dict[str, str]) -> None:
    assert RevisionsForm.read(chosen, context={"count": 3})[1] == errors
