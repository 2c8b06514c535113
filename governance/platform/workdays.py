"""Working days (REFERENCE.md §4): weekends and public holidays (the `holidays` package) are not
working days. Deadlines in working days — notice periods, report windows, complaint handling,
meeting preparation — are computed here, in dates of the organisation's own time zone."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays_of(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_holiday(day: date, *, country: str = "NL") -> bool:
    """True on a public holiday of `country` (Dutch by default)."""
    return day in _holidays_of(country, day.year)


def is_working_day(day: date, *, country: str = "NL") -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and not is_holiday(day, country=country)


def add_working_days(start: date, days: int, *, country: str = "NL") -> date:
    """The date `days` working days after `start` (before it when negative).

    `start` itself is not counted, so `add_working_days(friday, 1)` is the next Monday (or the
    first working day after it); with `days == 0` the result is `start` unchanged.
    """
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day, country=country):
            remaining -= 1
    return day


def previous_working_day(day: date, *, country: str = "NL") -> date:
    """`day` itself when it is a working day, else the last working day before it."""
    while not is_working_day(day, country=country):
        day -= timedelta(days=1)
    return day
