"""Contribution summaries for the LA audit officer: per plan, which agencies contributed and when.

Read from the audit trail, so it counts what was done, not what anyone says was done. An agency
is an organisation: of a member of the plan (expected to contribute) or of anyone who contributed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import AuditEvent, Child, Organisation, Outcome, Person, Plan, PlanMember
from app.models.base import as_utc, utc_now
from app.services import audit
from app.services.plans.plans import organisations_by_id

CONTRIBUTIONS = ("item.added", "item.revised", "comment.added", "review.recorded")
"""What counts as contributing to a plan."""
QUIET_AFTER = timedelta(days=183)
"""An agency on a plan with no contribution for six months is flagged."""
PLANS_PER_PAGE = 25
_SCAN_BATCH = 200


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


def _summaries(db: Session, rows: list[tuple[Plan, Child]], now: datetime) -> list[PlanContributions]:
    """Three queries for a batch of plans, however many events they have."""
    plan_ids = [plan.id for plan, _child in rows if plan.id is not None]
    members = db.exec(
        select(PlanMember.plan_id, Person.organisation_id)
        .join(Person, col(Person.id) == col(PlanMember.person_id))
        .where(
            col(PlanMember.plan_id).in_(plan_ids),
            col(PlanMember.removed_at).is_(None),
            col(Person.organisation_id).is_not(None),
        )
    ).all()
    counted = db.exec(
        select(
            AuditEvent.plan_id,
            AuditEvent.actor_organisation_id,
            func.count(),
            func.max(AuditEvent.occurred_at),
        )
        .where(
            col(AuditEvent.plan_id).in_(plan_ids),
            col(AuditEvent.outcome) == Outcome.DONE.value,
            col(AuditEvent.action).in_(CONTRIBUTIONS),
            col(AuditEvent.actor_organisation_id).is_not(None),
        )
        .group_by(col(AuditEvent.plan_id), col(AuditEvent.actor_organisation_id))
    ).all()
    on_plan = {(plan_id, organisation_id) for plan_id, organisation_id in members}
    done = {(plan_id, organisation_id): (count, last) for plan_id, organisation_id, count, last in counted}
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

    With `quiet_only`, only plans where an agency on the plan has been quiet for six months: the
    plans are read in batches until a page is full, so the page costs a bounded number of queries
    per batch whatever the number of events.
    """
    person = actor.signed_in()
    moment = now or utc_now()
    found: list[PlanContributions] = []
    cursor = after or 0
    exhausted = False
    while len(found) <= size and not exhausted:
        rows = list(
            db.exec(
                select(Plan, Child)
                .join(Child, col(Child.id) == col(Plan.child_id))
                .where(col(Plan.local_authority_id) == person.organisation_id, col(Plan.id) > cursor)
                .order_by(col(Plan.id))
                .limit(_SCAN_BATCH if quiet_only else size + 1)
            )
        )
        exhausted = len(rows) < (_SCAN_BATCH if quiet_only else size + 1)
        if rows:
            cursor = rows[-1][0].id or cursor
        summaries = _summaries(db, rows, moment) if rows else []
        found += [summary for summary in summaries if summary.has_quiet_agency or not quiet_only]
    plans = found[:size]
    next_after = plans[-1].plan_id if len(found) > size else None
    audit.record(db, actor, "audit.contributions_read", details={"after": after, "quiet_only": quiet_only})
    return ContributionPage(plans, next_after, moment - QUIET_AFTER)
