"""Reads of the meetings app: keyword-only, tenant-scoped (call inside the request's or task's
scope), no side effects. A supplier's user sees the series of its own contracts (never the
organisation-wide ones), never client-only agenda items and never the client's internal notes
(the serializers and templates leave them out; `item_list` keeps client-only items away)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from contracts import selectors as contract_selectors
from governance.platform.access import Access
from governance.platform.follow_ups import FollowUp
from governance.platform.queries import filtered, searched
from governance.platform.texts import Said, figure
from kto import selectors as kto_selectors
from meetings import texts as meeting_texts
from meetings.models import (
    SIP,
    ActionItem,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingDocument,
    MeetingSeries,
    SIPLink,
    Tier,
)
from meetings.preparation import late_sides


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
    attendance = list(meeting.attendance.all())
    recorded = any(a.attended is not None for a in attendance)
    present = {
        (a.side, a.role.strip().lower())
        for a in attendance
        if a.invited and (a.attended if recorded else True)
    }
    return [
        (r.side, r.role)
        for r in meeting.series.required_roles.all()
        if (r.side, r.role.strip().lower()) not in present
    ]


def missing_preparation(*, items, today: date | None = None) -> list[dict]:
    """Per item needing preparation: which pre-reads are still missing, and which of those
    are past their due date (`late`) on `today` (the server's local date by default)."""
    today = today or timezone.localdate()
    result = []
    for item in items:
        missing = []
        if item.supplier_missing:
            missing.append("supplier")
        if item.client_missing:
            missing.append("client")
        if missing:
            result.append({"item": item, "missing": missing, "late": late_sides(item, today)})
    return result


def documents_for(*, access: Access, meeting: Meeting) -> dict[str, MeetingDocument | None]:
    """The newest document of each kind for the user's audience."""
    audience = (
        MeetingDocument.Audience.SUPPLIER if access.is_supplier else MeetingDocument.Audience.CLIENT
    )
    latest = dict.fromkeys(MeetingDocument.Kind.values)
    # One query for every kind, newest first: the first row of each kind is its newest.
    for document in (
        MeetingDocument.objects.filter(
            meeting=meeting, kind__in=MeetingDocument.Kind.values, audience=audience
        )
        .defer("pdf")
        .order_by("-created_at", "-pk")
    ):
        if latest[document.kind] is None:
            latest[document.kind] = document
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
        """The progress in the active language, one line per track."""
        return "\n".join(str(line) for line in self.said_lines())

    def said_lines(self) -> list[Said]:
        """The progress as sentences with their figures, rendered for each reader (an agenda
        item stores these, not the text)."""

        def line(label, track, digits):
            if track.current is None:
                return Said(
                    meeting_texts.SIP_BASELINE_ONLY,
                    {"label": label, "start": figure("number", track.baseline, d=digits)},
                )
            return Said(
                meeting_texts.SIP_LINE,
                {
                    "label": label,
                    "start": figure("number", track.baseline, d=digits),
                    "current": figure("number", track.current, d=digits),
                    "change": figure("number", track.change, d=digits, sign=True),
                    "target": figure("number", track.target, d=digits),
                },
            )

        return [
            line(gettext_noop("SLA"), self.sla, 2),
            line(gettext_noop("Perception"), self.perception, 2),
        ]


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


# --- acting from a gap flag ----------------------------------------------------------------


def next_tactical_meeting(*, access: Access, contract_id: int, today: date) -> Meeting | None:
    """The contract's next tactical meeting: planned or published (not held, not cancelled),
    on `today` or later in the organisation's time zone; the earliest of all its tactical
    series. None when none is planned."""
    zone = ZoneInfo(access.organisation.time_zone)
    return (
        meeting_list(access=access)
        .filter(
            series__contract_id=contract_id,
            series__tier=Tier.TACTICAL,
            status__in=[Meeting.Status.PLANNED, Meeting.Status.PUBLISHED],
            starts_at__gte=datetime.combine(today, time.min, tzinfo=zone),
        )
        .order_by("starts_at", "pk")
        .first()
    )


def meeting_day(*, access: Access, meeting: Meeting) -> str:
    """The meeting's day in the organisation's time zone, e.g. "16 March 2099"."""
    zone = ZoneInfo(access.organisation.time_zone)
    return date_format(meeting.starts_at.astimezone(zone).date(), "j F Y")


def _worst_level_first(level: dict) -> tuple:
    # The furthest miss first; levels without a figure last.
    margin = level.get("margin")
    return (margin is None, margin if margin is not None else 0.0)


def sip_initial_from_gap_flag(*, access: Access, flag) -> dict:
    """What a SIP started from a flag begins with: the flag's contract and dimension, the SLA
    metric among the service levels behind the flag (the furthest from its target first), the
    month's figures as baselines and the targets as targets, the flag's reason as the goal (in
    the active language). `levels` are the metrics to choose from: the current versions of the
    flag's levels, or every current level of the contract (none chosen) when none is behind
    it."""
    current = contract_selectors.service_level_list(access=access).filter(
        contract_id=flag.contract_id, valid_to__isnull=True
    )
    figures = sorted(flag.levels, key=_worst_level_first)
    by_code = {level.code: level for level in current.filter(code__in=[f["code"] for f in figures])}
    behind = [by_code[f["code"]] for f in figures if f["code"] in by_code]
    initial = {
        "contract": flag.contract,
        "dimension": flag.dimension,
        "baseline_period": flag.period_start,
        "title": _("Improve %(dimension)s on %(contract)s")
        % {"dimension": flag.get_dimension_display().lower(), "contract": flag.contract.reference},
        "goal": flag.reason_nl if get_language() == "nl" else flag.reason_en,
    }
    if flag.mean is not None:
        initial["perception_baseline"] = Decimal(str(round(flag.mean, 2)))
    if flag.target is not None:
        initial["perception_target"] = Decimal(str(round(flag.target, 2)))
    if behind:
        level = behind[0]
        initial["service_level"] = level
        initial["sla_target"] = level.target
        actual = next((f["actual"] for f in figures if f["code"] == level.code), None)
        if actual is not None:
            initial["sla_baseline"] = Decimal(str(actual))
    return {"initial": initial, "levels": behind or list(current)}


def _flag_links(access: Access, flag_ids: list[int]) -> dict[str, int]:
    """The flags' pages as other rows link to them, e.g. "/o/alpha/gaps/flags/7/" → 7."""
    slug = access.organisation.slug
    return {reverse("kto_gap:flag", args=[slug, pk]): pk for pk in flag_ids}


def gap_flag_agenda_follow_ups(*, access: Access, flag_ids: list[int]) -> list[FollowUp]:
    """The agenda items that lead back to these flags, as "On the agenda of <series>, <date>",
    in meeting order; what the user may see of them (a supplier: not client-only items). One
    query. Registered with `governance.platform.follow_ups` by MeetingsConfig.ready()."""
    links = _flag_links(access, flag_ids)
    items = (
        item_list(access=access)
        .filter(link__in=list(links))
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .order_by("meeting__starts_at", "pk")
    )
    slug = access.organisation.slug
    return [
        FollowUp(
            flag_id=links[item.link],
            kind="agenda",
            text=_("On the agenda of %(meeting)s, %(date)s")
            % {
                "meeting": item.meeting.series.title,
                "date": meeting_day(access=access, meeting=item.meeting),
            },
            link=reverse("meetings:meeting_detail", args=[slug, item.meeting_id])
            + f"#item-{item.pk}",
        )
        for item in items
    ]


def gap_flag_sip_follow_ups(*, access: Access, flag_ids: list[int]) -> list[FollowUp]:
    """The SIPs linked to these flags, as "SIP <title> started", oldest first; a supplier's
    user only those of its own contracts. One query. Registered with
    `governance.platform.follow_ups` by MeetingsConfig.ready()."""
    links = _flag_links(access, flag_ids)
    rows = SIPLink.objects.filter(
        organisation=access.organisation, kind=SIPLink.Kind.GAP_FLAG, link__in=list(links)
    )
    if access.is_supplier:
        rows = rows.filter(sip__contract__supplier=access.supplier)
    slug = access.organisation.slug
    found: dict[tuple[int, int], FollowUp] = {}
    for row in rows.select_related("sip").order_by("sip__created_at", "pk"):
        # A SIP linked to the same flag twice is still one follow-up.
        found.setdefault(
            (links[row.link], row.sip_id),
            FollowUp(
                flag_id=links[row.link],
                kind="sip",
                text=_("SIP %(title)s started") % {"title": row.sip.title},
                link=reverse("meetings:sip_detail", args=[slug, row.sip_id]),
            ),
        )
    return list(found.values())
