"""Plain factory functions for plans: a plan with one member in each part, items, access and events.

    plan, people = make_plan(db, PlanKind.EHC)
    people[MemberRole.HEALTH]          # a health contributor (not the coordinator)
    coordinator_of(db, plan)           # the plan's coordinator (SENCo or LA case officer)
    access = access_for(db, people[MemberRole.PARENT_CARER], plan)

Everything is written through the plan services (so every row has its audit event), inside the
caller's session; nobody gets a password (hashing is slow), so these people cannot sign in by page.
"""

import itertools
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.models import (
    AreaOfNeed,
    AuditEvent,
    Item,
    MemberRole,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanMember,
    Section,
    SettingSenco,
    SupportLayer,
)
from app.models.base import id_of
from app.permissions import PlanAccess
from app.services.plans import items, members, support
from app.services.plans.access import plan_access
from app.services.plans.plans import NewPlan, create_plan
from tests.factories import make_organisation, make_person

MEMBER_PERSON_ROLES: dict[MemberRole, PersonRole] = {
    MemberRole.LOCAL_AUTHORITY: PersonRole.LA_CASE_OFFICER,
    MemberRole.EDUCATION: PersonRole.EDUCATION,
    MemberRole.HEALTH: PersonRole.HEALTH,
    MemberRole.SOCIAL_CARE: PersonRole.SOCIAL_CARE,
    MemberRole.PARENT_CARER: PersonRole.PARENT_CARER,
    MemberRole.CHILD: PersonRole.CHILD,
    MemberRole.READER: PersonRole.EDUCATION,
}
"""The account each part's factory member has (a reader is a teacher who only reads)."""
COORDINATOR_PERSON_ROLES = {
    PlanKind.SEN_SUPPORT: PersonRole.EDUCATION,
    PlanKind.ISP: PersonRole.EDUCATION,
    PlanKind.EHC: PersonRole.LA_CASE_OFFICER,
}
ORGANISATION_KINDS: dict[PersonRole, OrganisationKind] = {
    PersonRole.LA_CASE_OFFICER: OrganisationKind.LOCAL_AUTHORITY,
    PersonRole.LA_AUDIT_OFFICER: OrganisationKind.LOCAL_AUTHORITY,
    PersonRole.EDUCATION: OrganisationKind.SCHOOL,
    PersonRole.HEALTH: OrganisationKind.HEALTH,
    PersonRole.SOCIAL_CARE: OrganisationKind.SOCIAL_CARE,
}


def make_local_authority(db: Session) -> dict[OrganisationKind, Organisation]:
    """A council with a school, a health trust and a social care service of its own."""
    council = make_organisation(db, OrganisationKind.LOCAL_AUTHORITY)
    organisations = {OrganisationKind.LOCAL_AUTHORITY: council}
    for kind in (OrganisationKind.SCHOOL, OrganisationKind.HEALTH, OrganisationKind.SOCIAL_CARE):
        organisations[kind] = make_organisation(db, kind, council)
    return organisations


def make_staff(db: Session, role: PersonRole, organisations: dict[OrganisationKind, Organisation]) -> Person:
    """A member of staff of the right organisation for their role, with no password."""
    organisation = organisations[ORGANISATION_KINDS[role]] if role in ORGANISATION_KINDS else None
    return make_person(db, role, organisation=organisation, password=None)


def designate_senco(db: Session, person: Person) -> Person:
    """Record the person as their school's SENCo (as the administrator would), with no audit event."""
    db.add(SettingSenco(setting_id=person.organisation_id or 0, person_id=id_of(person)))
    db.flush()
    return person


_CHILDREN = itertools.count(1)


def make_bare_plan(
    db: Session, kind: PlanKind = PlanKind.SEN_SUPPORT, coordinator: Person | None = None
) -> Plan:
    """A plan with nobody on it but its coordinator (made, with their organisations, if not given)."""
    if coordinator is None:
        coordinator = make_staff(db, COORDINATOR_PERSON_ROLES[kind], make_local_authority(db))
    organisations = _organisations_around(db, coordinator)
    plan = create_plan(
        db,
        Actor.command(coordinator),
        NewPlan(
            kind=PlanKind.SEN_SUPPORT if kind is PlanKind.ISP else kind,
            child_full_name=f"Robin Test {next(_CHILDREN)}",  # one child, one live plan of a kind
            child_date_of_birth=date(2016, 4, 1),
            child_school_year="Year 5",
            setting_id=organisations[OrganisationKind.SCHOOL].id if kind is PlanKind.EHC else None,
        ),
    )
    if kind is PlanKind.ISP:  # an ISP is a SEN Support plan turned into one
        actor = Actor.command(coordinator)
        new = support.NewIsp(
            layer=SupportLayer.TARGETED,
            reason="Needs met in school with a little more help",
            duty_holder_id=id_of(coordinator),
            next_review_on=uk_today(),
        )
        support.convert_to_isp(db, actor, plan_access(db, actor, id_of(plan)), new)
    return plan


