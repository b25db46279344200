"""The statutory deadlines, as pure functions of dates (SEND Regulations 2014, Code of Practice 2015).

Nothing here reads the clock or the database: every function takes the days it needs, so that the
rules are tested with any date (leap years, month ends) and the services pass "today" in.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from app.models.timeline import StepKind

ASSESSMENT_WEEKS = 20
"""The final EHC plan within 20 weeks of the request (reg 13(2))."""
DECISION_WEEKS = 6
"""The decision whether to assess within 6 weeks of the request (reg 5)."""
ADVICE_WEEKS = 6
"""Each piece of advice within 6 weeks of being asked (reg 8)."""
ISSUE_DECISION_WEEKS = 16
"""A decision not to issue a plan within 16 weeks (reg 10); the draft goes out by then too."""
CONSULTATION_DAYS = 15
"""At least 15 days for the family to comment on a draft (reg 13(1), reg 22)."""
REVIEW_NOTICE_DAYS = 14
"""Invitations, and advice circulated, at least 2 weeks before an annual review meeting (reg 20)."""
REVIEW_REPORT_DAYS = 14
"""The review report within 2 weeks of the meeting (reg 20(7))."""
REVIEW_DECISION_WEEKS = 4
"""The council's decision within 4 weeks of the meeting (Code of Practice 9.176)."""
AMENDED_FINAL_WEEKS = 12
"""An amended plan final within 8 weeks of the draft, so 12 weeks of the meeting overall (reg 22)."""
SEN_SUPPORT_REVIEW_MONTHS = 4
"""SEN Support: meet the parents at least three times a year (Code of Practice 6.65)."""
ANNUAL_REVIEW_MONTHS = 12
UNDER_FIVE_REVIEW_MONTHS = 6
"""Under 5, an EHC plan is reviewed every 3 to 6 months (Code of Practice 9.178)."""
DUE_SOON_DAYS = 7
"""A step is due soon (and reminded) this many days before its deadline."""
PREPARING_FOR_ADULTHOOD_YEAR = 9
"""Every review from Year 9 includes preparing for adulthood (reg 20(6))."""
TRANSFER_YEARS = {6: False, 11: True}
"""School years that end with a move: Year 6 to secondary; Year 11 into post-16 (True)."""


def add_weeks(day: date, weeks: int) -> date:
    return day + timedelta(weeks=weeks)


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later; the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def assessment_due_dates(requested_on: date) -> dict[StepKind, date]:
    """The deadlines of an EHC needs assessment, counted from the day of the request."""
    return {
        StepKind.ASSESSMENT_DECISION: add_weeks(requested_on, DECISION_WEEKS),
        StepKind.ISSUE_DECISION: add_weeks(requested_on, ISSUE_DECISION_WEEKS),
        StepKind.FINAL_PLAN: add_weeks(requested_on, ASSESSMENT_WEEKS),
    }


def advice_due(sent_on: date) -> date:
    return add_weeks(sent_on, ADVICE_WEEKS)


def review_due_dates(meeting_on: date) -> dict[StepKind, date]:
    """The deadlines around an annual review meeting, counted from the day of the meeting."""
    final = add_weeks(meeting_on, AMENDED_FINAL_WEEKS)
    return {
        StepKind.REVIEW_INVITATIONS: meeting_on - timedelta(days=REVIEW_NOTICE_DAYS),
        StepKind.REVIEW_MEETING: meeting_on,
        StepKind.REVIEW_REPORT: meeting_on + timedelta(days=REVIEW_REPORT_DAYS),
        StepKind.REVIEW_DECISION: add_weeks(meeting_on, REVIEW_DECISION_WEEKS),
        # The family's 15 days must end before the final plan is due.
        StepKind.AMENDED_DRAFT: final - timedelta(days=CONSULTATION_DAYS),
        StepKind.AMENDED_FINAL: final,
    }


def next_sen_support_review(last: date) -> date:
    """The next meeting with the parents: within 4 months of the last (three a year at least)."""
    return add_months(last, SEN_SUPPORT_REVIEW_MONTHS)


