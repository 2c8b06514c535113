"""Reads of the meetings app: keyword-only, tenant-scoped (call inside the request's or task's
scope), no side effects. A supplier's user sees the series of its own contracts (never the
organisation-wide ones), never client-only agenda items and never the client's internal notes
(the serializers and templates leave them out; `item_list` keeps client-only items away)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts import selectors as contract_selectors
from governance.platform.access import Access
from governance.platform.queries import filtered, searched
from kto import selectors as kto_selectors
from meetings.models import (
    SIP,
    ActionItem,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingDocument,
    MeetingSeries,
)


def client_people(*, access: Access) -> QuerySet:
    """The organisation's own members: who may chair a series or own a SIP for the client."""
    return get_user_model().objects.filter(memberships__organisation=access.organisation)


def supplier_people(*, access: Access) -> QuerySet:
    """Users of the suppliers with a contract in the organisation (the SIP's model checks that
    the owner works for the SIP's own contract's supplier)."""
    return (
        get_user_model()
        .objects.filter(supplier_membership__supplier__contracts__organisation=access.organisation)
        .distinct()
    )


def series_list(
    *, access: Access, search: str = "", tier: str = "", contract_id: int | None = None
) -> QuerySet[MeetingSeries]:
    """The series the user may see; a supplier's user only its own contracts' series."""
    queryset = MeetingSeries.objects.filter(organisation=access.organisation)
    if access.is_supplier:
        queryset = queryset.filter(contract__supplier=access.supplier)
    queryset = searched(queryset, search, "title__icontains", "contract__reference__icontains")
    queryset = filtered(queryset, tier=tier, contract_id=contract_id)
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
    queryset = filtered(queryset, status=status)
    queryset = searched(queryset, search, "title__icontains", "goal__icontains")
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

    @property
    def tracks(self) -> tuple[Track, Track]:
        return (self.sla, self.perception)

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
    """The progress of one SIP (see `sip_progress_for`)."""
    return sip_progress_for(sips=[sip], access=access, today=today)[sip.pk]


def sip_progress_for(*, sips, access: Access, today: date | None = None) -> dict[int, Progress]:
    """Progress of many SIPs at once (a page of a list), measured from the periods after each
    SIP's baseline month: the SLA metric's reported value per later month (current report
    versions), and the perception score per later calendar month from the surveys covering
    it (groups below the anonymity floor left out). Start is the agreed baseline, current the
    latest measured period, change their difference.

    The SLA side is one query for all SIPs, the perception side one table for all their
    contracts."""
    today = today or timezone.localdate()
    sips = list(sips)
    progress = {
        sip.pk: Progress(
            sla=Track(baseline=float(sip.sla_baseline), target=float(sip.sla_target)),
            perception=Track(
                baseline=float(sip.perception_baseline), target=float(sip.perception_target)
            ),
        )
        for sip in sips
    }
    if not sips:
        return progress
    for sip, points in _sla_points(sips=sips, access=access).items():
        progress[sip.pk].sla.points.extend(points)
    for sip, points in _perception_points(sips=sips, today=today).items():
        progress[sip.pk].perception.points.extend(points)
    return progress


def _sla_points(*, sips: list[SIP], access: Access) -> dict[SIP, list[tuple[date, float]]]:
    """Per SIP, its metric's value in each reported month after the baseline: one query."""
    rows = (
        contract_selectors.measurement_list(access=access)
        .filter(
            report__contract_id__in={s.contract_id for s in sips},
            service_level__code__in={s.service_level.code for s in sips},
            report__is_current=True,
            report__status__in=contract_selectors.COUNTING,
        )
        .order_by("report__period_start", "pk")
        .values_list("report__contract_id", "service_level__code", "report__period_start", "value")
    )
    per_metric: dict[tuple[int, str], list[tuple[date, float]]] = {}
    for contract_id, code, period, value in rows:
        per_metric.setdefault((contract_id, code), []).append((period, float(value)))
    return {
        sip: [
            (period, value)
            for period, value in per_metric.get((sip.contract_id, sip.service_level.code), [])
            if period > sip.baseline_period
        ]
        for sip in sips
    }


def _perception_points(*, sips: list[SIP], today: date) -> dict[SIP, list[tuple[date, float]]]:
    """Per SIP, the perception score of each calendar month after the baseline, from one
    perception table for every contract on the page."""
    first = min(_next_month(s.baseline_period) for s in sips)
    if first > today:
        return {sip: [] for sip in sips}
    table = kto_selectors.perception_table(
        contract_ids=sorted({s.contract_id for s in sips}),
        since=first,
        until=_next_month(today) - timedelta(days=1),
    )
    result = {}
    for sip in sips:
        scores = []
        month = _next_month(sip.baseline_period)
        while month <= today:
            end = _next_month(month) - timedelta(days=1)
            score = table.cell(sip.contract_id, sip.dimension, month, end)
            if score is not None and score.n >= PERCEPTION_FLOOR:
                scores.append((month, round(float(score.mean), 4)))
            month = _next_month(month)
        result[sip] = scores
    return result


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
