"""Delivery log, reduced timetables, ending provision, the needs map, moves, and the LA's delivery page.

OWN: the caller is on the plan in the part their account fits (the coordinator, for the SENCo of a SEN
Support plan and the LA case officer of an EHC plan); an LA audit officer's OWN plan is one of their
council's. OTHER: a plan of another council that the caller is not on (it does not exist for them).
Each plan has a quantified provision, a need, a reduced timetable, an ended provision, and a school with
a SENCo in its council to move to.
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.clock import uk_today
from app.clock import uk_today as today
from app.models import (
    AreaOfNeed,
    Item,
    ItemKind,
    ItemRevision,
    MemberRole,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanMember,
    PlanStatus,
    ProvisionChange,
    ProvisionChangeKind,
    ProvisionFrequency,
    ProvisionUnit,
    ReducedTimetable,
    Section,
    SettingMove,
)
from app.models.base import id_of
from tests.factories import make_organisation, make_person
from tests.matrix import SEES_NO_PLAN, Relationship, Route, only
from tests.matrix.plan_management import _member, _plan

READERS = frozenset(set(PersonRole) - {PersonRole.ADMINISTRATOR})
CONTRIBUTORS = READERS - {PersonRole.LA_AUDIT_OFFICER}
PROFESSIONALS = frozenset(
    {PersonRole.EDUCATION, PersonRole.HEALTH, PersonRole.SOCIAL_CARE, PersonRole.LA_CASE_OFFICER}
)
COORDINATORS = frozenset({PersonRole.EDUCATION, PersonRole.LA_CASE_OFFICER})
FAMILY = frozenset({PersonRole.PARENT_CARER, PersonRole.CHILD})
LA = frozenset({PersonRole.LA_CASE_OFFICER, PersonRole.LA_AUDIT_OFFICER})
CASE_OFFICERS = frozenset({PersonRole.LA_CASE_OFFICER})


def _item(db: Session, plan_id: int, author: int, section: Section, kind: ItemKind, **content: Any) -> Item:
    item = Item(plan_id=plan_id, section=section, kind=kind, author_id=author, revision_number=1)
    db.add(item)
    db.flush()
    revision = ItemRevision(item_id=id_of(item), number=1, author_id=author, text="Matrix words.", **content)
    db.add(revision)
    db.flush()
    item.current_revision_id = revision.id
    db.add(item)
    db.flush()
    return item


def _params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    plan = _plan(db, caller, relationship)
    plan_id = id_of(plan)
    author = db.exec(
        select(PlanMember.person_id).where(
            PlanMember.plan_id == plan_id, col(PlanMember.is_coordinator).is_(True)
        )
    ).one()
    quantity = {"amount": 5, "unit": ProvisionUnit.SESSIONS, "frequency": ProvisionFrequency.WEEK}
    provision = _item(db, plan_id, author, Section.F, ItemKind.PROVISION, **quantity)
    ended = _item(db, plan_id, author, Section.F, ItemKind.PROVISION, **quantity)
    need = _item(db, plan_id, author, Section.B, ItemKind.NEED, area_of_need=AreaOfNeed.INDEPENDENCE)
    change = ProvisionChange(
        plan_id=plan_id,
        item_id=id_of(ended),
        kind=ProvisionChangeKind.ENDED,
        reason="Matrix reason",
        effective_on=today(),
        revision_before=1,
        made_by_id=author,
    )
    timetable = ReducedTimetable(
        plan_id=plan_id,
        starts_on=today() - timedelta(days=30),
        planned_end_on=today() + timedelta(days=30),
        hours_a_week=10,
        reason="Matrix",
        return_plan="Matrix",
        review_on=today() - timedelta(days=1),
        recorded_by_id=author,
    )
    db.add_all([change, timetable])
    council = db.get(Organisation, plan.local_authority_id)
    school = make_organisation(db, OrganisationKind.SCHOOL, council)
    senco = make_person(db, PersonRole.EDUCATION, organisation=school, password=None)
    db.flush()
    waiting = SettingMove(  # a move dated ahead, which may still be cancelled
        plan_id=plan_id,
        to_setting_id=id_of(school),
        moves_on=today() + timedelta(days=30),
        new_senco_id=id_of(senco),
        made_by_id=author,
    )
    db.add(waiting)
    db.flush()
    return {
        "plan_id": plan_id,
        "item_id": provision.id,
        "need_id": need.id,
        "change_id": change.id,
        "timetable_id": timetable.id,
        "school_id": school.id,
        "senco_id": senco.id,
        "move_id": waiting.id,
    }


def _issued_ehc_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    """As `_params`, on an issued EHC plan that a council case officer coordinates (the caller, if that is
    their part): a move amends the plan there, so only its coordinator records or cancels one."""
    params = _params(db, caller, relationship)
    plan = db.get(Plan, params["plan_id"])
    assert plan is not None
    if plan.kind is not PlanKind.EHC:
        for member in db.exec(select(PlanMember).where(PlanMember.plan_id == plan.id)):
            member.is_coordinator = False
            db.add(member)
        officer = make_person(db, PersonRole.LA_CASE_OFFICER, password=None)
        _member(db, plan, officer, MemberRole.LOCAL_AUTHORITY, coordinator=True)
    plan.kind, plan.status = PlanKind.EHC, PlanStatus.ISSUED
    db.add(plan)
    db.flush()
    return params


def page(
    roles: frozenset[PersonRole], allowed: int, route_roles: frozenset[PersonRole] = CONTRIBUTORS
) -> dict:  # type: ignore[type-arg]
    """`allowed` for these roles on their own plan; 403 for other roles; 404 on a plan they may not see."""
    return {
        Relationship.OWN: {
            **only(route_roles, 403, refused=403, anonymous=303),
            **SEES_NO_PLAN,
            **{role.value: allowed for role in roles},
        },
        Relationship.OTHER: only(route_roles, 404, refused=404, anonymous=303),
    }


def api(
    roles: frozenset[PersonRole], allowed: int, route_roles: frozenset[PersonRole] = CONTRIBUTORS
) -> dict:  # type: ignore[type-arg]
    return {
        Relationship.OWN: {
            **only(route_roles, 403, refused=403, anonymous=401),
            **SEES_NO_PLAN,
            **{role.value: allowed for role in roles},
        },
        Relationship.OTHER: only(route_roles, 404, refused=404, anonymous=401),
    }


WEEK = (uk_today() - timedelta(days=7)).isoformat()
TIMETABLE_FORM = {
    "starts_on": uk_today().isoformat(),
    "planned_end_on": (uk_today() + timedelta(days=28)).isoformat(),
    "hours_a_week": "15",
    "reason": "Matrix reason",
    "return_plan": "Matrix plan",
    "review_on": (uk_today() + timedelta(days=14)).isoformat(),
}
DECISION_FORM = {"decision": "end", "note": "Back to full time"}
NEEDS_FORM = {"setting_support": "some", "support_offered": "Matrix support", "family_confidence": "some"}


ROUTES = [
    Route("GET", "/plans/{plan_id}/delivery", page(READERS, 200, READERS), params=_params),
    Route("GET", "/plans/{plan_id}/delivery/{item_id}", page(READERS, 200, READERS), params=_params),
    Route(
        "POST",
        "/plans/{plan_id}/delivery/{item_id}",
        page(PROFESSIONALS, 303),
        params=_params,
        form={"week": WEEK},
    ),
    Route("GET", "/plans/{plan_id}/timetables/new", page(COORDINATORS, 200), params=_params),
    Route(
        "POST", "/plans/{plan_id}/timetables", page(COORDINATORS, 303), params=_params, form=TIMETABLE_FORM
    ),
    Route("GET", "/plans/{plan_id}/timetables/{timetable_id}", page(READERS, 200, READERS), params=_params),
    Route(
        "POST",
        "/plans/{plan_id}/timetables/{timetable_id}/decisions",
        page(COORDINATORS, 303),
        params=_params,
        form=DECISION_FORM,
    ),
    Route("GET", "/plans/{plan_id}/items/{item_id}/end", page(COORDINATORS, 200), params=_params),
    Route(
        "POST",
        "/plans/{plan_id}/items/{item_id}/end",
        page(COORDINATORS, 303),
        params=_params,
        form={"reason": "Matrix"},
    ),
    Route(
        "GET", "/plans/{plan_id}/provision-changes/{change_id}", page(READERS, 200, READERS), params=_params
    ),
    Route(
        "POST",
        "/plans/{plan_id}/provision-changes/{change_id}/responses",
        page(FAMILY, 303),
        params=_params,
        form={"text": "Matrix reply"},
    ),
    Route("GET", "/plans/{plan_id}/needs-map", page(READERS, 200, READERS), params=_params),
    # The form names no need: the page again with its errors, for everyone who may add to the map.
    Route("POST", "/plans/{plan_id}/needs-map", page(CONTRIBUTORS, 200), params=_params, form=NEEDS_FORM),
    Route("GET", "/plans/{plan_id}/move", page(COORDINATORS, 200), params=_params),
    # No school chosen: the form again with its errors, for those who may record a move.
    Route("POST", "/plans/{plan_id}/move", page(COORDINATORS, 200), params=_params, form={"moves_on": WEEK}),
    # A move dated ahead is called off by those who may record one.
    Route("POST", "/plans/{plan_id}/moves/{move_id}/cancel", page(COORDINATORS, 303), params=_params),
    # On an issued EHC plan: its coordinator only, the council's case officer (permissions.may_move_setting).
    Route("GET", "/plans/{plan_id}/move", page(CASE_OFFICERS, 200), params=_issued_ehc_params),
    Route(
        "POST",
        "/plans/{plan_id}/move",
        page(CASE_OFFICERS, 200),
        params=_issued_ehc_params,
        form={"moves_on": WEEK},
    ),
    Route(
        "POST", "/plans/{plan_id}/moves/{move_id}/cancel", page(CASE_OFFICERS, 303), params=_issued_ehc_params
    ),
    Route(
        "GET",
        "/la/delivery",
        {Relationship.NONE: only(LA, 200, refused=403, anonymous=303)},
    ),
    # API
    Route("GET", "/api/v1/plans/{plan_id}/delivery", api(READERS, 200, READERS), params=_params),
    Route(
        "GET", "/api/v1/plans/{plan_id}/items/{item_id}/delivery", api(READERS, 200, READERS), params=_params
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/items/{item_id}/delivery",
        api(PROFESSIONALS, 200),
        params=_params,
        json={"week_of": WEEK, "days": [{"day": WEEK, "status": "missed", "reason": "Matrix"}]},
    ),
    Route("GET", "/api/v1/plans/{plan_id}/reduced-timetables", api(READERS, 200, READERS), params=_params),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/reduced-timetables",
        api(COORDINATORS, 201),
        params=_params,
        json={**TIMETABLE_FORM, "hours_a_week": 15},
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/reduced-timetables/{timetable_id}/decisions",
        api(COORDINATORS, 201),
        params=_params,
        json=DECISION_FORM,
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/items/{item_id}/ending",
        api(COORDINATORS, 201),
        params=_params,
        json={"reason": "Matrix"},
    ),
    Route("GET", "/api/v1/plans/{plan_id}/provision-changes", api(READERS, 200, READERS), params=_params),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/provision-changes/{change_id}/responses",
        api(FAMILY, 201),
        params=_params,
        json={"text": "Matrix reply"},
    ),
    Route("GET", "/api/v1/plans/{plan_id}/needs-map", api(READERS, 200, READERS), params=_params),
    # An id that is no need of the plan: 422 for everyone who may add to the map.
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/needs-map",
        api(CONTRIBUTORS, 422),
        params=_params,
        json={**NEEDS_FORM, "item_id": 2_000_000_000},
    ),
    # More than a year ahead, to a school of another council: 422 for those who may record a move.
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/moves",
        api(COORDINATORS, 422),
        params=_params,
        json={"to_setting_id": 1, "new_senco_id": 1, "moves_on": "2999-01-01"},
    ),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/moves/{move_id}/cancellation",
        api(COORDINATORS, 200),
        params=_params,
    ),
    Route("GET", "/api/v1/la/delivery", {Relationship.NONE: only(LA, 200, refused=403, anonymous=401)}),
]