def next_annual_review(last: date, born: date) -> date:
    """Within 12 months of the last review (or of the plan's issue); within 6 months under age 5."""
    months = UNDER_FIVE_REVIEW_MONTHS if age_on(born, last) < 5 else ANNUAL_REVIEW_MONTHS
    return add_months(last, months)


def year_number(school_year: str) -> int | None:
    """7 for "Year 7"; None for "Reception", "Nursery" or anything else."""
    words = school_year.strip().lower().split()
    if len(words) == 2 and words[0] == "year" and words[1].isdigit():
        return int(words[1])
    return None


def preparing_for_adulthood(school_year: str) -> bool:
    year = year_number(school_year)
    return year is not None and year >= PREPARING_FOR_ADULTHOOD_YEAR


def phase_transfer_due(transfer_year: int, *, into_post_16: bool) -> date:
    """The plan names the next school by 15 February of the year of the move (31 March into post-16)."""
    return date(transfer_year, 3, 31) if into_post_16 else date(transfer_year, 2, 15)


def transfer_year_for(school_year: str, today: date) -> tuple[int, bool] | None:
    """For a child in a year that ends with a move: the calendar year of the move and whether into post-16."""
    year = year_number(school_year)
    if year not in TRANSFER_YEARS:
        return None
    # The school year runs September to August: the move happens in the September after it.
    move_year = today.year + 1 if today.month >= 9 else today.year
    return move_year, TRANSFER_YEARS[year]


def week_number(start: date, today: date) -> int:
    """Week 1 is the first seven days from `start` (the day of the request)."""
    return max(0, (today - start).days) // 7 + 1


class Status(StrEnum):
    DONE = "done"
    DONE_LATE = "done_late"
    DUE = "due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    EXCEPTION = "exception"
    """Past its deadline, or done late, with an exception recorded: shown as such."""
    CANCELLED = "cancelled"


STATUS_LABELS = {
    Status.DONE: "Done",
    Status.DONE_LATE: "Done late",
    Status.DUE: "Due",
    Status.DUE_SOON: "Due soon",
    Status.OVERDUE: "Overdue",
    Status.EXCEPTION: "Late: an exception applies",
    Status.CANCELLED: "No longer needed",
}
OPEN_STATUSES = frozenset({Status.DUE, Status.DUE_SOON, Status.OVERDUE, Status.EXCEPTION})


def status(
    due_on: date,
    done_on: date | None,
    today: date,
    *,
    exception: bool = False,
    cancelled: bool = False,
) -> Status:
    if cancelled:
        return Status.CANCELLED
    if done_on is not None:
        if done_on <= due_on:
            return Status.DONE
        return Status.EXCEPTION if exception else Status.DONE_LATE
    if today > due_on:
        return Status.EXCEPTION if exception else Status.OVERDUE
    if (due_on - today).days <= DUE_SOON_DAYS:
        return Status.DUE_SOON
    return Status.DUE


def day_words(day: date, today: date) -> str:
    """ "14 May" this year, "14 May 2027" in another."""
    return f"{day.day} {day:%B}" if day.year == today.year else f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class NextStep:
    label: str
    due_on: date


def where_am_i(requested_on: date, today: date, next_step: NextStep | None, *, closed: bool = False) -> str:
    """The assessment's place in words a parent understands: "Week 7 of 20. Next: ..., by 14 May."."""
    week = week_number(requested_on, today)
    if closed or next_step is None:
        return f"The assessment asked for on {day_words(requested_on, today)} has finished."
    where = f"Week {week} of {ASSESSMENT_WEEKS}." if week <= ASSESSMENT_WEEKS else f"Week {week}."
    if next_step.due_on < today:
        return f"{where} Late: {next_step.label} was due by {day_words(next_step.due_on, today)}."
    return f"{where} Next: {next_step.label}, by {day_words(next_step.due_on, today)}."


def week_monday(today: date) -> date:
    return today - timedelta(days=today.weekday())


def week_sunday(today: date) -> date:
    return week_monday(today) + timedelta(days=6)
