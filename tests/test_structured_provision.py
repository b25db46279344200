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
)
from app.services.plans import items
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
