"""Contribution summaries for the LA audit officer: per plan, which agencies contributed and when.

Read from the audit trail, so it counts what was done, not what anyone says was done. An agency
is an organisation: of a member of the plan (expected to contribute) or of anyone who contributed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Subquery, exists
from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import Child, Organisation, Person, Plan, PlanContribution, PlanMember
from app.models.base import as_utc, utc_now
from app.services.audit import events as audit
from app.services.plans.plans import organisations_by_id
from app.services.timelines.dashboards import AgencyAdvice, advice_timeliness_by_agency

QUIET_AFTER = timedelta(days=183)
"""An agency on a plan with no contribution for six months is flagged."""
PLANS_PER_PAGE = 25


@dataclass(frozen=True)
class AgencyContribution:
    organisation: Organisation
    contributions: int
    last: datetime | None
    on_plan: bool
    """A current member of the plan works there."""
    quiet: bool
    """On the plan, and nothing from them for six months (or ever)."""


@dataclass(frozen=True)
class PlanContributions:
    plan_id: int
    reference: str
    child_name: str
    agencies: list[AgencyContribution]

    @property
    def has_quiet_agency(self) -> bool:
        return any(agency.quiet for agency in self.agencies)


@dataclass(frozen=True)
class ContributionPage:
    plans: list[PlanContributions]
    next_after: int | None
    """`after=` this plan id for the next page; None on the last."""
    quiet_since: datetime
    advice: list[AgencyAdvice]
    """Advice requested of each agency for the council's plans, and how much came back on time."""


def _agency_members(*where: ColumnElement[bool]) -> Subquery:
    """(plan_id, organisation_id) of every current member who works for an organisation."""
    return (
        select(PlanMember.plan_id, Person.organisation_id)
        .join(Person, col(Person.id) == col(PlanMember.person_id))
        .where(col(PlanMember.removed_at).is_(None), col(Person.organisation_id).is_not(None), *where)
        .subquery()
    )


def _summaries(db: Session, rows: list[tuple[Plan, Child]], now: datetime) -> list[PlanContributions]:
    """Three queries for a page of plans, however many events they have."""
    plan_ids = [plan.id for plan, _child in rows if plan.id is not None]
    agencies_on_plans = _agency_members(col(PlanMember.plan_id).in_(plan_ids))
    members = db.exec(select(agencies_on_plans.c.plan_id, agencies_on_plans.c.organisation_id)).all()
    counted = db.exec(select(PlanContribution).where(col(PlanContribution.plan_id).in_(plan_ids))).all()
    on_plan = {
        (plan_id, organisation_id) for plan_id, organisation_id in members if organisation_id is not None
    }
    done = {(row.plan_id, row.organisation_id): (row.contributions, row.last_at) for row in counted}
    organisations = organisations_by_id(db, {key[1] for key in on_plan | done.keys()})
    quiet_since = now - QUIET_AFTER
    summaries = []
    for plan, child in rows:
        keys = sorted(
            {key for key in on_plan | done.keys() if key[0] == plan.id},
            key=lambda key: organisations[key[1]].name if key[1] in organisations else "",
        )
        agencies = []
        for key in keys:
            count, last = done.get(key, (0, None))
            last = as_utc(last) if last is not None else None
            member = key in on_plan
            quiet = member and (last is None or last < quiet_since)
            if key[1] in organisations:
                agencies.append(AgencyContribution(organisations[key[1]], count, last, member, quiet))
        summaries.append(PlanContributions(plan.id or 0, plan.reference, child.full_name, agencies))
    return summaries


def _with_a_quiet_agency(quiet_since: datetime) -> ColumnElement[bool]:
    """The plan has a member's organisation with no contribution since `quiet_since` (one query)."""
    members = _agency_members()
    recent = select(PlanContribution.plan_id).where(
        col(PlanContribution.plan_id) == members.c.plan_id,
        col(PlanContribution.organisation_id) == members.c.organisation_id,
        col(PlanContribution.last_at) >= quiet_since,
    )
    return exists(select(members.c.plan_id).where(members.c.plan_id == col(Plan.id), ~exists(recent)))


def contribution_page(
    db: Session,
    actor: Actor,
    *,
    after: int | None = None,
    quiet_only: bool = False,
    size: int = PLANS_PER_PAGE,
    now: datetime | None = None,
) -> ContributionPage:
    """A page of the council's plans in order, each with its agencies' contributions.

    With `quiet_only`, only plans where an agency on the plan has been quiet for six months. Counts
    come from `PlanContribution`, kept with the trail, so a page costs the same few queries however
    many events there are.
    """
    person = actor.signed_in()
    moment = now or utc_now()
    query = (
        select(Plan, Child)
        .join(Child, col(Child.id) == col(Plan.child_id))
        .where(col(Plan.local_authority_id) == person.organisation_id, col(Plan.id) > (after or 0))
        .order_by(col(Plan.id))
        .limit(size + 1)
    )
    if quiet_only:
        query = query.where(_with_a_quiet_agency(moment - QUIET_AFTER))
    rows = list(db.exec(query))
    plans = _summaries(db, rows[:size], moment) if rows else []
    next_after = plans[-1].plan_id if len(rows) > size else None
    audit.record(db, actor, "audit.contributions_read", details={"after": after, "quiet_only": quiet_only})
    advice = advice_timeliness_by_agency(db, person.organisation_id) if person.organisation_id else []
    return ContributionPage(plans, next_after, moment - QUIET_AFTER, advice)
