"""Who may write where in a plan: DESIGN.md's table, played for every part, section and kind of plan.

The expected answers are written out here from DESIGN.md ("Who writes what"), not read from
app.permissions, so that a change to the rules there fails a test here.
"""

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.actor import Actor
from app.errors import Refused
from app.models import (
    AreaOfNeed,
    AuditEvent,
    Item,
    ItemRevision,
    MemberRole,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanMember,
    PlanStatus,
    Section,
)
from app.models.base import utc_now
from app.permissions import PlanAccess, may_comment, may_coordinate, may_write_in
from app.services.plans import items
from app.services.plans.access import plan_access
from tests.factories import make_person
from tests.plan_factories import (
    MEMBER_PERSON_ROLES,
    access_for,
    coordinator_of,
    make_audit_officer,
    make_plan,
)

COORDINATOR = "coordinator"
AUDIT_OFFICER = "LA audit officer"
NON_MEMBER = "not on the plan"
ACTORS: tuple[MemberRole | str, ...] = (*MemberRole, COORDINATOR, AUDIT_OFFICER, NON_MEMBER)

PROFESSIONALS = {MemberRole.LOCAL_AUTHORITY, MemberRole.EDUCATION, MemberRole.HEALTH, MemberRole.SOCIAL_CARE}
FAMILY = {MemberRole.PARENT_CARER, MemberRole.CHILD}
DESIGN_WRITERS: dict[Section, set[MemberRole | str]] = {
    # A: the family in their own words; professionals only on a family member's behalf.
    Section.A: FAMILY | PROFESSIONALS,
    Section.B: {MemberRole.EDUCATION, COORDINATOR},
    Section.E: {MemberRole.EDUCATION, COORDINATOR},
    Section.F: {MemberRole.EDUCATION, COORDINATOR},
    Section.C: {MemberRole.HEALTH},
    Section.G: {MemberRole.HEALTH},
    Section.D: {MemberRole.SOCIAL_CARE},
    Section.H1: {MemberRole.SOCIAL_CARE},
    Section.H2: {MemberRole.SOCIAL_CARE},
    Section.I: {MemberRole.LOCAL_AUTHORITY},
    Section.J: {MemberRole.LOCAL_AUTHORITY},
    Section.K: set(PROFESSIONALS),
}
PLAN_SECTIONS = {
    PlanKind.EHC: set(Section),
    PlanKind.SEN_SUPPORT: set(Section) - {Section.H2, Section.I, Section.J},
    PlanKind.ISP: set(Section) - {Section.H2, Section.I, Section.J},  # as SEN Support
}
COORDINATOR_PART = {
    PlanKind.SEN_SUPPORT: MemberRole.EDUCATION,
    PlanKind.ISP: MemberRole.EDUCATION,
    PlanKind.EHC: MemberRole.LOCAL_AUTHORITY,
}
CASES = [pytest.param(kind, actor, id=f"{kind.value}-{actor}") for kind in PlanKind for actor in ACTORS]


def parts_of(kind: PlanKind, actor: MemberRole | str) -> set[MemberRole | str]:
    """What the actor counts as in the table: the coordinator writes as their part and as coordinator."""
    if actor == COORDINATOR:
        return {COORDINATOR_PART[kind], COORDINATOR}
    return {actor} if isinstance(actor, MemberRole) else set()


def design_says(kind: PlanKind, actor: MemberRole | str, section: Section) -> bool:
    return section in PLAN_SECTIONS[kind] and bool(parts_of(kind, actor) & DESIGN_WRITERS[section])


def in_memory_access(kind: PlanKind, actor: MemberRole | str, status: PlanStatus | None = None) -> PlanAccess:
    """The rules are plain functions of who is asking: no database needed."""
    plan = Plan(
        id=1,
        kind=kind,
        child_id=1,
        local_authority_id=10,
        status=status or (PlanStatus.DRAFT if kind is PlanKind.EHC else PlanStatus.ACTIVE),
    )
    if actor == AUDIT_OFFICER:
        return PlanAccess(
            Person(id=2, display_name="A", role=PersonRole.LA_AUDIT_OFFICER, organisation_id=10),
            plan,
            None,
            True,
        )
    if actor == NON_MEMBER:
        return PlanAccess(Person(id=2, display_name="N", role=PersonRole.HEALTH), plan, None, False)
    role = COORDINATOR_PART[kind] if actor == COORDINATOR else MemberRole(actor)
    person = Person(id=2, display_name="M", role=MEMBER_PERSON_ROLES[role], organisation_id=10)
    member = PlanMember(id=3, plan_id=1, person_id=2, role=role, is_coordinator=actor == COORDINATOR)
    return PlanAccess(person, plan, member, False)


@pytest.mark.parametrize(("kind", "actor"), CASES)
def test_may_write_in_follows_the_design_table(kind: PlanKind, actor: MemberRole | str) -> None:
    access = in_memory_access(kind, actor)
    found = {section: may_write_in(access, section) for section in Section}
    assert found == {section: design_says(kind, actor, section) for section in Section}


@pytest.mark.parametrize("kind", list(PlanKind))
@pytest.mark.parametrize("status", [PlanStatus.ISSUED, PlanStatus.CEASED, PlanStatus.CLOSED])
def test_nobody_writes_in_a_frozen_plan(kind: PlanKind, status: PlanStatus) -> None:
    for actor in ACTORS:
        access = in_memory_access(kind, actor, status)
        assert not any(may_write_in(access, section) for section in Section), actor


def test_a_deactivated_member_writes_nowhere() -> None:
    access = in_memory_access(PlanKind.EHC, COORDINATOR)
    access.person.deactivated_at = utc_now()
    assert not any(may_write_in(access, section) for section in Section)
    assert not may_comment(access)
    assert not may_coordinate(access)


