"""Who may do what: the one place that answers "may this person do this to this thing?".

Routes declare a permission (`app.dependencies.requires`); a test fails on any route that does not.
Role permissions are a plain table; rules about a particular thing (this token, this child, later
this plan) are functions below. A thing the person may not see is reported as absent (404).
"""

from dataclasses import dataclass
from enum import StrEnum

from app.models import (
    EHC_SECTION_TITLES,
    ENDED_STATUSES,
    FAMILY_MEMBER_ROLES,
    PROFESSIONAL_MEMBER_ROLES,
    SEN_SUPPORT_SECTION_TITLES,
    AdviceRequest,
    Item,
    ItemKind,
    MemberRole,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanMember,
    PlanStatus,
    Section,
    ViewAudience,
)

PERMISSION_ATTRIBUTE = "__oneplan_permission__"


class Permission(StrEnum):
    PUBLIC = "public"
    """Anyone, signed in or not: the start page, sign-in, the health check."""
    SECOND_FACTOR_PENDING = "second_factor_pending"
    """Half-way through signing in: only the second-factor step."""
    SIGNED_IN = "signed_in"
    """Anyone signed in: who am I, sign out."""
    MANAGE_OWN_ACCOUNT = "manage_own_account"
    """Own account and API tokens; young people from 16, not younger children (their parents do)."""
    MANAGE_ORGANISATIONS = "manage_organisations"
    MANAGE_PEOPLE = "manage_people"
    READ_OUTBOX = "read_outbox"
    """The administrator's view of the mail outbox: each message's delivery state, never its content."""
    SET_UP_CHILD_SIGN_IN = "set_up_child_sign_in"
    READ_PLANS = "read_plans"
    """See plans one is a member of (or audits); never administrators."""
    CREATE_PLAN = "create_plan"
    """Start a plan: a school's SENCo (SEN Support) or an LA case officer (EHC plan)."""
    CONTRIBUTE = "contribute"
    """Write in a plan (items, comments), as far as one's part in that plan allows."""
    COORDINATE = "coordinate"
    """Members, stages and reviews of plans one coordinates."""
    READ_AUDIT_TRAIL = "read_audit_trail"
    """The audit trail of every plan of one's own local authority: LA audit officers."""
    PUBLISH_CHECKPOINT = "publish_checkpoint"
    """Check the trail and sign a checkpoint of its head now, between the scheduled ones."""
    READ_LA_OVERVIEW = "read_la_overview"
    """Figures across one's own council (deadlines, delivery, quality): its case and audit officers."""
    HANDLE_COMPLAINTS = "handle_complaints"
    """Take on and answer complaints about one's own council's plans, and set how long settings have to
    answer a concern: its SEND case officers."""
    READ_SETTING_LIST = "read_setting_list"
    """A school's list of its children with plans and its evidence pack: its SENCo (`leads_setting`)."""
    DESIGNATE_SENCO = "designate_senco"
    """Who is a setting's SENCo: the council's administrator, and a setting's SENCo for colleagues
    (`may_designate_senco`)."""
    MANAGE_PLAN_WORDS = "manage_plan_words"
    """A council's words for the Individual Support Plan and its layers: the administrator."""


_ADULTS = {
    PersonRole.ADMINISTRATOR,
    PersonRole.LA_CASE_OFFICER,
    PersonRole.LA_AUDIT_OFFICER,
    PersonRole.EDUCATION,
    PersonRole.HEALTH,
    PersonRole.SOCIAL_CARE,
    PersonRole.PARENT_CARER,
}
_EVERYONE = {*_ADULTS, PersonRole.CHILD}

