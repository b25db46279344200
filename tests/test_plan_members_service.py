"""Who is on a plan, below the HTTP layer: adding, inviting, removing, handing on; and who sees a plan."""

import pytest
from sqlmodel import Session, col, select

from app.actor import Actor
from app.config import Settings
from app.errors import Refused
from app.models import (
    AreaOfNeed,
    FamilyLink,
    MemberRole,
    OrganisationKind,
    OutboxMessage,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanMember,
    Section,
)
from app.models.base import id_of, utc_now
from app.permissions import MEMBER_ROLE_FITS
from app.services.plans import items, members
from app.services.plans.access import plan_access
from app.services.plans.members import NewMember
from app.services.plans.plans import PlanProblem, visible_plans
from tests.factories import make_organisation, make_person
from tests.plan_factories import (
    access_for,
    coordinator_of,
    events_since,
    last_event_id,
    make_audit_officer,
    make_bare_plan,
    make_local_authority,
    make_plan,
    membership_of,
)


def add(db: Session, settings: Settings, plan: Plan, new: NewMember, by: Person | None = None) -> PlanMember:
    coordinator = by or coordinator_of(db, plan)
    return members.add_member(
        db, settings, Actor.command(coordinator), access_for(db, coordinator, plan), new
    )


def outbox(db: Session, recipient: str) -> list[OutboxMessage]:
    return list(
        db.exec(
            select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(col(OutboxMessage.id))
        )
    )


def current_members(db: Session, plan: Plan) -> set[int]:
    rows = db.exec(
        select(PlanMember.person_id).where(
            PlanMember.plan_id == plan.id, col(PlanMember.removed_at).is_(None)
        )
    )
    return set(rows)


# Adding ------------------------------------------------------------------------------------------------


def test_someone_with_an_account_is_added_by_email_and_told(db_session: Session, settings: Settings) -> None:
    plan, _people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    nurse = make_person(db_session, PersonRole.HEALTH, email="School.Nurse@nhs.example", password=None)
    mark = last_event_id(db_session)
    member = add(
        db_session, settings, plan, NewMember(role=MemberRole.HEALTH, email="  school.nurse@NHS.example ")
    )
    assert (member.person_id, member.role, member.is_coordinator) == (nurse.id, MemberRole.HEALTH, False)
    [message] = outbox(db_session, "School.Nurse@nhs.example")
    assert plan.reference in message.subject
    assert f"/plans/{plan.id}" in message.body
    assert "Robin" not in message.subject + message.body, "no child's details in an e-mail"
    assert [event.action for event in events_since(db_session, mark)] == ["member.added"]
    assert access_for(db_session, nurse, plan).member_role is MemberRole.HEALTH


def test_someone_with_an_account_is_added_by_id(db_session: Session, settings: Settings) -> None:
    plan, _people = make_plan(db_session, PlanKind.EHC)
    worker = make_person(db_session, PersonRole.SOCIAL_CARE, password=None)
    add(db_session, settings, plan, NewMember(role=MemberRole.SOCIAL_CARE, person_id=worker.id))
    assert worker.id in current_members(db_session, plan)
    with pytest.raises(PlanProblem) as problem:
        add(db_session, settings, plan, NewMember(role=MemberRole.SOCIAL_CARE, person_id=10**9))
    assert problem.value.field == "person_id"


