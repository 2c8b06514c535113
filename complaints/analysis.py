"""Pure computations on complaints: local time, k-suppression, weekday × hour grid, working-day
handling times and the cost case of a longer service window. No queries here."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from governance.platform.workdays import is_holiday, is_working_day

WEEKS_PER_YEAR = Decimal(52)
# A reference week (2024-01-01 is a Monday) to ask an opening interval about a weekday and hour.
REFERENCE_MONDAY = date(2024, 1, 1)


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def quarter_label(day: date) -> str:
    """The quarter `day` falls in, written "2026-Q2"."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(label: str) -> tuple[date, date] | None:
    """(first day, last day) of a quarter written "2026-Q2", or None when malformed."""
    try:
        year_text, quarter_text = label.split("-Q")
        year, quarter = int(year_text), int(quarter_text)
    except ValueError:
        return None
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        return None
    start = date(year, 3 * quarter - 2, 1)
    return start, add_months(start, 3) - timedelta(days=1)


def closed_quarters(today: date, count: int) -> list[str]:
    """The `count` quarters that ended before `today`, the most recent first."""
    first_of_this_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return [quarter_label(add_months(first_of_this_quarter, -3 * n)) for n in range(1, count + 1)]


def local(moment: datetime, time_zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(time_zone))


def local_date(moment: datetime, time_zone: str) -> date:
    return local(moment, time_zone).date()


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end ≤ start)."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            days += 1
    return days