ROLE_PERMISSIONS: dict[Permission, set[PersonRole]] = {
    Permission.SIGNED_IN: _EVERYONE,
    Permission.MANAGE_OWN_ACCOUNT: _ADULTS,
    Permission.MANAGE_ORGANISATIONS: {PersonRole.ADMINISTRATOR},
    Permission.MANAGE_PEOPLE: {PersonRole.ADMINISTRATOR},
    Permission.READ_OUTBOX: {PersonRole.ADMINISTRATOR},
    Permission.SET_UP_CHILD_SIGN_IN: {PersonRole.PARENT_CARER},
    Permission.READ_PLANS: _EVERYONE - {PersonRole.ADMINISTRATOR},
    Permission.CREATE_PLAN: {PersonRole.EDUCATION, PersonRole.LA_CASE_OFFICER},
    Permission.CONTRIBUTE: _EVERYONE - {PersonRole.ADMINISTRATOR, PersonRole.LA_AUDIT_OFFICER},
    Permission.COORDINATE: {PersonRole.EDUCATION, PersonRole.LA_CASE_OFFICER},
    Permission.READ_AUDIT_TRAIL: {PersonRole.LA_AUDIT_OFFICER},
    Permission.PUBLISH_CHECKPOINT: {PersonRole.LA_AUDIT_OFFICER},
    Permission.READ_LA_OVERVIEW: {PersonRole.LA_CASE_OFFICER, PersonRole.LA_AUDIT_OFFICER},
    Permission.HANDLE_COMPLAINTS: {PersonRole.LA_CASE_OFFICER},
    Permission.READ_SETTING_LIST: {PersonRole.EDUCATION},
    Permission.MANAGE_PLAN_WORDS: {PersonRole.ADMINISTRATOR},
    Permission.DESIGNATE_SENCO: {PersonRole.ADMINISTRATOR, PersonRole.EDUCATION},
}


def role_may(person: Person, permission: Permission) -> bool:
    """Whether the person's role carries the permission at all (things in particular come after)."""
    if not person.is_active:
        return False
    if permission is Permission.PUBLIC:
        return True
    if permission is Permission.MANAGE_OWN_ACCOUNT and person.role is PersonRole.CHILD:
        return person.makes_own_decisions
    return person.role in ROLE_PERMISSIONS.get(permission, set())


def is_childs_parent(person: Person, child: Person, parent_ids: set[int]) -> bool:
    """A parent or carer linked to this child (`parent_ids`: the child's family links)."""
    return person.role is PersonRole.PARENT_CARER and person.id in parent_ids


def may_set_up_sign_in_for(person: Person, child: Person, parent_ids: set[int]) -> bool:
    """The child's own parents and carers only: a card is a way in as the child.

    Not an administrator, who manages accounts but may not read what the child shares (a card
    would let them sign in as the child); not from 16, when the young person's account is their
    own and nobody else holds a way in.
    """
    if not role_may(person, Permission.SET_UP_CHILD_SIGN_IN) or child.role is not PersonRole.CHILD:
        return False
    if child.makes_own_decisions:
        return False
    return is_childs_parent(person, child, parent_ids)


def owns(person: Person, owner_id: int | None) -> bool:
    """Own things only (API tokens, own sessions): someone else's is absent, not forbidden."""
    return person.id is not None and person.id == owner_id


# Plans ------------------------------------------------------------------------------------------

SECTION_WRITERS: dict[Section, frozenset[MemberRole]] = {
    Section.A: FAMILY_MEMBER_ROLES,
    Section.B: frozenset({MemberRole.EDUCATION}),
    Section.E: frozenset({MemberRole.EDUCATION}),
    Section.F: frozenset({MemberRole.EDUCATION}),
    Section.C: frozenset({MemberRole.HEALTH}),
    Section.G: frozenset({MemberRole.HEALTH}),
    Section.D: frozenset({MemberRole.SOCIAL_CARE}),
    Section.H1: frozenset({MemberRole.SOCIAL_CARE}),
    Section.H2: frozenset({MemberRole.SOCIAL_CARE}),
    Section.I: frozenset({MemberRole.LOCAL_AUTHORITY}),
    Section.J: frozenset({MemberRole.LOCAL_AUTHORITY}),
    Section.K: PROFESSIONAL_MEMBER_ROLES,
}
"""Who writes in each section (DESIGN.md); the coordinator also writes in B, E and F."""
PLAN_SECTIONS: dict[PlanKind, frozenset[Section]] = {
    PlanKind.EHC: frozenset(EHC_SECTION_TITLES),
    PlanKind.SEN_SUPPORT: frozenset(SEN_SUPPORT_SECTION_TITLES),
    PlanKind.ISP: frozenset(SEN_SUPPORT_SECTION_TITLES),
}
"""The sections each kind of plan has: SEN Support (and the ISP) has no H2, I (placement) or J (personal
budget)."""
COORDINATOR_SECTIONS = frozenset({Section.B, Section.E, Section.F})
OWN_WORDS_KINDS = frozenset({ItemKind.VIEW, ItemKind.ADVICE})
"""Kinds of item that only their author (for a view: the person whose view it is) revises."""

