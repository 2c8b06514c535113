"""Preparation that counts: which pre-reads are late, and how often each side delivered its
pre-reads on time (a figure for the tactical agenda and the meeting page)."""

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from meetings.models import AgendaItem, Meeting, MeetingSeries, Side

WINDOW_DAYS = 365


def local_today(organisation) -> date:
    return timezone.now().astimezone(ZoneInfo(organisation.time_zone)).date()


def expects_supplier(item: AgendaItem) -> bool:
    """A supplier's pre-read is asked only on items it sees, in a series with a contract."""
    return not item.client_only and item.meeting.series.contract_id is not None


def late_sides(item: AgendaItem, today: date) -> list[str]:
    """The sides whose pre-read for `item` is missing after its due date."""
    if not item.needs_preparation or item.prep_due is None or item.prep_due >= today:
        return []
    sides = []
    if item.supplier_missing and expects_supplier(item):
        sides.append(Side.SUPPLIER)
    if item.client_missing:
        sides.append(Side.CLIENT)
    return sides


@dataclass
class Timeliness:
    """One side's pre-reads that were due: delivered by the due date, later, or never."""

    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missing

    @property
    def share(self) -> float | None:
        return self.on_time / self.due if self.due else None


def timeliness(items, *, time_zone: str) -> dict[str, Timeliness]:
    """Per side, how the pre-reads of `items` (of meetings already held) were delivered. A
    pre-read counts as on time when it came in on or before its due day, local time."""
    zone = ZoneInfo(time_zone)
    result = {Side.SUPPLIER: Timeliness(), Side.CLIENT: Timeliness()}
    for item in items:
        if not item.needs_preparation or item.prep_due is None:
            continue
        delivered = {Side.CLIENT: item.client_delivered_at}
        if expects_supplier(item):
            delivered[Side.SUPPLIER] = item.supplier_delivered_at
        for side, moment in delivered.items():
            tally = result[side]
            if moment is None:
                tally.missing += 1
            elif moment.astimezone(zone).date() <= item.prep_due:
                tally.on_time += 1
            else:
                tally.late += 1
    return result


def series_timeliness(
    *, series: MeetingSeries, before: Meeting | None = None, today: date
) -> dict[str, Timeliness]:
    """The pre-read timeliness of the series' meetings held in the year before `before` (or
    before today)."""
    meetings = Meeting.objects.filter(
        series=series,
        status__in=[Meeting.Status.HELD, Meeting.Status.APPROVED],
        starts_at__date__gte=today - timedelta(days=WINDOW_DAYS),
    )
    if before is not None:
        meetings = meetings.filter(starts_at__lt=before.starts_at)
    items = AgendaItem.objects.filter(
        meeting__in=meetings, needs_preparation=True, prep_due__isnull=False
    ).select_related("meeting__series")
    return timeliness(items, time_zone=series.organisation.time_zone)
