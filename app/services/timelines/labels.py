"""Words and GOV.UK tag colours for the timeline's statuses, kinds and choices (pages and panels)."""

from typing import Any

from app.models.timeline import (
    ADVICE_TOPIC_LABELS,
    EXCEPTION_KIND_LABELS,
    REQUESTER_KIND_LABELS,
    STEP_KIND_LABELS,
    STEP_OUTCOME_LABELS,
)
from app.services.timelines import rules
from app.services.timelines.rules import STATUS_LABELS

STATUS_TAGS = {
    rules.Status.DONE: "govuk-tag--green",
    rules.Status.DONE_LATE: "govuk-tag--grey",
    rules.Status.DUE: "govuk-tag--blue",
    rules.Status.DUE_SOON: "govuk-tag--yellow",
    rules.Status.OVERDUE: "govuk-tag--red",
    rules.Status.EXCEPTION: "govuk-tag--purple",
    rules.Status.CANCELLED: "govuk-tag--grey",
}
LABELS: dict[str, Any] = {
    "status": STATUS_LABELS,
    "status_tag": STATUS_TAGS,
    "topic": ADVICE_TOPIC_LABELS,
    "exception": EXCEPTION_KIND_LABELS,
    "requester": REQUESTER_KIND_LABELS,
    "step": STEP_KIND_LABELS,
    "outcome": STEP_OUTCOME_LABELS,
}
