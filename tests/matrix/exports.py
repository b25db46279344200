"""The plan on paper and on the move: PDFs, the child's summary, exports (pages and API).

A copy leaves OnePlan, so only the plan's members take one: the LA's auditor, who reads the plan on
screen (the "My plan" page too), is told a copy of it does not exist (404). OWN and OTHER as in
tests/matrix/plan_pages.py.
"""

from app.models import PersonRole
from tests.matrix import SEES_NO_PLAN, Relationship, Route, only
from tests.matrix.plan_pages import READERS, _plan_params, reading

MEMBERS = READERS - {PersonRole.LA_AUDIT_OFFICER}


def copying(allowed: int, *, anonymous: int) -> dict[Relationship, dict[str, int]]:
    """Members take copies of their plan; the auditor of its council gets 404, as for another plan."""
    own = (
        only(MEMBERS, allowed, refused=403, anonymous=anonymous)
        | {PersonRole.LA_AUDIT_OFFICER.value: 404}
        | SEES_NO_PLAN
    )
    return {
        Relationship.OWN: own,
        Relationship.OTHER: only(READERS, 404, refused=404, anonymous=anonymous),
    }


ROUTES = [
    Route("GET", "/plans/{plan_id}/plan.pdf", copying(200, anonymous=303), params=_plan_params),
    Route("GET", "/plans/{plan_id}/my-plan", reading(200), params=_plan_params),
    Route("GET", "/plans/{plan_id}/my-plan.pdf", copying(200, anonymous=303), params=_plan_params),
    Route("GET", "/api/v1/plans/{plan_id}/plan.pdf", copying(200, anonymous=401), params=_plan_params),
]
ROUTES += [
    # The tribunal bundle: the plan's members and the council's audit officers (reading, as on screen).
    Route("GET", "/plans/{plan_id}/tribunal-bundle.pdf", reading(200), params=_plan_params),
    Route(
        "GET",
        "/api/v1/plans/{plan_id}/tribunal-bundle.pdf",
        {
            Relationship.OWN: only(READERS, 200, refused=403, anonymous=401) | SEES_NO_PLAN,
            Relationship.OTHER: only(READERS, 404, refused=404, anonymous=401),
        },
        params=_plan_params,
    ),
]
ROUTES += [
    Route("GET", "/plans/{plan_id}/export.zip", copying(200, anonymous=303), params=_plan_params),
    Route("GET", "/api/v1/plans/{plan_id}/export", copying(200, anonymous=401), params=_plan_params),
    Route("GET", "/account/my-data.zip", {Relationship.NONE: only(READERS, 200, refused=403, anonymous=303)}),
    Route("GET", "/api/v1/me/data", {Relationship.NONE: only(READERS, 200, refused=403, anonymous=401)}),
]