@pytest.mark.parametrize(("kind", "actor"), CASES)
def test_comment_and_coordinate_follow_membership(kind: PlanKind, actor: MemberRole | str) -> None:
    access = in_memory_access(kind, actor)
    # Everyone on the plan comments, readers included; the auditor only reads.
    assert may_comment(access) is (actor not in {AUDIT_OFFICER, NON_MEMBER})
    assert may_coordinate(access) is (actor == COORDINATOR)


# The same table through the service, on a real plan: allowed -> an item; refused -> 403 and nothing.

ADDED, REFUSED, NO_SUCH_SECTION = "added", "refused 403", "no such section"


def counts(db: Session) -> tuple[int, int, int]:
    return (
        db.exec(select(func.count()).select_from(Item)).one(),
        db.exec(select(func.count()).select_from(ItemRevision)).one(),
        db.exec(select(func.count()).select_from(AuditEvent)).one(),
    )


def new_item(section: Section, voice_id: int | None) -> items.NewItem:
    return items.NewItem(
        section=section,
        text=f"Words for section {section}",
        # Particulars the kind needs (a need's area); other kinds drop it.
        area_of_need=AreaOfNeed.INDEPENDENCE,
        voice_id=voice_id,
    )


def try_add(db: Session, access: PlanAccess, section: Section, voice_id: int | None) -> str:
    before = counts(db)
    try:
        item = items.add_item(db, Actor.command(access.person), access, new_item(section, voice_id))
    except Refused as refusal:
        assert counts(db) == before, "a refusal writes nothing"
        return f"refused {refusal.status_code}"
    except items.ContentProblem as problem:
        assert counts(db) == before
        return NO_SUCH_SECTION if set(problem.errors) == {"section"} else f"problem {problem.errors}"
    assert item.author_id == access.person.id
    assert item.section is section
    return ADDED


@pytest.mark.parametrize(("kind", "actor"), [case for case in CASES if case.values[1] != NON_MEMBER])
def test_add_item_follows_the_design_table(
    db_session: Session, kind: PlanKind, actor: MemberRole | str
) -> None:
    plan, people = make_plan(db_session, kind)
    if actor == COORDINATOR:
        person = coordinator_of(db_session, plan)
    elif actor == AUDIT_OFFICER:
        person = make_audit_officer(db_session, plan)
    else:
        person = people[MemberRole(actor)]
    access = access_for(db_session, person, plan)
    child = people[MemberRole.CHILD]
    found = {section: try_add(db_session, access, section, voice_id=child.id) for section in Section}
    expected = {
        section: (
            NO_SUCH_SECTION
            if section not in PLAN_SECTIONS[kind]
            else ADDED
            if design_says(kind, actor, section)
            else REFUSED
        )
        for section in Section
    }
    assert found == expected


@pytest.mark.parametrize("kind", list(PlanKind))
def test_someone_not_on_the_plan_finds_no_plan_and_writes_nothing(
    db_session: Session, kind: PlanKind
) -> None:
    plan, _people = make_plan(db_session, kind)
    stranger = make_person(db_session, PersonRole.HEALTH, password=None)
    with pytest.raises(Refused) as refused:
        plan_access(db_session, Actor.command(stranger), plan.id or 0)
    assert refused.value.status_code == 404
    # Even handed the plan, the rules give them nothing to write.
    access = PlanAccess(stranger, plan, None, False)
    assert {try_add(db_session, access, section, None) for section in PLAN_SECTIONS[kind]} == {REFUSED}


# Section A: a family member's own words, or a professional's record of them, marked as such.


@pytest.mark.parametrize("role", sorted(PROFESSIONALS))
def test_a_professional_records_a_view_only_on_behalf_of_a_family_member(
    db_session: Session, role: MemberRole
) -> None:
    plan, people = make_plan(db_session, PlanKind.EHC)
    access = access_for(db_session, people[role], plan)
    actor = Actor.command(people[role])
    for voice in (None, people[MemberRole.HEALTH].id, people[MemberRole.READER].id, 10**6):
        before = counts(db_session)
        with pytest.raises(items.ContentProblem) as problem:
            items.add_item(db_session, actor, access, new_item(Section.A, voice))
        assert set(problem.value.errors) == {"voice_id"}
        assert counts(db_session) == before
    view = items.add_item(db_session, actor, access, new_item(Section.A, people[MemberRole.PARENT_CARER].id))
    assert (view.author_id, view.voice_id) == (people[role].id, people[MemberRole.PARENT_CARER].id)


def test_a_removed_parent_can_no_longer_be_given_a_voice(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    parent = people[MemberRole.PARENT_CARER]
    member = db_session.exec(select(PlanMember).where(col(PlanMember.person_id) == parent.id)).one()
    member.removed_at = utc_now()
    db_session.add(member)
    db_session.flush()
    access = access_for(db_session, people[MemberRole.EDUCATION], plan)
    with pytest.raises(items.ContentProblem):
        items.add_item(db_session, Actor.command(access.person), access, new_item(Section.A, parent.id))


@pytest.mark.parametrize("role", sorted(FAMILY))
def test_a_family_member_writes_only_their_own_view(db_session: Session, role: MemberRole) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    other = people[MemberRole.CHILD if role is MemberRole.PARENT_CARER else MemberRole.PARENT_CARER]
    access = access_for(db_session, people[role], plan)
    view = items.add_item(db_session, Actor.command(people[role]), access, new_item(Section.A, other.id))
    assert view.voice_id == people[role].id
    assert view.author_id == people[role].id
