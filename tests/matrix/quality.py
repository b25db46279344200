"""Plan quality: the live check of provision as typed, differences of opinion, the quality report API,
and the local authority's figures (its case and audit officers only).

OWN and OTHER as in the plan pages and plans API modules: on the plan in a fitting part, or a plan of
another council (absent). The LA figures are about no one's plan in particular (their own council's).
"""

from app.models import PersonRole
from tests.matrix import Relationship, Route, only
from tests.matrix.plan_pages import _plan_params, contributing
from tests.matrix.plans_api import CONTRIBUTORS, READ, _plan, on_plan

LA_OFFICERS = frozenset({PersonRole.LA_CASE_OFFICER, PersonRole.LA_AUDIT_OFFICER})
DIFFERENCE = {
    "about": "Matrix difference",
    "section": "K",
    "views": [{"holder_name": "One", "view": "Yes."}, {"holder_name": "Two", "view": "No."}],
}

ROUTES = [
    Route(
        "POST",
        "/plans/{plan_id}/quality/check",
        contributing(200),
        params=_plan_params,
        form={"text": "Access to a quiet space when appropriate"},
    ),
    Route("GET", "/plans/{plan_id}/differences/new", contributing(200), params=_plan_params),
    # An incomplete form: the page again with its errors (recording one is tested in test_quality).
    Route("POST", "/plans/{plan_id}/differences", contributing(200), params=_plan_params, form={"about": ""}),
    Route("GET", "/la/quality", {Relationship.NONE: only(LA_OFFICERS, 200, refused=403, anonymous=303)}),
    Route("GET", "/api/v1/plans/{plan_id}/quality", READ, params=_plan),
    Route("GET", "/api/v1/plans/{plan_id}/differences", READ, params=_plan),
    Route(
        "POST",
        "/api/v1/plans/{plan_id}/differences",
        on_plan(CONTRIBUTORS, 201),
        params=_plan,
        json=DIFFERENCE,
    ),
    Route(
        "GET", "/api/v1/la/quality", {Relationship.NONE: only(LA_OFFICERS, 200, refused=403, anonymous=401)}
    ),
]
