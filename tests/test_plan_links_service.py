"""Links between items: who may say what an item answers, which kinds answer which, and the trail kept."""

import pytest
from sqlmodel import Session

from app.actor import Actor
from app.errors import Refused
from app.models import AreaOfNeed, Item, MemberRole, Person, Plan, PlanKind, Section
from app.services.plans import items, links
from tests.plan_factories import (
    access_for,
    coordinator_of,
    events_since,
    last_event_id,
    make_audit_officer,
    make_plan,
)


def write(
    db: Session, plan: Plan, author: Person, section: Section, text: str, **particulars: object
) -> Item:
    new = items.NewItem(section=section, text=text, **particulars)  # type: ignore[arg-type]
    return items.add_item(db, Actor.command(author), access_for(db, author, plan), new)


def link(db: Session, plan: Plan, person: Person, item: Item, answers: Item) -> None:
    links.add_link(db, Actor.command(person), access_for(db, person, plan), item, answers.id or 0)


@pytest.fixture
def sams_kind_of_plan(db_session: Session) -> tuple[Plan, dict[MemberRole, Person], dict[str, Item]]:
    """A plan with a child's view, a need, an outcome, education and health provision."""
    plan, people = make_plan(db_session)
    senco = coordinator_of(db_session, plan)
    plan_items = {
        "view": write(db_session, plan, people[MemberRole.CHILD], Section.A, "The dining hall is too loud."),
        "need": write(
            db_session,
            plan,
            senco,
            Section.B,
            "Finds noise hard",
            area_of_need=AreaOfNeed.SENSORY_AND_PHYSICAL,
        ),
        "outcome": write(db_session, plan, senco, Section.E, "Eats lunch calmly"),
        "provision": write(db_session, plan, senco, Section.F, "A quiet room at lunch"),
        "health": write(db_session, plan, people[MemberRole.HEALTH], Section.G, "Ear defenders fitted"),
    }
    return plan, people, plan_items


def test_an_outcome_answers_a_view_and_the_link_is_audited(
    db_session: Session, sams_kind_of_plan: tuple[Plan, dict[MemberRole, Person], dict[str, Item]]
) -> None:
    plan, _people, plan_items = sams_kind_of_plan
    senco = coordinator_of(db_session, plan)
    before = last_event_id(db_session)
    link(db_session, plan, senco, plan_items["outcome"], plan_items["view"])
    [standing] = links.plan_links(db_session, plan.id or 0)
    assert (standing.item_id, standing.answers_id) == (plan_items["outcome"].id, plan_items["view"].id)
    [event] = events_since(db_session, before)
    assert (event.action, event.actor_id, event.plan_id) == ("link.added", senco.id, plan.id)
    assert event.details == {
        "plan_id": plan.id,
        "item_id": plan_items["outcome"].id,
        "answers_id": plan_items["view"].id,
    }


@pytest.mark.parametrize(
    ("item", "answers", "allowed"),
    [
        ("need", "view", True),
        ("outcome", "need", True),
        ("outcome", "view", True),
        ("provision", "outcome", True),
        ("provision", "need", True),
        ("provision", "view", True),
        ("view", "outcome", False),
        ("need", "outcome", False),
        ("outcome", "provision", False),
        ("provision", "provision", False),
    ],
)
def test_which_kinds_answer_which(
    db_session: Session,
    sams_kind_of_plan: tuple[Plan, dict[MemberRole, Person], dict[str, Item]],
    item: str,
    answers: str,
    allowed: bool,
) -> None:
    plan, people, plan_items = sams_kind_of_plan
    writer = people[MemberRole.CHILD] if item == "view" else coordinator_of(db_session, plan)
    if allowed:
        link(db_session, plan, writer, plan_items[item], plan_items[answers])
        assert len(links.plan_links(db_session, plan.id or 0)) == 1
    else:
        with pytest.raises(items.ContentProblem) as problem:
            link(db_session, plan, writer, plan_items[item], plan_items[answers])
        assert "answers_id" in problem.value.errors
        assert links.plan_links(db_session, plan.id or 0) == []


def test_only_the_answering_sections_writers_link(
    db_session: Session, sams_kind_of_plan: tuple[Plan, dict[MemberRole, Person], dict[str, Item]]
) -> None:
    plan, people, plan_items = sams_kind_of_plan
    for outsider in (people[MemberRole.HEALTH], people[MemberRole.PARENT_CARER], people[MemberRole.READER]):
        with pytest.raises(Refused) as refused:
            link(db_session, plan, outsider, plan_items["outcome"], plan_items["view"])
        assert refused.value.status_code == 403
    # Health links its own provision to the school's outcome: the thread crosses agencies.
    link(db_session, plan, people[MemberRole.HEALTH], plan_items["health"], plan_items["outcome"])
    with pytest.raises(Refused) as refused:
        link(
            db_session, plan, make_audit_officer(db_session, plan), plan_items["outcome"], plan_items["view"]
        )
    assert refused.value.status_code == 403


def test_a_link_is_made_once_and_only_within_the_plan(
    db_session: Session, sams_kind_of_plan: tuple[Plan, dict[MemberRole, Person], dict[str, Item]]
) -> None:
    plan, _people, plan_items = sams_kind_of_plan
    senco = coordinator_of(db_session, plan)
    link(db_session, plan, senco, plan_items["outcome"], plan_items["need"])
    with pytest.raises(items.ContentProblem, match="already"):
        link(db_session, plan, senco, plan_items["outcome"], plan_items["need"])
    other_plan, _ = make_plan(db_session, PlanKind.SEN_SUPPORT, senco)
    elsewhere = write(
        db_session, other_plan, senco, Section.B, "Another child's need", area_of_need=AreaOfNeed.INDEPENDENCE
    )
    with pytest.raises(items.ContentProblem):
        link(db_session, plan, senco, plan_items["outcome"], elsewhere)


def test_removing_a_link_keeps_who_and_when(
    db_session: Session, sams_kind_of_plan: tuple[Plan, dict[MemberRole, Person], dict[str, Item]]
) -> None:
    plan, people, plan_items = sams_kind_of_plan
    senco = coordinator_of(db_session, plan)
    link(db_session, plan, senco, plan_items["provision"], plan_items["outcome"])
    [standing] = links.plan_links(db_session, plan.id or 0)
    with pytest.raises(Refused):
        links.remove_link(
            db_session,
            Actor.command(people[MemberRole.HEALTH]),
            access_for(db_session, people[MemberRole.HEALTH], plan),
            standing,
        )
    before = last_event_id(db_session)
    access = access_for(db_session, senco, plan)
    links.remove_link(
        db_session, Actor.command(senco), access, links.plan_link(db_session, access, standing.id or 0)
    )
    assert links.plan_links(db_session, plan.id or 0) == []
    assert (standing.removed_by, standing.removed_at is not None) == (senco.id, True)
    assert [event.action for event in events_since(db_session, before)] == ["link.removed"]
    with pytest.raises(Refused) as refused:
        links.plan_link(db_session, access, standing.id or 0)
    assert refused.value.status_code == 404
    # Linked again later: a new row, the old one still ended.
    link(db_session, plan, senco, plan_items["provision"], plan_items["outcome"])
    assert len(links.plan_links(db_session, plan.id or 0)) == 1