def make_plan(
    db: Session, kind: PlanKind = PlanKind.SEN_SUPPORT, coordinator: Person | None = None
) -> tuple[Plan, dict[MemberRole, Person]]:
    """A plan with its coordinator and one more member in each part (the child first, so parents link).

    `coordinator` (a SENCo for SEN Support, an LA case officer for an EHC plan) is made if not given,
    with a council, school, health trust and social care service; the members work for those.
    """
    plan = make_bare_plan(db, kind, coordinator)
    coordinator = coordinator_of(db, plan)
    organisations = _organisations_around(db, coordinator)
    actor = Actor.command(coordinator)
    access = plan_access(db, actor, id_of(plan))
    people: dict[MemberRole, Person] = {}
    for role in (MemberRole.CHILD, *(role for role in MemberRole if role is not MemberRole.CHILD)):
        person = make_staff(db, MEMBER_PERSON_ROLES[role], organisations)
        members.enrol(db, actor, access, person, role)
        people[role] = person
    return plan, people


def _organisations_around(db: Session, person: Person) -> dict[OrganisationKind, Organisation]:
    """The coordinator's own council (and school, for a SENCo), and a service of each kind in it."""
    own = db.get(Organisation, person.organisation_id)
    assert own is not None, "a coordinator works for a school or a council"
    is_council = own.kind is OrganisationKind.LOCAL_AUTHORITY
    council = own if is_council else db.get(Organisation, own.local_authority_id)
    assert council is not None
    organisations = {OrganisationKind.LOCAL_AUTHORITY: council}
    for kind in (OrganisationKind.SCHOOL, OrganisationKind.HEALTH, OrganisationKind.SOCIAL_CARE):
        found = db.exec(
            select(Organisation)
            .where(col(Organisation.local_authority_id) == council.id, col(Organisation.kind) == kind.value)
            .order_by(col(Organisation.id))
        ).first()
        organisations[kind] = own if own.kind is kind else found or make_organisation(db, kind, council)
    return organisations


def coordinator_of(db: Session, plan: Plan) -> Person:
    member = db.exec(
        select(PlanMember).where(
            col(PlanMember.plan_id) == plan.id,
            col(PlanMember.is_coordinator).is_(True),
            col(PlanMember.removed_at).is_(None),
        )
    ).one()
    person = db.get(Person, member.person_id)
    assert person is not None
    return person


def membership_of(db: Session, plan: Plan, person: Person) -> PlanMember:
    return db.exec(
        select(PlanMember).where(
            col(PlanMember.plan_id) == plan.id,
            col(PlanMember.person_id) == person.id,
            col(PlanMember.removed_at).is_(None),
        )
    ).one()


def make_audit_officer(db: Session, plan: Plan) -> Person:
    """An LA audit officer of the plan's own council (they read it without being a member)."""
    council = db.get(Organisation, plan.local_authority_id)
    assert council is not None
    return make_person(db, PersonRole.LA_AUDIT_OFFICER, organisation=council, password=None)


def access_for(db: Session, person: Person, plan: Plan) -> PlanAccess:
    """What the person is to the plan, as a request would find it (Refused 404 if they may not see it)."""
    return plan_access(db, Actor.command(person), id_of(plan))


def add_items(db: Session, plan: Plan, n: int, *, text: str = "Finds it hard to {n}") -> list[Item]:
    """`n` needs in section B written by the coordinator (who writes B in both kinds of plan)."""
    coordinator = coordinator_of(db, plan)
    actor = Actor.command(coordinator)
    access = plan_access(db, actor, id_of(plan))
    return [
        items.add_item(
            db,
            actor,
            access,
            items.NewItem(
                section=Section.B,
                text=text.format(n=number),
                area_of_need=AreaOfNeed.COGNITION_AND_LEARNING,
            ),
        )
        for number in range(1, n + 1)
    ]


def event_count(db: Session, action: str | None = None) -> int:
    """How many audit events there are (of one action, if given): tests compare before and after."""
    query = select(func.count()).select_from(AuditEvent)
    if action is not None:
        query = query.where(col(AuditEvent.action) == action)
    return db.exec(query).one()


def events_since(db: Session, last_id: int) -> list[AuditEvent]:
    """The events recorded after the one with id `last_id`, oldest first."""
    return list(db.exec(select(AuditEvent).where(col(AuditEvent.id) > last_id).order_by(col(AuditEvent.id))))


def last_event_id(db: Session) -> int:
    newest: int | None = db.exec(select(func.max(AuditEvent.id))).one()
    return newest or 0
