"""Working days, as a setting counts its time to answer a concern: pure functions of dates.

A working day is Monday to Friday, not a bank holiday in England. The bank holidays are worked out for
any year (Easter, the Mondays of May and August, Christmas, with the substitute days when one falls on
a weekend), so no table runs out; a one-off holiday named by proclamation is not among them.
"""

from datetime import date, timedelta
from functools import lru_cache

SATURDAY = 5


def easter_sunday(year: int) -> date:
    """Easter Day in the Gregorian calendar (the anonymous algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=last.weekday())


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England's bank holidays in the year; one on a weekend moves to the next free weekday."""
    easter = easter_sunday(year)
    fixed = [date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)]
    days = {
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        _first_monday(year, 5),
        _last_monday(year, 5),
        _last_monday(year, 8),
    }
    for day in fixed:
        while day.weekday() >= SATURDAY or day in days:
            day += timedelta(days=1)
        days.add(day)
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < SATURDAY and day not in bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (the day itself does not count, whatever it is)."""
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day