@pytest.mark.parametrize("role", [MemberRole.PARENT_CARER, MemberRole.CHILD])
def test_a_family_member_without_an_account_is_invited(
    db_session: Session, settings: Settings, role: MemberRole
) -> None:
    plan = make_bare_plan(db_session, PlanKind.SEN_SUPPORT)  # the child has no account yet
    mark = last_event_id(db_session)
    member = add(
        db_session,
        settings,
        plan,
        NewMember(role=role, email="new.family@family.example", display_name=" Jamie Family "),
    )
    person = db_session.get(Person, member.person_id)
    assert person is not None
    assert (person.display_name, person.email, person.role) == (
        "Jamie Family",
        "new.family@family.example",
        PersonRole(role.value),
    )
    assert person.password_hash is None
    [invitation] = outbox(db_session, "new.family@family.example")
    assert "invited" in invitation.subject
    [added] = events_since(db_session, mark)
    assert (added.action, added.details["invited"], added.details["outbox_message_id"]) == (
        "member.added",
        True,
        invitation.id,
    )


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        (MemberRole.EDUCATION, OrganisationKind.SCHOOL),
        (MemberRole.HEALTH, OrganisationKind.HEALTH),
        (MemberRole.SOCIAL_CARE, OrganisationKind.SOCIAL_CARE),
    ],
)
def test_staff_without_an_account_are_invited_with_their_organisation(
    db_session: Session, settings: Settings, role: MemberRole, kind: OrganisationKind
) -> None:
    plan, _people = make_plan(db_session, PlanKind.EHC)
    organisations = make_local_authority(db_session)
    wrong = organisations[OrganisationKind.LOCAL_AUTHORITY]
    new = NewMember(role=role, email="new.staff@work.example", display_name="Kim Staff")
    for organisation_id in (None, id_of(wrong), 10**9):
        with pytest.raises(PlanProblem) as problem:
            add(db_session, settings, plan, new.model_copy(update={"organisation_id": organisation_id}))
        assert problem.value.field == "organisation_id"
    assert db_session.exec(select(Person).where(Person.email == "new.staff@work.example")).first() is None
    member = add(
        db_session, settings, plan, new.model_copy(update={"organisation_id": organisations[kind].id})
    )
    person = db_session.get(Person, member.person_id)
    assert person is not None
    assert (person.role, person.organisation_id) == (PersonRole(role.value), organisations[kind].id)
    assert len(outbox(db_session, "new.staff@work.example")) == 1


def test_an_invitation_needs_a_name_and_a_real_address(db_session: Session, settings: Settings) -> None:
    plan, _people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    with pytest.raises(PlanProblem) as problem:
        add(
            db_session, settings, plan, NewMember(role=MemberRole.PARENT_CARER, email="nobody@family.example")
        )
    assert problem.value.field == "display_name"
    for email in (None, "", "no-at-sign", "@family.example", "someone@"):
        with pytest.raises(PlanProblem) as problem:
            add(
                db_session,
                settings,
                plan,
                NewMember(role=MemberRole.PARENT_CARER, email=email, display_name="X"),
            )
        assert problem.value.field == "email"


@pytest.mark.parametrize("role", [MemberRole.READER, MemberRole.LOCAL_AUTHORITY])
def test_readers_and_council_officers_must_already_have_an_account(
    db_session: Session, settings: Settings, role: MemberRole
) -> None:
    plan, _people = make_plan(db_session, PlanKind.EHC)
    with pytest.raises(PlanProblem) as problem:
        add(
            db_session,
            settings,
            plan,
            NewMember(role=role, email="unknown@council.example", display_name="U"),
        )
    assert problem.value.field == "email"
    assert db_session.exec(select(Person).where(Person.email == "unknown@council.example")).first() is None
    assert outbox(db_session, "unknown@council.example") == []


FITS = [
    pytest.param(member_role, person_role, id=f"{member_role}-{person_role}")
    for member_role in MemberRole
    for person_role in PersonRole
]
# Written out from DESIGN.md: an administrator and an LA audit officer are never on a plan.
SHOULD_FIT = {
    MemberRole.LOCAL_AUTHORITY: {PersonRole.LA_CASE_OFFICER},
    MemberRole.EDUCATION: {PersonRole.EDUCATION},
    MemberRole.HEALTH: {PersonRole.HEALTH},
    MemberRole.SOCIAL_CARE: {PersonRole.SOCIAL_CARE},
    MemberRole.PARENT_CARER: {PersonRole.PARENT_CARER},
    MemberRole.CHILD: {PersonRole.CHILD},
    MemberRole.READER: {
        PersonRole.LA_CASE_OFFICER,
        PersonRole.EDUCATION,
        PersonRole.HEALTH,
        PersonRole.SOCIAL_CARE,
        PersonRole.PARENT_CARER,
    },
}


def test_the_table_of_fitting_roles_is_the_designed_one() -> None:
    assert MEMBER_ROLE_FITS == SHOULD_FIT


