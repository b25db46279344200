"""Structured provision below the HTTP layer: each particular of Code of Practice 9.69 kept on its own."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from app.actor import Actor
from app.models import (
    DelivererRole,
    GroupSize,
    ItemContent,
    ItemKind,
    MemberRole,
    PlanKind,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
    provision_sentence,
)
from app.models.base import id_of
from app.services.plans import items
from app.services.quality.report import outline_quality
from app.services.quality.rules import (
    NO_AMOUNT,
    NO_DELIVERER,
    NO_EXPERTISE,
    NO_FREQUENCY,
    VAGUE,
    provision_flags,
)
from tests.plan_factories import access_for, coordinator_of, events_since, last_event_id, make_plan

START, END = date(2027, 1, 4), date(2027, 7, 16)


def therapy(**particulars: object) -> ItemContent:
    """Speech and language therapy, with every particular given unless the test says otherwise."""
    given: dict[str, object] = {
        "text": "Speech and language therapy using Colourful Semantics",
        "amount": 3,
        "unit": ProvisionUnit.SESSIONS,
        "frequency": ProvisionFrequency.WEEK,
        "session_minutes": 30,
        "group_size": GroupSize.ONE_TO_ONE,
        "deliverer_role": DelivererRole.SPEECH_AND_LANGUAGE_THERAPIST,
        "expertise": "trained in Colourful Semantics",
        "location": "the therapy room",
        "starts_on": START,
        "ends_on": END,
    }
    return ItemContent.model_validate(given | particulars)


def test_every_particular_is_kept_and_read_back(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.EHC)
    access = access_for(db_session, coordinator_of(db_session, plan), plan)
    new = items.NewItem.model_validate(therapy().model_dump() | {"section": Section.F})
    item = items.add_item(db_session, Actor.command(access.person), access, new)
    db_session.expire_all()
    saved = items.current_revision(db_session, item)
    assert (saved.session_minutes, saved.group_size, saved.deliverer_role) == (
        30,
        GroupSize.ONE_TO_ONE,
        DelivererRole.SPEECH_AND_LANGUAGE_THERAPIST,
    )
    assert (saved.expertise, saved.location, saved.ends_on) == (
        "trained in Colourful Semantics",
        "the therapy room",
        END,
    )


def test_provision_without_the_new_particulars_is_still_valid() -> None:
    old = ItemContent(
        text="25 hours of 1:1", amount=25, unit=ProvisionUnit.HOURS, frequency=ProvisionFrequency.WEEK
    )
    kept = items.checked_content(ItemKind.PROVISION, old)
    assert (kept.session_minutes, kept.group_size, kept.deliverer_role, kept.ends_on) == (
        None,
        None,
        None,
        None,
    )


def test_provision_ends_on_or_after_it_starts() -> None:
    with pytest.raises(items.ContentProblem) as problem:
        items.checked_content(ItemKind.PROVISION, therapy(ends_on=START - timedelta(days=1)))
    assert problem.value.errors == {"ends_on": "The end date must be on or after the start date"}
    assert items.checked_content(ItemKind.PROVISION, therapy(ends_on=START)).ends_on == START


def test_a_group_of_children_is_counted_only_for_a_small_group() -> None:
    with pytest.raises(items.ContentProblem) as problem:
        items.checked_content(ItemKind.PROVISION, therapy(group_size=GroupSize.ONE_TO_ONE, group_of=4))
    assert set(problem.value.errors) == {"group_of"}
    kept = items.checked_content(ItemKind.PROVISION, therapy(group_size=GroupSize.SMALL_GROUP, group_of=4))
    assert kept.group_of == 4


@pytest.mark.parametrize(
    ("field", "value"), [("session_minutes", 0), ("session_minutes", 601), ("group_of", 1)]
)
def test_numbers_out_of_range_are_refused(field: str, value: int) -> None:
    content = ItemContent.model_construct(
        **(therapy(group_size=GroupSize.SMALL_GROUP).model_dump() | {field: value})
    )
    with pytest.raises(items.ContentProblem) as problem:
        items.checked_content(ItemKind.PROVISION, content)
    assert set(problem.value.errors) == {field}


def test_sessions_are_counted_whole() -> None:
    with pytest.raises(items.ContentProblem) as problem:
        items.checked_content(ItemKind.PROVISION, therapy(amount=2.5))
    assert problem.value.errors == {"amount": "Enter the number of sessions as a whole number, like 3"}
    hours = therapy(amount=2.5, unit=ProvisionUnit.HOURS)
    assert items.checked_content(ItemKind.PROVISION, hours).amount == 2.5


def test_where_and_the_expertise_are_trimmed_and_blank_is_none() -> None:
    kept = items.checked_content(ItemKind.PROVISION, therapy(location="  ", expertise="  trained in PECS "))
    assert (kept.location, kept.expertise) == (None, "trained in PECS")


def test_structured_particulars_are_dropped_from_other_kinds() -> None:
    kept = items.checked_content(ItemKind.OUTCOME, therapy())
    assert (kept.session_minutes, kept.deliverer_role, kept.location, kept.ends_on) == (
        None,
        None,
        None,
        None,
    )


def test_a_change_of_a_structured_particular_is_a_new_revision_with_its_own_digest(
    db_session: Session,
) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    teacher = people[MemberRole.EDUCATION]
    access = access_for(db_session, teacher, plan)
    actor = Actor.command(teacher)
    new = items.NewItem.model_validate(therapy().model_dump() | {"section": Section.F})
    item = items.add_item(db_session, actor, access, new)
    mark = last_event_id(db_session)
    items.revise_item(db_session, actor, access, item, therapy(session_minutes=45), based_on=1)
    [event] = events_since(db_session, mark)
    assert event.action == "item.revised"
    assert event.details["digest"] != items.content_digest(therapy())
    assert event.details["digest"] == items.content_digest(therapy(session_minutes=45))
    assert "Colourful" not in str(event.details)
    assert items.current_revision(db_session, item).session_minutes == 45


# The sentence ------------------------------------------------------------------------------------------


def test_the_particulars_read_as_one_standard_sentence() -> None:
    assert therapy().sentence == (
        "30 minutes, 3 times a week, one to one, by a speech and language therapist trained in Colourful"
        " Semantics; in the therapy room; from 4 January 2027 to 16 July 2027."
    )


@pytest.mark.parametrize(
    ("particulars", "sentence"),
    [
        (
            {"amount": 1, "session_minutes": None, "group_size": None, "location": None, "ends_on": None},
            "1 session a week, by a speech and language therapist trained in Colourful Semantics;"
            " from 4 January 2027.",
        ),
        (
            {"amount": 2, "group_size": GroupSize.SMALL_GROUP, "group_of": 4, "expertise": None},
            "30 minutes, twice a week, in a small group of 4, by a speech and language therapist;"
            " in the therapy room; from 4 January 2027 to 16 July 2027.",
        ),
        (
            {
                "amount": 25,
                "unit": ProvisionUnit.HOURS,
                "session_minutes": None,
                "group_size": GroupSize.WHOLE_CLASS,
                "deliverer_role": DelivererRole.CLASS_TEACHER,
                "expertise": "with experience of autism",
                "location": "at the forest school",
                "starts_on": None,
            },
            "25 hours a week, with the whole class, by the class teacher with experience of autism;"
            " at the forest school; until 16 July 2027.",
        ),
        (
            {
                "amount": 1,
                "unit": ProvisionUnit.HOURS,
                "frequency": ProvisionFrequency.DAY,
                "deliverer_role": DelivererRole.OCCUPATIONAL_THERAPIST,
                "delivered_by": "Northshire Children's Therapies",
                "expertise": "sensory integration",
                "group_size": None,
                "location": None,
                "starts_on": None,
                "ends_on": None,
            },
            "1 hour a day in sessions of 30 minutes, by an occupational therapist"
            " (Northshire Children's Therapies) with expertise in sensory integration.",
        ),
        (
            {
                "amount": None,
                "unit": None,
                "frequency": None,
                "session_minutes": None,
                "group_size": None,
                "deliverer_role": None,
                "expertise": None,
                "location": None,
                "starts_on": None,
                "ends_on": None,
            },
            None,
        ),
    ],
)
def test_the_sentence_says_only_what_is_given(particulars: dict[str, object], sentence: str | None) -> None:
    assert therapy(**particulars).sentence == sentence


def test_the_sentence_names_the_organisation_that_delivers_it() -> None:
    content = therapy(deliverer_role=None, expertise=None, session_minutes=None, location=None, ends_on=None)
    assert content.sentence == "3 sessions a week, one to one; from 4 January 2027."
    assert provision_sentence(content, "Northshire NHS Trust") == (
        "3 sessions a week, one to one, by Northshire NHS Trust; from 4 January 2027."
    )
    with_role = therapy(location=None, ends_on=None, expertise=None)
    assert provision_sentence(with_role, "Northshire NHS Trust") == (
        "30 minutes, 3 times a week, one to one, by a speech and language therapist"
        " from Northshire NHS Trust; from 4 January 2027."
    )


# The checks read the particulars ---------------------------------------------------------------------------


def codes(content: ItemContent) -> list[str]:
    return [flag.code for flag in provision_flags(content)]


def test_structured_provision_with_amount_frequency_and_deliverer_is_not_vague() -> None:
    words = "Access to the sensory room to regulate before lessons"
    assert codes(therapy(text=words, deliverer_role=DelivererRole.TEACHING_ASSISTANT, expertise=None)) == []
    bare = ItemContent(text=words)
    assert codes(bare) == [VAGUE, NO_AMOUNT, NO_FREQUENCY, NO_DELIVERER]


def test_a_role_from_the_list_says_who_and_the_expertise_needed() -> None:
    quantified = therapy(text="Colourful Semantics", expertise=None, delivered_by=None)
    for role in DelivererRole:
        assert codes(quantified.model_copy(update={"deliverer_role": role})) == [], role
    assert codes(quantified.model_copy(update={"deliverer_role": None})) == [NO_DELIVERER]


def test_the_expertise_field_answers_the_want_of_expertise() -> None:
    helper = therapy(text="Reading practice", deliverer_role=None, delivered_by="A volunteer", expertise=None)
    assert codes(helper) == [NO_EXPERTISE]
    assert codes(helper.model_copy(update={"expertise": "trained in Better Reading Partnership"})) == []


def test_a_vague_phrase_that_no_particular_makes_good_is_still_flagged() -> None:
    assert codes(therapy(text="Speech therapy as required")) == [VAGUE]


def test_the_plan_outline_reads_the_structured_particulars(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    teacher = people[MemberRole.EDUCATION]
    access = access_for(db_session, teacher, plan)
    structured = therapy(text="Access to the sensory room", delivered_by=None, expertise=None)
    new = items.NewItem.model_validate(structured.model_dump() | {"section": Section.F})
    item = items.add_item(db_session, Actor.command(teacher), access, new)
    bare = items.add_item(
        db_session,
        Actor.command(teacher),
        access,
        items.NewItem(section=Section.F, text="Access to the sensory room"),
    )
    report = outline_quality(db_session, id_of(plan), {id_of(item): item.kind, id_of(bare): bare.kind}, [])
    assert report.items[id_of(item)].flags == []
    assert [flag.code for flag in report.items[id_of(bare)].flags] == [
        VAGUE,
        NO_AMOUNT,
        NO_FREQUENCY,
        NO_DELIVERER,
    ]
