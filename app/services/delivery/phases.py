"""Whether a school or college fits a child's phase: the school year the child will be in on the day
of a move, against the years the setting teaches.

A child's school year is kept as typed ("Year 4", "Reception"); it moves on each September, so a move
dated in a later school year is checked against the year the child will be in then.
"""

from dataclasses import dataclass
from datetime import date

from app.models import SETTING_PHASE_LABELS, Organisation, SettingPhase

NURSERY, RECEPTION = -1, 0
YEARS_TAUGHT: dict[SettingPhase, tuple[int, int]] = {
    SettingPhase.EARLY_YEARS: (NURSERY, RECEPTION),
    SettingPhase.PRIMARY: (NURSERY, 6),
    SettingPhase.SECONDARY: (7, 11),
    SettingPhase.SECONDARY_WITH_SIXTH_FORM: (7, 13),
    SettingPhase.POST_16: (12, 99),
    SettingPhase.ALL_THROUGH: (RECEPTION, 13),
}
"""The first and last school year each phase teaches (post-16 and college: to age 25)."""


def year_index(school_year: str) -> int | None:
    """-1 for "Nursery", 0 for "Reception", 7 for "Year 7"; None for anything else."""
    words = school_year.strip().lower().split()
    if words == ["nursery"]:
        return NURSERY
    if words == ["reception"]:
        return RECEPTION
    if len(words) == 2 and words[0] == "year" and words[1].isdigit():
        return int(words[1])
    return None


def year_name(index: int) -> str:
    return {NURSERY: "Nursery", RECEPTION: "Reception"}.get(index, f"Year {index}")


def school_year_starting(day: date) -> int:
    """The calendar year in which the school year holding `day` began (it runs September to August)."""
    return day.year if day.month >= 9 else day.year - 1


@dataclass(frozen=True)
class Fit:
    fits: bool
    problem: str | None
    """Why it does not fit (or cannot be checked), in words for the person recording the move."""


def fit(school: Organisation, school_year: str, child_name: str, today: date, moves_on: date) -> Fit:
    """Whether the setting teaches the year the child will be in on the day of the move."""
    now = year_index(school_year)
    if now is None:
        return Fit(
            False,
            f"{child_name}'s school year ({school_year}) cannot be checked against {school.name}'s phase",
        )
    if school.phase is None:
        return Fit(False, f"{school.name}'s phase of education is not recorded, so it cannot be checked")
    then = now + school_year_starting(moves_on) - school_year_starting(today)
    first, last = YEARS_TAUGHT[school.phase]
    if first <= then <= last:
        return Fit(True, None)
    return Fit(
        False,
        f"{school.name} is {SETTING_PHASE_LABELS[school.phase].lower()}; {child_name} will be in "
        f"{year_name(then)} on {moves_on:%-d %B %Y}",
    )