@pytest.mark.parametrize("kind", list(PlanKind))
def test_a_part_must_fit_the_persons_account(db_session: Session, settings: Settings, kind: PlanKind) -> None:
    plan = make_bare_plan(db_session, kind)
    for person_role in PersonRole:
        person = make_person(db_session, person_role, password=None)
        for member_role in MemberRole:
            mark = last_event_id(db_session)
            new = NewMember(role=member_role, email=person.email)
            if person_role in SHOULD_FIT[member_role]:
                member = add(db_session, settings, plan, new)
                members.remove_member(
                    db_session,
                    Actor.command(coordinator_of(db_session, plan)),
                    access_for(db_session, coordinator_of(db_session, plan), plan),
                    member,
                    members.Removal(reason="They have left the school"),
                )
                continue
            with pytest.raises(PlanProblem) as problem:
                add(db_session, settings, plan, new)
            assert problem.value.field == "role", (member_role, person_role)
            assert events_since(db_session, mark) == []
        assert person.id not in current_members(db_session, plan)


def test_a_deactivated_person_cannot_be_added(db_session: Session, settings: Settings) -> None:
    plan, _people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    gone = make_person(db_session, PersonRole.HEALTH, password=None)
    gone.deactivated_at = utc_now()
    db_session.add(gone)
    with pytest.raises(PlanProblem):
        add(db_session, settings, plan, NewMember(role=MemberRole.HEALTH, person_id=gone.id))


def test_someone_already_on_the_plan_is_not_added_twice(db_session: Session, settings: Settings) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    parent = people[MemberRole.PARENT_CARER]
    for role in (MemberRole.PARENT_CARER, MemberRole.READER):
        with pytest.raises(PlanProblem) as problem:
            add(db_session, settings, plan, NewMember(role=role, email=parent.email))
        assert problem.value.field == "email"
    assert len(db_session.exec(select(PlanMember).where(PlanMember.person_id == parent.id)).all()) == 1


@pytest.mark.parametrize("kind", list(PlanKind))
def test_only_the_coordinator_changes_who_is_on_the_plan(
    db_session: Session, settings: Settings, kind: PlanKind
) -> None:
    plan, people = make_plan(db_session, kind)
    newcomer = make_person(db_session, PersonRole.HEALTH, password=None)
    for person in people.values():
        access = access_for(db_session, person, plan)
        member = membership_of(db_session, plan, people[MemberRole.READER])
        actor = Actor.command(person)
        with pytest.raises(Refused) as adding:
            members.add_member(
                db_session, settings, actor, access, NewMember(role=MemberRole.HEALTH, person_id=newcomer.id)
            )
        with pytest.raises(Refused) as removing:
            members.remove_member(
                db_session, actor, access, member, members.Removal(reason="They have left the school")
            )
        with pytest.raises(Refused) as handing_on:
            members.hand_on_coordinator(db_session, actor, access, member)
        statuses = {error.value.status_code for error in (adding, removing, handing_on)}
        assert statuses == {403}, person.role
    assert newcomer.id not in current_members(db_session, plan)
    assert people[MemberRole.READER].id in current_members(db_session, plan)


def test_only_the_child_the_plan_is_for_is_in_the_childs_part(
    db_session: Session, settings: Settings
) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    sibling = make_person(db_session, PersonRole.CHILD, password=None)
    mark = last_event_id(db_session)
    with pytest.raises(PlanProblem) as by_account:
        add(db_session, settings, plan, NewMember(role=MemberRole.CHILD, person_id=sibling.id))
    with pytest.raises(PlanProblem) as by_invitation:
        add(
            db_session,
            settings,
            plan,
            NewMember(role=MemberRole.CHILD, email="twin@family.example", display_name="T"),
        )
    assert (by_account.value.field, by_invitation.value.field) == ("role", "email")
    assert events_since(db_session, mark) == [], "nobody was made or added"
    # The child themselves, once removed, can be added again.
    child = people[MemberRole.CHILD]
    senco = coordinator_of(db_session, plan)
    members.remove_member(
        db_session,
        Actor.command(senco),
        access_for(db_session, senco, plan),
        membership_of(db_session, plan, child),
        members.Removal(reason="They have left the school"),
    )
    add(db_session, settings, plan, NewMember(role=MemberRole.CHILD, person_id=child.id))
    assert child.id in current_members(db_session, plan)


