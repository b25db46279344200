"""The demo plans: Sam's SEN Support plan written by everyone around him, Ella's issued EHC plan."""

from collections.abc import Callable

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from app.actor import Actor
from app.errors import Refused
from app.models import (
    AuditEvent,
    Child,
    FamilyLink,
    Item,
    ItemComment,
    ItemRevision,
    MemberRole,
    Organisation,
    Person,
    Plan,
    PlanKind,
    PlanMember,
    PlanReview,
    PlanStatus,
    PlanVersion,
    PlanVersionItem,
    Section,
)
from app.permissions import PLAN_SECTIONS
from app.services.demo import create_demo
from app.services.plans import items
from app.services.plans.plans import visible_plans
from tests.plan_factories import access_for

Lookup = Callable[[str], Person]
COUNTED: tuple[type[SQLModel], ...] = (
    Organisation,
    Person,
    FamilyLink,
    Child,
    Plan,
    PlanMember,
    Item,
    ItemRevision,
    ItemComment,
    PlanReview,
    PlanVersion,
    PlanVersionItem,
)


def counts(db: Session) -> dict[str, int]:
    return {table.__name__: db.exec(select(func.count()).select_from(table)).one() for table in COUNTED}


def plan_of(db: Session, child: Person) -> Plan:
    return db.exec(
        select(Plan).join(Child, col(Child.id) == col(Plan.child_id)).where(Child.person_id == child.id)
    ).one()


def members_by_name(db: Session, plan: Plan) -> dict[str, tuple[MemberRole, bool]]:
    rows = db.exec(
        select(Person.display_name, PlanMember.role, PlanMember.is_coordinator)
        .join(PlanMember, col(PlanMember.person_id) == col(Person.id))
        .where(PlanMember.plan_id == plan.id, col(PlanMember.removed_at).is_(None))
    )
    return {name: (MemberRole(role), coordinating) for name, role, coordinating in rows}


def test_running_the_demo_again_changes_nothing(db_session: Session, demo: Lookup) -> None:
    before = counts(db_session)
    assert before["Plan"] == 2
    create_demo(db_session)
    assert counts(db_session) == before


def test_sams_plan_is_written_by_every_agency_and_the_family(db_session: Session, demo: Lookup) -> None:
    plan = plan_of(db_session, demo("Sam Taylor"))
    assert (plan.kind, plan.status) == (PlanKind.SEN_SUPPORT, PlanStatus.ACTIVE)
    assert members_by_name(db_session, plan) == {
        "Priya Shah": (MemberRole.EDUCATION, True),
        "Alex Taylor": (MemberRole.PARENT_CARER, False),
        "Sam Taylor": (MemberRole.CHILD, False),
        "Tom Baker": (MemberRole.EDUCATION, False),
        "Dr Aisha Khan": (MemberRole.HEALTH, False),
        "Jo Green": (MemberRole.SOCIAL_CARE, False),
        # The council's case officer of Sam's EHC needs assessment (issue 7's demo timeline).
        "Morgan Price": (MemberRole.LOCAL_AUTHORITY, False),
    }
    rows = db_session.exec(
        select(Item.section, Person.display_name)
        .join(Person, col(Person.id) == col(Item.author_id))
        .where(Item.plan_id == plan.id)
    ).all()
    assert {section for section, _author in rows} == set(PLAN_SECTIONS[PlanKind.SEN_SUPPORT])
    assert {author for _section, author in rows} == {
        "Alex Taylor",
        "Sam Taylor",
        "Priya Shah",
        "Tom Baker",
        "Dr Aisha Khan",
        "Jo Green",
    }
    # Views are each family member's own words.
    views = db_session.exec(select(Item).where(Item.plan_id == plan.id, Item.section == Section.A)).all()
    assert {(view.author_id, view.voice_id) for view in views} == {
        (demo("Sam Taylor").id, demo("Sam Taylor").id),
        (demo("Alex Taylor").id, demo("Alex Taylor").id),
        (demo("Tom Baker").id, demo("Sam Taylor").id),  # recorded with Sam (app/services/demo/voices.py)
    }