# The person's account must fit their part in a plan (an administrator is never on a plan).
MEMBER_ROLE_FITS: dict[MemberRole, frozenset[PersonRole]] = {
    MemberRole.LOCAL_AUTHORITY: frozenset({PersonRole.LA_CASE_OFFICER}),
    MemberRole.EDUCATION: frozenset({PersonRole.EDUCATION}),
    MemberRole.HEALTH: frozenset({PersonRole.HEALTH}),
    MemberRole.SOCIAL_CARE: frozenset({PersonRole.SOCIAL_CARE}),
    MemberRole.PARENT_CARER: frozenset({PersonRole.PARENT_CARER}),
    MemberRole.CHILD: frozenset({PersonRole.CHILD}),
    MemberRole.READER: frozenset(
        {
            PersonRole.LA_CASE_OFFICER,
            PersonRole.EDUCATION,
            PersonRole.HEALTH,
            PersonRole.SOCIAL_CARE,
            PersonRole.PARENT_CARER,
        }
    ),
}
COORDINATOR_ROLES = {
    PlanKind.SEN_SUPPORT: MemberRole.EDUCATION,
    PlanKind.ISP: MemberRole.EDUCATION,
    PlanKind.EHC: MemberRole.LOCAL_AUTHORITY,
}
"""Who coordinates: the SENCo for SEN Support and the ISP, the LA case officer for an EHC plan."""


@dataclass(frozen=True)
class PlanAccess:
    """What a person is to a plan: a member (with their part), the LA's auditor, or nothing."""

    person: Person
    plan: Plan
    membership: PlanMember | None
    audits: bool

    @property
    def may_see(self) -> bool:
        if not self.person.is_active or self.person.role is PersonRole.ADMINISTRATOR:
            return False
        return self.membership is not None or self.audits

    @property
    def is_coordinator(self) -> bool:
        return self.membership is not None and self.membership.is_coordinator

    @property
    def member_role(self) -> MemberRole | None:
        return self.membership.role if self.membership is not None else None


def audits_plan(person: Person, plan: Plan) -> bool:
    """LA audit officers read every plan of their own local authority, and write nothing."""
    return person.role is PersonRole.LA_AUDIT_OFFICER and person.organisation_id == plan.local_authority_id


def may_write_in(access: PlanAccess, section: Section) -> bool:
    """Whether the member may add items to a section (views in A: their own, or on someone's behalf)."""
    role = access.member_role
    if role is None or not role_may(access.person, Permission.CONTRIBUTE) or access.plan.is_frozen:
        return False
    if section not in PLAN_SECTIONS[access.plan.kind]:
        return False
    if section is Section.A:
        return _writes_views(role)
    if access.is_coordinator and section in COORDINATOR_SECTIONS:
        return True
    return role in SECTION_WRITERS[section]


def _writes_views(role: MemberRole) -> bool:
    return role in FAMILY_MEMBER_ROLES or role in PROFESSIONAL_MEMBER_ROLES


def may_add_view(access: PlanAccess) -> bool:
    """A view may be added until the plan ends, to an issued plan too: it does not change the issued
    version and is kept as evidence for the next review (young people keep their voice)."""
    role = access.member_role
    return (
        role is not None
        and role_may(access.person, Permission.CONTRIBUTE)
        and access.plan.status not in ENDED_STATUSES
        and Section.A in PLAN_SECTIONS[access.plan.kind]
        and _writes_views(role)
    )


def may_keep_view_draft(access: PlanAccess) -> bool:
    """A parent may save their views half-written to finish later; a child's questions are short and
    each screen is sent as it is answered, so nothing of theirs waits unsent."""
    return access.member_role is MemberRole.PARENT_CARER and may_add_view(access)


def may_take_copy(access: PlanAccess) -> bool:
    """A copy of the plan (PDF, export) goes to its members only: an auditor reads it in the service."""
    return access.membership is not None


def may_take_bundle(access: PlanAccess) -> bool:
    """A tribunal bundle goes to the plan's members and the council's audit officers."""
    return access.membership is not None or access.audits


def may_revise(access: PlanAccess, item: Item) -> bool:
    """Views and advice stay their author's words; other items are revised by their section's writers."""
    if not may_write_in(access, item.section):
        return False
    if item.kind in OWN_WORDS_KINDS:
        return access.person.id in {item.voice_id or item.author_id, item.author_id}
    return True