def median(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(statistics.median(values)) if values else None


def suppress(counts: dict, k: int) -> dict:
    """Counts with every group of 1 … k−1 replaced by None (hidden). When exactly one group is
    hidden, the smallest shown non-zero group is hidden too, so that the hidden value cannot be
    derived from a published total."""
    shown = {key: (None if 0 < value < k else value) for key, value in counts.items()}
    hidden = [key for key, value in shown.items() if value is None]
    if len(hidden) == 1:
        candidates = sorted(
            (value, str(key), key) for key, value in shown.items() if value not in (None, 0)
        )
        if candidates:
            shown[candidates[0][2]] = None
    return shown


# --- weekday × hour ------------------------------------------------------------------------


def hour_grid(moments: Iterable[datetime], time_zone: str) -> dict[tuple[int, int], int]:
    """Counts per (weekday 0 = Monday, hour 0–23) of the moments, in local time."""
    grid: dict[tuple[int, int], int] = {}
    for moment in moments:
        here = local(moment, time_zone)
        key = (here.weekday(), here.hour)
        grid[key] = grid.get(key, 0) + 1
    return grid


def window_cells(intervals) -> set[tuple[int, int]]:
    """(weekday, hour) cells whose whole hour lies inside the weekly window. `intervals` are
    objects with weekday, opens and closes; no intervals means always open."""
    intervals = list(intervals)
    if not intervals:
        return {(d, h) for d in range(7) for h in range(24)}
    cells = set()
    for interval in intervals:
        for hour in range(24):
            start = time(hour, 0)
            end_minutes = (hour + 1) * 60
            closes_minutes = interval.closes.hour * 60 + interval.closes.minute
            if interval.opens <= start and end_minutes <= closes_minutes:
                cells.add((interval.weekday, hour))
    return cells


# --- the extension case --------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    weekday: int
    opens: time
    closes: time

    def covers(self, moment: datetime) -> bool:
        return moment.weekday() == self.weekday and self.opens <= moment.time() < self.closes


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _extra_minutes(current, interval: Interval) -> set[int]:
    minutes = set(range(_minutes(interval.opens), _minutes(interval.closes)))
    for existing in current:
        if existing.weekday == interval.weekday:
            minutes -= set(range(_minutes(existing.opens), _minutes(existing.closes)))
    return minutes


def extra_minutes_per_week(current, candidate: list[Interval]) -> int:
    """Minutes of the candidate window not already covered by the current window."""
    current = list(current)
    return sum(len(_extra_minutes(current, interval)) for interval in candidate)


def extra_intervals(current, candidate: list[Interval]) -> list[Interval]:
    """The parts of the candidate window the current window does not cover, as intervals
    (e.g. Monday 07:00–20:00 against 08:00–18:00 gives 07:00–08:00 and 18:00–20:00)."""
    current = list(current)
    parts = []
    for interval in candidate:
        run: list[int] = []
        for minute in sorted(_extra_minutes(current, interval)) + [-1]:
            if run and minute != run[-1] + 1:
                closes = run[-1] + 1
                # A candidate closes at 23:59 at the latest, so `closes` is a time of the day.
                parts.append(
                    Interval(
                        interval.weekday,
                        time(run[0] // 60, run[0] % 60),
                        time(closes // 60, closes % 60),
                    )
                )
                run = []
            if minute >= 0:
                run.append(minute)
    return parts


def in_window(moment_local: datetime, intervals, *, open_on_holidays: bool) -> bool:
    if not open_on_holidays and is_holiday(moment_local.date()):
        return False
    intervals = list(intervals)
    if not intervals:
        return True
    return any(interval.covers(moment_local) for interval in intervals)


@dataclass(frozen=True)
class ExtensionCase:
    complaints_total: int
    complaints_outside: int
    complaints_avoided: int
    extra_hours_per_week: Decimal
    annual_hours: Decimal
    annual_cost: Decimal
    avoided_per_year: Decimal
    cost_per_avoided: Decimal | None
    # Contacts a simulation model expects in the extra hours (None without a model).
    contacts_per_week: Decimal | None = None
    contacts_per_year: Decimal | None = None
    cost_per_contact: Decimal | None = None
    contacts_source: str = ""
    contacts_link: str = ""


def extension_case(
    *,
    occurred: list[tuple[datetime, bool | None]],
    current,
    candidate: list[Interval],
    open_on_holidays: bool,
    time_zone: str,
    staff: int,
    hourly_rate: Decimal,
    period_days: int,
    contacts_per_week: Decimal | None = None,
    contacts_source: str = "",
    contacts_link: str = "",
) -> ExtensionCase:
    """The complaints (moment, outside the window then) of one service over a period of
    `period_days`: those outside the current window that fall inside current ∪ candidate are
    the ones the longer window would have avoided. Cost = extra staffed hours per week × staff
    × hourly rate × 52; avoided complaints are scaled to a year from the period. With the
    contacts a model expects in the extra hours per week, also the cost per avoided contact
    (annual cost / (contacts per week × 52))."""
    current = list(current)
    widened = current + list(candidate)
    outside = [m for m, was_outside in occurred if was_outside]
    avoided = sum(
        1
        for moment in outside
        if in_window(local(moment, time_zone), widened, open_on_holidays=open_on_holidays)
    )
    extra_hours = (Decimal(extra_minutes_per_week(current, candidate)) / 60).quantize(
        Decimal("0.01")
    )
    annual_hours = extra_hours * staff * WEEKS_PER_YEAR
    annual_cost = (annual_hours * hourly_rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
    per_year = (Decimal(avoided) * Decimal(365) / Decimal(max(period_days, 1))).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )
    cost_per = (
        (annual_cost / per_year).quantize(Decimal("0.01"), ROUND_HALF_UP) if per_year else None
    )
    contacts_year = cost_per_contact = None
    if contacts_per_week is not None:
        contacts_per_week = Decimal(contacts_per_week).quantize(Decimal("0.1"), ROUND_HALF_UP)
        contacts_year = contacts_per_week * WEEKS_PER_YEAR
        if contacts_year:
            cost_per_contact = (annual_cost / contacts_year).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
    return ExtensionCase(
        complaints_total=len(occurred),
        complaints_outside=len(outside),
        complaints_avoided=avoided,
        extra_hours_per_week=extra_hours,
        annual_hours=annual_hours,
        annual_cost=annual_cost,
        avoided_per_year=per_year,
        cost_per_avoided=cost_per,
        contacts_per_week=contacts_per_week,
        contacts_per_year=contacts_year,
        cost_per_contact=cost_per_contact,
        contacts_source=contacts_source if contacts_per_week is not None else "",
        contacts_link=contacts_link if contacts_per_week is not None else "",
    )
