"""Planned against delivered, per week and per half-term: pure arithmetic, no database.

A week is Monday to Friday. A school day is a weekday inside a half-term that is not a closure day;
outside the configured half-terms every weekday counts (so an unconfigured year is not silently
empty). Planned provision scales with the school days in the period:

- `a day`: the amount on every school day;
- `a week`: the amount for a full five-day week, pro rata for a part week (a week with a bank
  holiday, the first or last week of a half-term);
- `a half-term`, `a term`, `a year`: compared per half-term only (a term is two half-terms, a year
  six), never per week, where the sessions may fall in any week.

Planned provision runs only between its own start and end dates (`Active`): school days before it
starts or after it ends plan nothing, and provision counted per half-term is planned pro rata to the
share of the half-term's school days it runs. Provision counted in sessions is planned in whole
sessions, to the nearest ("3 sessions", never "2.4"): a session is not delivered in part.

A shortfall is flagged when the delivered amount falls short of the planned amount by more than the
threshold (a share, 0.10 by default): 3 of 5 sessions is a 40% shortfall and is flagged.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from app.models import ProvisionFrequency, ProvisionUnit
from app.models.provision import count_words, unit_words

SCHOOL_WEEK_DAYS = 5
DEFAULT_TERM_DATES = (
    "2025-09-03..2025-10-24,2025-11-03..2025-12-19,2026-01-05..2026-02-13,2026-02-23..2026-03-27,"
    "2026-04-13..2026-05-22,2026-06-01..2026-07-22,2026-09-02..2026-10-23,2026-11-02..2026-12-18,"
    "2027-01-05..2027-02-12,2027-02-22..2027-03-26,2027-04-12..2027-05-28,2027-06-07..2027-07-21,"
    "2027-09-02..2027-10-22,2027-11-01..2027-12-17"
)
"""Northshire's half-terms for three school years (the service's default; ONEPLAN_TERM_DATES replaces it)."""
DEFAULT_CLOSURE_DAYS = "2026-05-04,2027-05-03"
"""Bank holidays that fall inside a half-term."""


@dataclass(frozen=True)
class HalfTerm:
    starts_on: date
    ends_on: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class SchoolCalendar:
    half_terms: tuple[HalfTerm, ...]
    closures: frozenset[date]

    @classmethod
    def parse(cls, term_dates: str, closure_days: str) -> "SchoolCalendar":
        """From `YYYY-MM-DD..YYYY-MM-DD` ranges and `YYYY-MM-DD` days, comma-separated."""
        half_terms = []
        for part in (term_dates or DEFAULT_TERM_DATES).split(","):
            if part.strip():
                start, _dots, end = part.strip().partition("..")
                half_terms.append(HalfTerm(date.fromisoformat(start), date.fromisoformat(end or start)))
        closures = frozenset(
            date.fromisoformat(day.strip())
            for day in (closure_days or DEFAULT_CLOSURE_DAYS).split(",")
            if day.strip()
        )
        return cls(tuple(sorted(half_terms, key=lambda term: term.starts_on)), closures)

    def half_term_of(self, day: date) -> HalfTerm | None:
        return next((term for term in self.half_terms if day in term), None)

    def covers(self, day: date) -> bool:
        """Whether the configured half-terms reach this far (before, between and after them is known)."""
        return bool(self.half_terms) and self.half_terms[0].starts_on <= day <= self.half_terms[-1].ends_on

    def is_school_day(self, day: date) -> bool:
        if day.weekday() >= SCHOOL_WEEK_DAYS or day in self.closures:
            return False
        return self.half_term_of(day) is not None if self.covers(day) else True

    def school_days(self, first: date, last: date) -> list[date]:
        days = []
        day = first
        while day <= last:
            if self.is_school_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def half_term_around(self, day: date) -> HalfTerm:
        """The half-term holding the day, or (outside the calendar) the calendar month as a stand-in."""
        term = self.half_term_of(day)
        if term is not None:
            return term
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return HalfTerm(first, following - timedelta(days=1))


@dataclass(frozen=True)
class Active:
    """When a provision runs: from its start to its end, both included (None: not bounded that way)."""

    starts_on: date | None = None
    ends_on: date | None = None

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        return (self.starts_on is None or self.starts_on <= day) and (
            self.ends_on is None or day <= self.ends_on
        )


ALWAYS = Active()


def whole(amount: float) -> int:
    """To the nearest whole number, halves up (2.5 sessions is 3; Python's round would give 2)."""
    return math.floor(amount + 0.5)


def in_units(amount: float | None, unit: ProvisionUnit | None) -> str:
    """An amount with its unit as people say it: "3 sessions", "1 session", "1.5 hours", "45 minutes".

    Sessions are whole; hours and minutes are shown to one decimal place at most.
    """
    if amount is None:
        return "not counted"
    if unit is ProvisionUnit.SESSIONS:
        return count_words(whole(amount), "session")
    shown = round(amount, 1)
    return f"{shown:g} {unit_words(shown, unit)}" if unit is not None else f"{shown:g}"


def _number(amount: float, unit: ProvisionUnit | None) -> str:
    return str(whole(amount)) if unit is ProvisionUnit.SESSIONS else f"{round(amount, 1):g}"


def delivered_of_planned(delivered: float, planned: float | None, unit: ProvisionUnit | None) -> str:
    """What was delivered against what was planned, in the provision's unit: "3 of 5 sessions"."""
    if planned is None:
        return in_units(delivered, unit)
    return f"{_number(delivered, unit)} of {in_units(planned, unit)}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=offset) for offset in range(SCHOOL_WEEK_DAYS)]


HALF_TERMS_IN = {ProvisionFrequency.HALF_TERM: 1, ProvisionFrequency.TERM: 2, ProvisionFrequency.YEAR: 6}


def planned_in(
    amount: float, frequency: ProvisionFrequency, school_days: int, *, whole_half_term: bool
) -> float | None:
    """The amount planned over a period of `school_days` (None where the frequency is not counted weekly)."""
    if frequency is ProvisionFrequency.DAY:
        return amount * school_days
    if frequency is ProvisionFrequency.WEEK:
        return amount * school_days / SCHOOL_WEEK_DAYS
    if not whole_half_term:
        return None
    return amount / HALF_TERMS_IN[frequency]


def per_day(amount: float, frequency: ProvisionFrequency, unit: ProvisionUnit | None = None) -> float | None:
    """What one school day of the provision is, for prefilling the grid (None: no daily share).

    A day of provision in sessions is at least one whole session: a day it was delivered, it was given.
    """
    if frequency is ProvisionFrequency.DAY:
        return amount
    if frequency is ProvisionFrequency.WEEK:
        share = amount / SCHOOL_WEEK_DAYS
        return float(max(1, whole(share))) if unit is ProvisionUnit.SESSIONS else share
    return None


@dataclass(frozen=True)
class Tally:
    """Planned and delivered over a week or a half-term."""

    starts_on: date
    ends_on: date
    school_days: int
    planned: float | None
    delivered: float
    missed: int
    """Days recorded as missed."""
    recorded_days: int
    threshold: float
    ended: bool = False
    """A week that is over (asked with today): with nothing logged in it, it counts as a week short."""

    @property
    def nothing_logged(self) -> bool:
        """Something was planned and no day of it has a record: said as such, never as "delivered 0"."""
        return self.recorded_days == 0 and bool(self.planned)

    @property
    def shortfall(self) -> float:
        """The share of the planned amount not delivered (0 when nothing was planned)."""
        if not self.planned:
            return 0.0
        return max(0.0, (self.planned - self.delivered) / self.planned)

    @property
    def flagged(self) -> bool:
        """Over the threshold once something was recorded, or once the week ended with nothing logged."""
        counted = self.recorded_days > 0 or self.ended
        return counted and self.planned is not None and self.shortfall > self.threshold + 1e-9


@dataclass(frozen=True)
class DayRecord:
    """The record that counts for one day (the newest)."""

    day: date
    delivered: bool
    amount: float


def tally(
    records: Iterable[DayRecord],
    *,
    amount: float,
    frequency: ProvisionFrequency,
    calendar: SchoolCalendar,
    first: date,
    last: date,
    threshold: float,
    whole_half_term: bool = False,
    active: Active = ALWAYS,
    unit: ProvisionUnit | None = None,
) -> Tally:
    """Planned against delivered between two days (both included), for the days the provision runs."""
    days = calendar.school_days(first, last)
    running = [day for day in days if day in active]
    planned = planned_in(amount, frequency, len(running), whole_half_term=whole_half_term)
    if planned is not None and frequency in HALF_TERMS_IN and len(running) < len(days):
        planned *= len(running) / len(days)  # started or ended within the half-term
    if planned is not None and unit is ProvisionUnit.SESSIONS:
        planned = float(whole(planned))
    inside = [record for record in records if first <= record.day <= last]
    return Tally(
        starts_on=first,
        ends_on=last,
        school_days=len(running),
        planned=planned,
        delivered=sum(record.amount for record in inside if record.delivered),
        missed=sum(1 for record in inside if not record.delivered),
        recorded_days=len(inside),
        threshold=threshold,
    )


def week_tally(
    records: Iterable[DayRecord],
    *,
    amount: float,
    frequency: ProvisionFrequency,
    calendar: SchoolCalendar,
    monday: date,
    threshold: float,
    active: Active = ALWAYS,
    unit: ProvisionUnit | None = None,
    today: date | None = None,
) -> Tally:
    """One school week; given `today`, a week that is over counts as short with nothing logged."""
    last = monday + timedelta(days=SCHOOL_WEEK_DAYS - 1)
    counted = tally(
        records,
        amount=amount,
        frequency=frequency,
        calendar=calendar,
        first=monday,
        last=last,
        threshold=threshold,
        active=active,
        unit=unit,
    )
    return replace(counted, ended=today is not None and last < today)


def half_term_tally(
    records: Iterable[DayRecord],
    *,
    amount: float,
    frequency: ProvisionFrequency,
    calendar: SchoolCalendar,
    day: date,
    threshold: float,
    until: date | None = None,
    active: Active = ALWAYS,
    unit: ProvisionUnit | None = None,
) -> Tally:
    """The half-term holding `day`, up to `until` (today) for daily and weekly provision.

    Provision counted per half-term (or term, or year) is compared only once its half-term is over.
    """
    term = calendar.half_term_around(day)
    last = term.ends_on
    if frequency in {ProvisionFrequency.DAY, ProvisionFrequency.WEEK} and until is not None:
        last = max(term.starts_on, min(term.ends_on, until))
    counted = tally(
        records,
        amount=amount,
        frequency=frequency,
        calendar=calendar,
        first=term.starts_on,
        last=last,
        threshold=threshold,
        whole_half_term=True,
        active=active,
        unit=unit,
    )
    if frequency in HALF_TERMS_IN and until is not None and until < term.ends_on:
        return Tally(**{**counted.__dict__, "recorded_days": 0})  # not over yet: not flagged
    return counted


def latest_by_day(records: Iterable[tuple[int, date, bool, float]]) -> list[DayRecord]:
    """The newest record of each day from (id, day, delivered, amount) rows: corrections win."""
    newest: dict[date, tuple[int, DayRecord]] = {}
    for record_id, day, delivered, amount in records:
        if day not in newest or record_id > newest[day][0]:
            newest[day] = (record_id, DayRecord(day, delivered, amount))
    return [entry for _id, entry in sorted(newest.values(), key=lambda pair: pair[1].day)]
