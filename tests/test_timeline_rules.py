"""The statutory deadlines as pure date arithmetic: month ends, leap years, weeks of 20, words."""

from datetime import date

import pytest

from app.models.timeline import StepKind
from app.services.timelines import rules
from app.services.timelines.rules import NextStep, Status


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 10, 31), 4, date(2028, 2, 29)),  # into a leap February
        (date(2026, 10, 31), 4, date(2027, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # a leap day's anniversary
        (date(2026, 8, 31), 4, date(2026, 12, 31)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 1, 15), -2, date(2025, 11, 15)),
    ],
)
def test_months_later_keep_the_day_or_the_months_last(day: date, months: int, expected: date) -> None:
    assert rules.add_months(day, months) == expected


def test_an_assessment_crossing_a_leap_day() -> None:
    assert rules.assessment_due_dates(date(2027, 11, 26)) == {
        StepKind.ASSESSMENT_DECISION: date(2028, 1, 7),
        StepKind.ISSUE_DECISION: date(2028, 3, 17),
        StepKind.FINAL_PLAN: date(2028, 4, 14),
    }
    assert rules.advice_due(date(2028, 2, 1)) == date(2028, 3, 14)


def test_an_annual_review_from_a_month_end_meeting() -> None:
    assert rules.review_due_dates(date(2030, 1, 31)) == {
        StepKind.REVIEW_INVITATIONS: date(2030, 1, 17),
        StepKind.REVIEW_MEETING: date(2030, 1, 31),
        StepKind.REVIEW_REPORT: date(2030, 2, 14),
        StepKind.REVIEW_DECISION: date(2030, 2, 28),
        StepKind.AMENDED_DRAFT: date(2030, 4, 10),
        StepKind.AMENDED_FINAL: date(2030, 4, 25),
    }


def test_reviews_come_every_year_and_every_six_months_under_five() -> None:
    assert rules.next_annual_review(date(2026, 3, 31), date(2015, 6, 1)) == date(2027, 3, 31)
    assert rules.next_annual_review(date(2026, 8, 31), date(2023, 1, 1)) == date(2027, 2, 28)
    assert rules.next_sen_support_review(date(2026, 10, 31)) == date(2027, 2, 28)


def test_phase_transfers_and_preparing_for_adulthood() -> None:
    assert rules.phase_transfer_due(2027, into_post_16=False) == date(2027, 2, 15)
    assert rules.phase_transfer_due(2027, into_post_16=True) == date(2027, 3, 31)
    assert rules.transfer_year_for("Year 6", date(2026, 10, 1)) == (2027, False)
    assert rules.transfer_year_for("Year 11", date(2027, 1, 10)) == (2027, True)
    assert rules.transfer_year_for("Year 4", date(2027, 1, 10)) is None
    assert [rules.preparing_for_adulthood(year) for year in ("Year 8", "Year 9", "Year 12", "Reception")] == [
        False,
        True,
        True,
        False,
    ]


def test_status_of_a_step() -> None:
    due = date(2026, 5, 14)
    assert rules.status(due, None, date(2026, 5, 1)) is Status.DUE
    assert rules.status(due, None, date(2026, 5, 7)) is Status.DUE_SOON
    assert rules.status(due, None, date(2026, 5, 14)) is Status.DUE_SOON
    assert rules.status(due, None, date(2026, 5, 15)) is Status.OVERDUE
    assert rules.status(due, None, date(2026, 5, 15), exception=True) is Status.EXCEPTION
    assert rules.status(due, date(2026, 5, 14), date(2026, 6, 1)) is Status.DONE
    assert rules.status(due, date(2026, 5, 20), date(2026, 6, 1)) is Status.DONE_LATE
    assert rules.status(due, None, date(2026, 6, 1), cancelled=True) is Status.CANCELLED


def test_where_am_i_in_words_a_parent_understands() -> None:
    requested = date(2026, 4, 2)
    next_step = NextStep("the council decides whether to assess", date(2026, 5, 14))
    assert rules.week_number(requested, date(2026, 4, 2)) == 1
    assert rules.week_number(requested, date(2026, 5, 14)) == 7
    assert (
        rules.where_am_i(requested, date(2026, 5, 14), next_step)
        == "Week 7 of 20. Next: the council decides whether to assess, by 14 May."
    )
    assert (
        rules.where_am_i(requested, date(2026, 5, 15), next_step)
        == "Week 7 of 20. Late: the council decides whether to assess was due by 14 May."
    )
    late = NextStep("the final EHC plan is issued", date(2026, 8, 20))
    assert rules.where_am_i(requested, date(2027, 1, 5), late).startswith("Week 40. Late:")
    assert "20 August 2026" in rules.where_am_i(requested, date(2027, 1, 5), late)