def may_see_view(access: PlanAccess, item: Item, audience: ViewAudience | None, readers: set[int]) -> bool:
    """Whether this person may read a view's words (and its pictures, comments and what answers it).

    The young person (or parent) whose view it is chooses: everyone on the plan, or only the people
    they pick. Their choice binds everyone else, the coordinator and the LA's auditor included: an
    auditor sees in the audit trail that a view was added, never its words. The person whose view it
    is, and the professional who recorded it with them, always see it. Other items are not views.
    """
    if item.kind is not ItemKind.VIEW or not access.may_see:
        return access.may_see
    if audience is not ViewAudience.CHOSEN:
        return True
    person_id = access.person.id
    return person_id in {item.voice_id, item.author_id} or person_id in readers


def may_comment(access: PlanAccess) -> bool:
    """Anyone on the plan, readers included; not the LA's auditors, who only read."""
    return access.membership is not None and role_may(access.person, Permission.CONTRIBUTE)


def may_coordinate(access: PlanAccess) -> bool:
    """Members, stages and reviews: the plan's coordinator only."""
    return access.is_coordinator and role_may(access.person, Permission.COORDINATE)


def may_rate_progress(access: PlanAccess) -> bool:
    """At a review, the team on the plan rates each outcome's progress (not the family, not readers)."""
    return access.member_role in PROFESSIONAL_MEMBER_ROLES and role_may(access.person, Permission.CONTRIBUTE)


def may_add_progress_words(access: PlanAccess) -> bool:
    """At a review, the child and their family add their own words about each outcome."""
    return access.member_role in FAMILY_MEMBER_ROLES and role_may(access.person, Permission.CONTRIBUTE)


def leads_setting(person: Person, setting_id: int, designated_there: bool) -> bool:
    """The setting's SENCo: its own active education staff designated as its SENCo (`designated_there`).

    The designation is explicit (a `SettingSenco` row, `may_designate_senco`): coordinating a plan does
    not make a SENCo, and a designation stops counting once the person works elsewhere. A class teacher
    on a plan, and the staff of any other setting, find the setting's list absent (404).
    """
    return (
        role_may(person, Permission.READ_SETTING_LIST)
        and person.organisation_id == setting_id
        and designated_there
    )


def may_designate_senco(person: Person, setting_id: int, designated_there: bool, colleague: Person) -> bool:
    """Who may make (or stop making) `colleague` a SENCo of the setting.

    The governing body designates a school's SENCo (Code of Practice 6.84); in OnePlan the council's
    administrator records it for every setting. A setting's own SENCo may also designate a colleague
    (an assistant SENCo) and end a colleague's designation, never their own: a SENCo who leaves the role
    is taken off by the administrator, so a school is not left without one by a slip. Only education
    staff of that setting can be designated (`sencos.designate` also wants them active).
    """
    if not may_manage_sencos_of(person, setting_id, designated_there):
        return False
    if not (colleague.role is PersonRole.EDUCATION and colleague.organisation_id == setting_id):
        return False
    return person.role is PersonRole.ADMINISTRATOR or colleague.id != person.id


def may_manage_sencos_of(person: Person, setting_id: int, designated_there: bool) -> bool:
    """The page of a setting's staff and who is its SENCo: the administrator, and the setting's SENCo;
    anyone else finds it absent (404) or is refused by their role (403)."""
    if not role_may(person, Permission.DESIGNATE_SENCO):
        return False
    return person.role is PersonRole.ADMINISTRATOR or leads_setting(person, setting_id, designated_there)


# Statutory timelines (issue 7) ----------------------------------------------------------------


def may_manage_assessment(access: PlanAccess) -> bool:
    """An EHC needs assessment's steps and advice requests: the council's case officer on the plan."""
    return access.member_role is MemberRole.LOCAL_AUTHORITY and role_may(access.person, Permission.COORDINATE)


def may_manage_reviews(access: PlanAccess) -> bool:
    """Review meetings and phase transfers: the plan's coordinator (the LA's case officer on an EHC plan)."""
    return may_coordinate(access) or (access.plan.kind is PlanKind.EHC and may_manage_assessment(access))


def may_record_return(access: PlanAccess, advice: AdviceRequest) -> bool:
    """Recording that advice came back: the case officer, or the person or team asked, on the plan."""
    person = access.person
    asked = person.id == advice.person_id or (person.organisation_id or 0) == advice.organisation_id
    return may_manage_assessment(access) or (
        access.membership is not None and person.role is not PersonRole.LA_AUDIT_OFFICER and asked
    )


