"""Reads of the meetings app: keyword-only, tenant-scoped (call inside the request's or task's
scope), no side effects. A supplier's user sees the series of its own contracts (never the
organisation-wide ones), never client-only agenda items and never the client's internal notes
(the serializers and templates leave them out; `item_list` keeps client-only items away)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.access import Access
from meetings.models import (
    SIP,
    ActionItem,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingDocument,
    MeetingSeries,
)
from meetings.sources import _selector


def series_list(
    *, access: Access, search: str = "", tier: str = "", contract_id: int | None = None
) -> QuerySet[MeetingSeries]:
    """The series the user may see; a supplier's user only its own contracts' series."""
    queryset = MeetingSeries.objects.filter(organisation=access.organisation)
    if access.is_supplier:
        queryset = queryset.filter(contract__supplier=access.supplier)
    if search:
        queryset = queryset.filter(
            Q(title__icontains=search) | Q(contract__reference__icontains=search)
        )
    if tier:
        queryset = queryset.filter(tier=tier)
    if contract_id:
        queryset = queryset.filter(contract_id=contract_id)
    return (
        queryset.select_related("contract", "contract__supplier", "chair")
        .annotate(meeting_count=Count("meetings", distinct=True))
        .order_by("contract__reference", "tier", "title", "pk")
    )


def meeting_list(
    *, access: Access, series: MeetingSeries | None = None, upcoming: bool | None = None
) -> QuerySet[Meeting]:
    """Meetings of the series the user may see."""
    queryset = Meeting.objects.filter(
        organisation=access.organisation, series__in=series_list(access=access)
    )
    if series is not None:
        queryset = queryset.filter(series=series)
    if upcoming is True:
        queryset = queryset.filter(ends_at__gte=timezone.now())
    elif upcoming is False:
        queryset = queryset.filter(ends_at__lt=timezone.now())
    return queryset.select_related("series", "series__contract", "series__contract__supplier")


def item_list(*, access: Access, meeting: Meeting | None = None) -> QuerySet[AgendaItem]:
    """Agenda items the user may see: a supplier's user never gets client-only items."""
    queryset = AgendaItem.objects.filter(
        organisation=access.organisation, meeting__in=meeting_list(access=access)
    )
    if meeting is not None:
        queryset = queryset.filter(meeting=meeting)
    if access.is_supplier:
        queryset = queryset.filter(client_only=False)
    return queryset.select_related("meeting", "meeting__series").order_by(
        "meeting", "position", "pk"
    )


def action_list(
    *,
    access: Access,
    series: MeetingSeries | None = None,
    meeting: Meeting | None = None,
    open_only: bool = False,
    status: str = "",
) -> QuerySet[ActionItem]:
    """Action items of the series the user may see (a supplier: not those of client-only
    items)."""
    queryset = ActionItem.objects.filter(
        organisation=access.organisation, series__in=series_list(access=access)
    )
    if access.is_supplier:
        queryset = queryset.exclude(item__client_only=True)
    if series is not None:
        queryset = queryset.filter(series=series)
    if meeting is not None:
        queryset = queryset.filter(meeting=meeting)
    if open_only:
        queryset = queryset.exclude(status__in=ActionItem.FINISHED)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("meeting", "series", "item").order_by("due_date", "pk")


def open_actions_before(*, access: Access, meeting: Meeting) -> QuerySet[ActionItem]:
    """Actions of earlier meetings of the series that are not done: carried over."""
    return action_list(access=access, series=meeting.series, open_only=True).filter(
        meeting__starts_at__lt=meeting.starts_at
    )


def attendance_for(*, meeting: Meeting) -> QuerySet[Attendance]:
    return meeting.attendance.order_by("side", "role", "name")


def absent_required_roles(*, meeting: Meeting) -> list[tuple[str, str]]:
    """Required (side, role) pairs of the series without an attendee: before the meeting, no
    one invited in that role; once attendance is recorded, no one attended in it."""
    recorded = any(a.attended is not None for a in meeting.attendance.all())
    present = {
        (a.side, a.role.strip().lower())
        for a in meeting.attendance.all()
        if a.invited and (a.attended if recorded else True)
    }
    return [
        (r.side, r.role)
        for r in meeting.series.required_roles.all()
        if (r.side, r.role.strip().lower()) not in present
    ]