def test_sams_plan_has_a_review_a_frozen_version_a_later_revision_and_a_comment(
    db_session: Session, demo: Lookup
) -> None:
    plan = plan_of(db_session, demo("Sam Taylor"))
    assert (plan.version, plan.cycle_number) == (2, 2)
    [version] = db_session.exec(select(PlanVersion).where(PlanVersion.plan_id == plan.id)).all()
    assert (version.number, version.occasion) == (1, "review")
    frozen = db_session.exec(select(func.count()).where(PlanVersionItem.version_id == version.id)).one()
    written = db_session.exec(select(func.count()).select_from(Item).where(Item.plan_id == plan.id)).one()
    assert frozen == 18  # with Sam's 1:1 support and the after-school club outcome
    assert written == 24  # the 5 views added after the review (demo/voices.py), Priya's advice (timelines.py)
    [revised] = db_session.exec(
        select(Item).where(Item.plan_id == plan.id, col(Item.revision_number) > 1)
    ).all()
    current = items.current_revision(db_session, revised)
    assert (revised.section, current.number, current.author_id) == (Section.E, 2, demo("Tom Baker").id)
    assert "written checklist" in current.text
    [comment] = db_session.exec(select(ItemComment).where(ItemComment.plan_id == plan.id)).all()
    assert comment.author_id == demo("Alex Taylor").id
    assert len(db_session.exec(select(PlanReview).where(PlanReview.plan_id == plan.id)).all()) == 1


def test_ellas_plan_is_issued_with_version_one_frozen(db_session: Session, demo: Lookup) -> None:
    plan = plan_of(db_session, demo("Ella Morris"))
    assert (plan.kind, plan.status, plan.version) == (PlanKind.EHC, PlanStatus.ISSUED, 1)
    assert members_by_name(db_session, plan) == {
        "Morgan Price": (MemberRole.LOCAL_AUTHORITY, True),
        "Ella Morris": (MemberRole.CHILD, False),
        "Chris Wood": (MemberRole.EDUCATION, False),
    }
    [version] = db_session.exec(select(PlanVersion).where(PlanVersion.plan_id == plan.id)).all()
    assert (version.number, version.occasion) == (1, "issued")
    frozen = dict(
        db_session.exec(
            select(PlanVersionItem.item_id, PlanVersionItem.revision_id).where(
                PlanVersionItem.version_id == version.id
            )
        ).all()
    )
    current = dict(
        db_session.exec(select(Item.id, Item.current_revision_id).where(Item.plan_id == plan.id)).all()
    )
    assert frozen == current
    assert len(frozen) == 8
    chris = demo("Chris Wood")
    with pytest.raises(Refused) as refusal:
        items.add_item(
            db_session,
            Actor.command(chris),
            access_for(db_session, chris, plan),
            items.NewItem(section=Section.K, text="New advice"),
        )
    assert refusal.value.status_code == 409


def test_the_councils_auditor_sees_both_plans_and_the_administrator_none(
    db_session: Session, demo: Lookup
) -> None:
    plans = {plan_of(db_session, demo(name)).id for name in ("Sam Taylor", "Ella Morris")}
    assert {s.plan.id for s in visible_plans(db_session, Actor.command(demo("Rita Okafor")))} == plans
    assert visible_plans(db_session, Actor.command(demo("Admin"))) == []


def test_every_demo_item_was_written_through_the_services(db_session: Session, demo: Lookup) -> None:
    added = db_session.exec(
        select(AuditEvent.object_id, AuditEvent.actor_id).where(AuditEvent.action == "item.added")
    ).all()
    authors = {
        str(item_id): author_id for item_id, author_id in db_session.exec(select(Item.id, Item.author_id))
    }
    assert dict(added) == authors