def may_move_setting(access: PlanAccess) -> bool:
    """A move of school, while the plan is open: its coordinator or the local authority on it. On an EHC
    plan the local authority only (it names the placement in section I); once that plan is issued the
    move amends it, through its review: the coordinator only."""
    plan = access.plan
    if plan.status in ENDED_STATUSES or not role_may(access.person, Permission.CONTRIBUTE):
        return False
    if plan.kind is PlanKind.EHC and plan.status is PlanStatus.ISSUED:
        return may_coordinate(access)
    if access.member_role is MemberRole.LOCAL_AUTHORITY:
        return True
    return may_coordinate(access) and plan.kind is not PlanKind.EHC


def is_case_officer_of(person: Person, local_authority_id: int) -> bool:
    """A SEND case officer of this council: takes on its assessment requests."""
    return (
        person.role is PersonRole.LA_CASE_OFFICER
        and person.is_active
        and person.organisation_id == local_authority_id
    )


# Concerns and complaints (issue 19) ----------------------------------------------------------

CONCERN_READERS = frozenset({*FAMILY_MEMBER_ROLES, MemberRole.EDUCATION, MemberRole.LOCAL_AUTHORITY})
"""Who on a plan reads its concerns: the family, the setting's staff, the council; not the other agencies."""


def may_see_concerns(access: PlanAccess) -> bool:
    """The family and the setting they raise concerns with, the coordinator, the council's officers on
    the plan and its auditors; anyone else on the plan finds no concerns there (404)."""
    if not access.may_see:
        return False
    return access.audits or access.is_coordinator or access.member_role in CONCERN_READERS


def may_raise_concern(access: PlanAccess) -> bool:
    """A parent or carer on the plan, or the young person from 16 (the rights are theirs then)."""
    role = access.member_role
    if role not in FAMILY_MEMBER_ROLES or not role_may(access.person, Permission.CONTRIBUTE):
        return False
    return access.person.makes_own_decisions and access.plan.status not in ENDED_STATUSES


def concerns_go_to_council(access: PlanAccess) -> bool:
    """The family of a plan that has ended: there is no setting to answer now, so the council hears them."""
    return access.member_role in FAMILY_MEMBER_ROLES and access.plan.status in ENDED_STATUSES


def may_answer_concern(access: PlanAccess) -> bool:
    """The setting answers: its staff on the plan (the SENCo, a teacher)."""
    return access.member_role is MemberRole.EDUCATION and role_may(access.person, Permission.CONTRIBUTE)


def may_see_complaints_of(person: Person, local_authority_id: int) -> bool:
    """A council's complaints: its case and audit officers."""
    return (
        role_may(person, Permission.READ_LA_OVERVIEW)
        and person.organisation_id is not None
        and person.organisation_id == local_authority_id
    )


def may_handle_complaints_of(person: Person, local_authority_id: int) -> bool:
    """Taking on and answering a council's complaints, and its time to answer concerns: its case officers."""
    return role_may(person, Permission.HANDLE_COMPLAINTS) and person.organisation_id == local_authority_id


# Experts at Hand and inclusion bases (issue 19) ------------------------------------------------

SERVICE_STAFF_ROLES = frozenset(
    {PersonRole.EDUCATION, PersonRole.HEALTH, PersonRole.SOCIAL_CARE, PersonRole.LA_CASE_OFFICER}
)
"""The roles an Experts at Hand service's people hold (therapists, psychologists, specialist teachers)."""


def may_ask_experts(access: PlanAccess) -> bool:
    """The setting's staff on the plan ask a service for advice or direct work, until the plan ends."""
    return (
        access.member_role is MemberRole.EDUCATION
        and role_may(access.person, Permission.CONTRIBUTE)
        and access.plan.status not in ENDED_STATUSES
    )


def answers_for_service(person: Person, service_organisation_id: int) -> bool:
    """A service's own people see and answer the requests made to it; to anyone else they are absent."""
    return (
        person.is_active
        and person.role in SERVICE_STAFF_ROLES
        and person.organisation_id == service_organisation_id
    )


def works_at_setting(person: Person, setting_id: int) -> bool:
    """A school's own staff keep its inclusion bases and see who has a place in them."""
    return person.is_active and person.role is PersonRole.EDUCATION and person.organisation_id == setting_id


def may_give_place(access: PlanAccess) -> bool:
    """The school's own staff on the plan, who write its support (section F)."""
    plan = access.plan
    return (
        plan.setting_id is not None
        and works_at_setting(access.person, plan.setting_id)
        and may_write_in(access, Section.F)
    )
