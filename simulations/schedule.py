"""Weekly opening hours: parse "mon-fri 08:00-18:00; sat 09:00-13:00 x4" into staffed intervals.

A week runs from Monday 00:00 (second 0) to Sunday 24:00 (second 604,800). An entry names days
(English or Dutch abbreviations, ranges and lists), a time range, and optionally the staff on
duty in that period ("x4"); without it the step's own capacity is on duty. An empty text means
always open. Pure functions, no database.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

WEEK = 7 * 24 * 3600
DAY = 24 * 3600
DAY_NAMES = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5, "zo": 6,
}  # fmt: skip
ENTRY = re.compile(
    r"^(?P<days>[a-z,\- ]+?)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})"
    r"(?:\s*[x×]\s*(?P<staff>\d+))?$"
)


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class Interval:
    start: int  # seconds since Monday 00:00
    end: int
    staff: int


def _days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.replace(" ", "").split(","):
        if "-" in part:
            first, _sep, last = part.partition("-")
            if first not in DAY_NAMES or last not in DAY_NAMES:
                raise ScheduleError(_("Unknown day in “%(text)s”.") % {"text": part})
            a, b = DAY_NAMES[first], DAY_NAMES[last]
            days += list(range(a, b + 1)) if a <= b else [*range(a, 7), *range(0, b + 1)]
        elif part in DAY_NAMES:
            days.append(DAY_NAMES[part])
        else:
            raise ScheduleError(_("Unknown day in “%(text)s”.") % {"text": part})
    return days


def _seconds(clock: str) -> int:
    hours, minutes = (int(x) for x in clock.split(":"))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ScheduleError(_("%(clock)s is not a time of day.") % {"clock": clock})
    return hours * 3600 + minutes * 60


def parse_opening_hours(text: str, *, default_staff: int) -> list[Interval] | None:
    """The staffed intervals of a week, sorted; None for "always open" (empty text)."""
    entries = [e.strip().lower() for e in re.split(r"[;\n]", text or "") if e.strip()]
    if not entries:
        return None
    intervals: list[Interval] = []
    for entry in entries:
        match = ENTRY.match(entry)
        if match is None:
            raise ScheduleError(
                _("“%(entry)s” is not like “mon-fri 08:00-18:00” (optionally “x4” for staff).")
                % {"entry": entry}
            )
        start, end = _seconds(match["start"]), _seconds(match["end"])
        staff = int(match["staff"]) if match["staff"] else default_staff
        if start == end:
            raise ScheduleError(
                _("“%(entry)s” opens and closes at the same time.") % {"entry": entry}
            )
        for day in _days(match["days"]):
            base = day * DAY
            if end > start:
                intervals.append(Interval(base + start, base + end, staff))
            else:  # past midnight: the evening of this day and the early hours of the next
                intervals.append(Interval(base + start, base + DAY, staff))
                following = (day + 1) % 7 * DAY
                intervals.append(Interval(following, following + end, staff))
    intervals.sort(key=lambda i: i.start)
    for before, after in zip(intervals, intervals[1:], strict=False):
        if after.start < before.end:
            raise ScheduleError(_("Opening hours overlap; give each period once."))
    return intervals


def breakpoints(intervals: list[Interval] | None, *, always_staff: int) -> list[tuple[int, int]]:
    """(week second, staff from then on) covering the whole week, starting at second 0."""
    if intervals is None:
        return [(0, always_staff)]
    points: list[tuple[int, int]] = []
    cursor = 0
    for interval in intervals:
        if interval.start > cursor:
            points.append((cursor, 0))
        points.append((interval.start, interval.staff))
        cursor = interval.end
    if cursor < WEEK:
        points.append((cursor, 0))
    merged: list[tuple[int, int]] = []
    for second, staff in points:
        if merged and merged[-1][1] == staff:
            continue
        if merged and merged[-1][0] == second:
            merged[-1] = (second, staff)
        else:
            merged.append((second, staff))
    return merged


def staff_at(points: list[tuple[int, int]], week_second: float) -> int:
    staff = points[0][1]
    for second, level in points:
        if second > week_second:
            break
        staff = level
    return staff


def open_fraction_by_hour(points: list[tuple[int, int]]) -> list[float]:
    """For each of the 168 hours of the week, the share of it in which staff is on duty."""
    fractions = [0.0] * 168
    bounds = [*points, (WEEK, 0)]
    for (start, staff), (end, _next) in zip(bounds, bounds[1:], strict=False):
        if staff <= 0:
            continue
        t = start
        while t < end:
            hour = t // 3600
            upto = min(end, (hour + 1) * 3600)
            fractions[hour] += (upto - t) / 3600
            t = upto
    return fractions


def staff_seconds(points: list[tuple[int, int]]) -> float:
    bounds = [*points, (WEEK, 0)]
    return float(sum((b[0] - a[0]) * a[1] for a, b in zip(bounds, bounds[1:], strict=False)))
