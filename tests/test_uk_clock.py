"""Statutory dates are the UK's whatever the machine's clock says (issue 17: a draft sent on 2 December
on a machine set to Etc/GMT+12 gave the family 14 days, not 15).

Each case sets the process's time zone (`TZ`) and the instant, then takes the steps that start a
statutory count from "today": the family's 15 days to comment on a draft, and the 6, 16 and 20 weeks
of an assessment asked for today. Every time zone must give the same dates, on both sides of the
changes to and from British Summer Time.
"""

import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlmodel import Session

from app.actor import Actor
from app.clock import uk_today
from app.models import MemberRole, PlanKind
from app.services.plans import lifecycle
from app.services.plans.access import plan_access
from app.services.plans.lifecycle import Step, StepRequest
from app.services.timelines.assessment import NewAssessmentRequest, request_assessment
from app.services.timelines.rules import assessment_due_dates
from tests.plan_factories import coordinator_of, make_plan

MACHINE_TIME_ZONES = ("UTC", "Etc/GMT+12", "Etc/GMT-14", "America/Los_Angeles", "Asia/Kolkata")

# (the instant, the date in the UK at that instant)
MOMENTS = [
    # Late evening in winter: the UK is on GMT; west of it the machine's date is still the same,
    # east of it it is already tomorrow.
    (datetime(2026, 12, 2, 23, 30, tzinfo=UTC), date(2026, 12, 2)),
    # Just after the clocks go forward (01:00 GMT on 28 March 2027 is 02:00 BST).
    (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), date(2027, 3, 28)),
    # Half past midnight BST is still the evening before in UTC: the UK is a day ahead of UTC.
    (datetime(2027, 7, 14, 23, 30, tzinfo=UTC), date(2027, 7, 15)),
    # The night the clocks go back (02:00 BST on 31 October 2027 is 01:00 GMT).
    (datetime(2027, 10, 30, 23, 30, tzinfo=UTC), date(2027, 10, 31)),
    (datetime(2027, 10, 31, 0, 30, tzinfo=UTC), date(2027, 10, 31)),
]


@pytest.fixture(params=MACHINE_TIME_ZONES)
def machine_time_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The process's own time zone, as a server set up elsewhere might have it."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.mark.parametrize(("instant", "uk_date"), MOMENTS, ids=[f"{m:%Y-%m-%dT%H:%MZ}" for m, _ in MOMENTS])
def test_statutory_counts_start_on_the_uk_date_in_any_machine_time_zone(
    db_session: Session, machine_time_zone: str, instant: datetime, uk_date: date
) -> None:
    with time_machine.travel(instant, tick=False):
        assert uk_today() == uk_date

        draft, _ = make_plan(db_session, PlanKind.EHC)
        officer = Actor.command(coordinator_of(db_session, draft))
        lifecycle.take_step(
            db_session,
            officer,
            plan_access(db_session, officer, draft.id),
            StepRequest(step=Step.SEND_FOR_CONSULTATION),
        )
        assert draft.consultation_ends_on == uk_date + timedelta(days=15)

        support, people = make_plan(db_session, PlanKind.SEN_SUPPORT)
        parent = Actor.command(people[MemberRole.PARENT_CARER])
        request = request_assessment(
            db_session, parent, plan_access(db_session, parent, support.id), NewAssessmentRequest()
        )
        assert request.requested_on == uk_date
        assert assessment_due_dates(request.requested_on) == assessment_due_dates(uk_date)