# Family links ----------------------------------------------------------------------------------------


def family_links(db: Session, child: Person) -> set[int]:
    return set(db.exec(select(FamilyLink.parent_id).where(FamilyLink.child_id == child.id)))


def test_adding_a_parent_links_them_to_the_child_with_an_account(
    db_session: Session, settings: Settings
) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    child, parent = people[MemberRole.CHILD], people[MemberRole.PARENT_CARER]
    assert family_links(db_session, child) == {parent.id}, "the factory adds the child first"
    carer = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    add(db_session, settings, plan, NewMember(role=MemberRole.PARENT_CARER, person_id=carer.id))
    assert family_links(db_session, child) == {parent.id, carer.id}
    # A parent on the plan only as a reader is not linked to the child.
    reader = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    add(db_session, settings, plan, NewMember(role=MemberRole.READER, person_id=reader.id))
    assert reader.id not in family_links(db_session, child)


def test_a_parent_added_before_the_child_has_an_account_is_linked_when_the_child_joins(
    db_session: Session, settings: Settings
) -> None:
    plan = make_bare_plan(db_session, PlanKind.SEN_SUPPORT)
    parent = make_person(db_session, PersonRole.PARENT_CARER, password=None)
    child = make_person(db_session, PersonRole.CHILD, password=None)
    add(db_session, settings, plan, NewMember(role=MemberRole.PARENT_CARER, person_id=parent.id))
    add(db_session, settings, plan, NewMember(role=MemberRole.CHILD, person_id=child.id))
    assert family_links(db_session, child) == {parent.id}


# Removing and handing on -----------------------------------------------------------------------------


def test_a_removed_member_loses_access_and_keeps_their_words(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.EHC)
    senco = coordinator_of(db_session, plan)
    nurse = people[MemberRole.HEALTH]
    written = items.add_item(
        db_session,
        Actor.command(nurse),
        access_for(db_session, nurse, plan),
        items.NewItem(section=Section.C, text="Has migraines", area_of_need=AreaOfNeed.SENSORY_AND_PHYSICAL),
    )
    access = access_for(db_session, senco, plan)
    member = members.plan_member(db_session, access, id_of(membership_of(db_session, plan, nurse)))
    mark = last_event_id(db_session)
    members.remove_member(
        db_session, Actor.command(senco), access, member, members.Removal(reason="They have left the school")
    )
    assert member.removed_at is not None
    assert member.removed_by_id == senco.id
    [event] = events_since(db_session, mark)
    assert (event.action, event.details["person_id"]) == ("member.removed", nurse.id)
    with pytest.raises(Refused) as refusal:
        plan_access(db_session, Actor.command(nurse), id_of(plan))
    assert refusal.value.status_code == 404
    assert plan.id not in {summary.plan.id for summary in visible_plans(db_session, Actor.command(nurse))}
    with pytest.raises(Refused) as again:
        members.plan_member(db_session, access, id_of(member))
    assert again.value.status_code == 404
    db_session.refresh(written)
    assert written.author_id == nurse.id
    assert [m.person.id for m in members.members(db_session, access, include_removed=True)].count(
        nurse.id
    ) == 1


def test_the_coordinator_cannot_be_removed(db_session: Session) -> None:
    plan, _people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    senco = coordinator_of(db_session, plan)
    access = access_for(db_session, senco, plan)
    own = members.plan_member(db_session, access, id_of(membership_of(db_session, plan, senco)))
    with pytest.raises(PlanProblem):
        members.remove_member(
            db_session, Actor.command(senco), access, own, members.Removal(reason="They have left the school")
        )
    assert own.removed_at is None


