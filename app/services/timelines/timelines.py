"""A plan's statutory timeline: assessment requests, steps, advice requests, reviews and phase transfers.

The only code that writes these rows; each write records one audit event in the caller's transaction,
and each read of a plan's timeline one read event. Deadlines come from `rules`; "today" is the day in
the UK (Europe/London). The service is in parts, one module each: `reading` (the timeline as read),
`assessment`, `steps`, `advice`, `reviews` and `dashboards`; this module gathers what callers use.
"""

from app.services.timelines.advice import (
    AdviceReturned,
    NewAdviceRequest,
    advice_organisations,
    advice_people,
    check_may_ask_for_advice,
    check_may_record_return,
    may_record_return,
    plan_advice,
    record_advice_returned,
    send_advice_request,
)
from app.services.timelines.assessment import (
    NewAssessmentRequest,
    may_request_assessment,
    open_request,
    request_assessment,
    requester_kind,
    take_on,
)
from app.services.timelines.dashboards import (
    AgencyAdvice,
    Dashboard,
    DashboardRow,
    LaOverview,
    advice_timeliness_by_agency,
    la_overview,
    my_dashboard,
    plan_panel,
)
from app.services.timelines.reading import (
    Assessment,
    Entry,
    Timeline,
    plan_timeline,
    read_timeline,
    step_entry,
    timelines_of,
)
from app.services.timelines.reviews import (
    NewPhaseTransfer,
    NewReviewMeeting,
    add_phase_transfer,
    arrange_review,
    check_may_manage_reviews,
)
from app.services.timelines.steps import (
    StepDone,
    StepException,
    check_may_manage_step,
    may_manage_step,
    plan_step,
    record_done,
    record_exception,
)

__all__ = [
    "AdviceReturned",
    "AgencyAdvice",
    "Assessment",
    "Dashboard",
    "DashboardRow",
    "Entry",
    "LaOverview",
    "NewAdviceRequest",
    "NewAssessmentRequest",
    "NewPhaseTransfer",
    "NewReviewMeeting",
    "StepDone",
    "StepException",
    "Timeline",
    "add_phase_transfer",
    "advice_organisations",
    "advice_people",
    "advice_timeliness_by_agency",
    "arrange_review",
    "check_may_ask_for_advice",
    "check_may_manage_reviews",
    "check_may_manage_step",
    "check_may_record_return",
    "la_overview",
    "may_manage_step",
    "may_record_return",
    "may_request_assessment",
    "my_dashboard",
    "open_request",
    "plan_advice",
    "plan_panel",
    "plan_step",
    "plan_timeline",
    "read_timeline",
    "record_advice_returned",
    "record_done",
    "record_exception",
    "request_assessment",
    "requester_kind",
    "send_advice_request",
    "step_entry",
    "take_on",
    "timelines_of",
]