def missing_preparation(*, items) -> list[dict]:
    """Per item needing preparation: which pre-reads are still missing."""
    result = []
    for item in items:
        missing = []
        if item.supplier_missing:
            missing.append("supplier")
        if item.client_missing:
            missing.append("client")
        if missing:
            result.append({"item": item, "missing": missing})
    return result


def documents_for(*, access: Access, meeting: Meeting) -> dict[str, MeetingDocument | None]:
    """The newest document of each kind for the user's audience."""
    audience = (
        MeetingDocument.Audience.SUPPLIER if access.is_supplier else MeetingDocument.Audience.CLIENT
    )
    latest = {}
    for kind in MeetingDocument.Kind.values:
        latest[kind] = (
            MeetingDocument.objects.filter(meeting=meeting, kind=kind, audience=audience)
            .defer("pdf")
            .order_by("-created_at", "-pk")
            .first()
        )
    return latest


# --- SIPs ----------------------------------------------------------------------------------


def sip_list(*, access: Access, status: str = "", search: str = "") -> QuerySet[SIP]:
    """SIPs of the contracts the user may see."""
    queryset = SIP.objects.filter(organisation=access.organisation)
    if access.is_supplier:
        queryset = queryset.filter(contract__supplier=access.supplier)
    if status:
        queryset = queryset.filter(status=status)
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(goal__icontains=search))
    return queryset.select_related(
        "contract", "service_level", "client_owner", "supplier_owner"
    ).prefetch_related(Prefetch("milestones"), Prefetch("links"))


@dataclass
class Track:
    """One measured target of a SIP: the baseline, the later periods and where it stands."""

    baseline: float
    target: float
    points: list[tuple[date, float]] = field(default_factory=list)

    @property
    def current(self) -> float | None:
        return self.points[-1][1] if self.points else None

    @property
    def change(self) -> float | None:
        return None if self.current is None else self.current - self.baseline

    @property
    def achieved(self) -> float | None:
        """Share of the way from baseline to target covered, in % (None without data)."""
        if self.current is None or self.target == self.baseline:
            return None
        return 100 * (self.current - self.baseline) / (self.target - self.baseline)


@dataclass
class Progress:
    sla: Track
    perception: Track

    def summary(self) -> str:
        def line(label, track, digits):
            if track.current is None:
                return _("%(label)s: baseline %(start)s, no later measurement yet") % {
                    "label": label,
                    "start": f"{track.baseline:.{digits}f}",
                }
            return _(
                "%(label)s: start %(start)s, current %(current)s, change %(change)s, "
                "target %(target)s"
            ) % {
                "label": label,
                "start": f"{track.baseline:.{digits}f}",
                "current": f"{track.current:.{digits}f}",
                "change": f"{track.change:+.{digits}f}",
                "target": f"{track.target:.{digits}f}",
            }

        return "\n".join([line(_("SLA"), self.sla, 2), line(_("Perception"), self.perception, 2)])


PERCEPTION_FLOOR = 5  # the anonymity floor k: smaller groups are neither shown nor used


def sip_progress(*, sip: SIP, access: Access, today: date | None = None) -> Progress:
    """Progress measured from the periods after the baseline month: the SLA metric's reported
    value per later month (current report versions), and the perception score per later
    calendar month from the surveys covering it. Start is the agreed baseline, current the
    latest measured period, change their difference."""
    today = today or timezone.localdate()
    sla = Track(baseline=float(sip.sla_baseline), target=float(sip.sla_target))
    history = _selector("contracts.selectors", "level_history")
    if history is not None:
        for row in history(level=sip.service_level):
            if row["period"] > sip.baseline_period:
                sla.points.append((row["period"], float(row["value"])))
    perception = Track(baseline=float(sip.perception_baseline), target=float(sip.perception_target))
    perception_for = _selector("kto.selectors", "perception_for")
    if perception_for is not None:
        month = _next_month(sip.baseline_period)
        while month <= today:
            end = _next_month(month).replace(day=1) - timedelta(days=1)
            score = perception_for(
                contract=sip.contract, dimension=sip.dimension, period_start=month, period_end=end
            )
            if score is not None and score.n >= PERCEPTION_FLOOR:
                perception.points.append((month, round(float(score.mean), 4)))
            month = _next_month(month)
    return Progress(sla=sla, perception=perception)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