@pytest.mark.parametrize(
    ("kind", "successor"),
    [(PlanKind.SEN_SUPPORT, MemberRole.EDUCATION), (PlanKind.EHC, MemberRole.LOCAL_AUTHORITY)],
)
def test_the_coordinator_role_is_handed_on_within_its_part(
    db_session: Session, kind: PlanKind, successor: MemberRole
) -> None:
    plan, people = make_plan(db_session, kind)
    coordinator = coordinator_of(db_session, plan)
    access = access_for(db_session, coordinator, plan)
    for role in MemberRole:
        if role is successor:
            continue
        member = membership_of(db_session, plan, people[role])
        with pytest.raises(PlanProblem):
            members.hand_on_coordinator(db_session, Actor.command(coordinator), access, member)
    assert coordinator_of(db_session, plan).id == coordinator.id
    mark = last_event_id(db_session)
    chosen = membership_of(db_session, plan, people[successor])
    members.hand_on_coordinator(db_session, Actor.command(coordinator), access, chosen)
    assert coordinator_of(db_session, plan).id == people[successor].id
    assert not access_for(db_session, coordinator, plan).is_coordinator
    assert [event.action for event in events_since(db_session, mark)] == ["coordinator.handed_on"]
    # The former coordinator stays on the plan, and may now be removed by the new one.
    new_access = access_for(db_session, people[successor], plan)
    members.remove_member(
        db_session,
        Actor.command(people[successor]),
        new_access,
        membership_of(db_session, plan, coordinator),
        members.Removal(reason="They have left the school"),
    )


# Access ------------------------------------------------------------------------------------------------


def test_members_and_the_councils_auditors_see_the_plan(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    for role, person in people.items():
        access = access_for(db_session, person, plan)
        assert (access.member_role, access.audits, access.may_see) == (role, False, True)
    officer = make_audit_officer(db_session, plan)
    access = access_for(db_session, officer, plan)
    assert (access.membership, access.audits, access.may_see) == (None, True, True)
    assert plan.id in {summary.plan.id for summary in visible_plans(db_session, Actor.command(officer))}


def refused_as_absent(db: Session, person: Person, plan: Plan) -> bool:
    try:
        plan_access(db, Actor.command(person), id_of(plan))
    except Refused as refusal:
        return refusal.status_code == 404 and refusal.action == "plan.refused"
    return False


def test_a_plan_is_absent_for_everyone_else(db_session: Session) -> None:
    plan, people = make_plan(db_session, PlanKind.EHC)
    other_council = make_organisation(db_session, OrganisationKind.LOCAL_AUTHORITY)
    elsewhere = make_person(
        db_session, PersonRole.LA_AUDIT_OFFICER, organisation=other_council, password=None
    )
    admin = make_person(db_session, PersonRole.ADMINISTRATOR, password=None)
    stranger = make_person(db_session, PersonRole.LA_CASE_OFFICER, password=None)
    for person in (elsewhere, admin, stranger):
        assert refused_as_absent(db_session, person, plan), person.role
        assert visible_plans(db_session, Actor.command(person)) == []
    # An administrator is absent even if somehow on the plan; a deactivated member is absent too.
    db_session.add(PlanMember(plan_id=id_of(plan), person_id=id_of(admin), role=MemberRole.READER))
    parent = people[MemberRole.PARENT_CARER]
    parent.deactivated_at = utc_now()
    db_session.add(parent)
    db_session.flush()
    assert refused_as_absent(db_session, admin, plan)
    assert refused_as_absent(db_session, parent, plan)
    assert visible_plans(db_session, Actor.command(parent)) == []
    auditor = make_audit_officer(db_session, plan)
    auditor.deactivated_at = utc_now()
    db_session.add(auditor)
    assert refused_as_absent(db_session, auditor, plan)


def test_visible_plans_lists_the_plans_of_the_person_and_no_others(db_session: Session) -> None:
    first, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
    second, _ = make_plan(db_session, PlanKind.SEN_SUPPORT, coordinator=coordinator_of(db_session, first))
    elsewhere, _ = make_plan(db_session, PlanKind.EHC)
    senco = coordinator_of(db_session, first)
    mark = last_event_id(db_session)
    assert {summary.plan.id for summary in visible_plans(db_session, Actor.command(senco))} == {
        first.id,
        second.id,
    }
    [event] = events_since(db_session, mark)
    assert event.action == "plans.listed"
    assert sorted(event.details["plan_ids"]) == sorted([id_of(first), id_of(second)])
    assert {s.plan.id for s in visible_plans(db_session, Actor.command(people[MemberRole.CHILD]))} == {
        first.id
    }
    officer = make_audit_officer(db_session, elsewhere)
    assert {s.plan.id for s in visible_plans(db_session, Actor.command(officer))} == {elsewhere.id}
