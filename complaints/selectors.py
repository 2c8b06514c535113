"""Reads of complaints: keyword-only, tenant-scoped (call inside the request's or task's scope),
no side effects. Other apps (kto, meetings, audits via governance.platform.impact) read through
here."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, DateField, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncMonth
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from complaints import analysis
from complaints.analysis import add_months
from complaints.models import (
    HANDLED_STATUSES,
    OPEN_STATUSES,
    PUBLIC_KINDS,
    SUPPLIER_HIDDEN_KINDS,
    Category,
    Complaint,
    ComplaintEvent,
    ComplaintSettings,
    ImprovementProposal,
    RegisterReport,
    Status,
    Verdict,
)
from contracts.selectors import service_list
from governance.platform.access import Access, system_access
from governance.platform.impact import ImpactFigure
from governance.platform.models import Membership, Organisation, Role
from governance.platform.queries import filtered, searched


def _tz(organisation: Organisation) -> ZoneInfo:
    return ZoneInfo(organisation.time_zone)


def local_today(organisation: Organisation, now: datetime | None = None) -> date:
    """Today in the organisation's time zone."""
    return (now or timezone.now()).astimezone(_tz(organisation)).date()


def day_start(organisation: Organisation, day: date) -> datetime:
    """Midnight at the start of `day` in the organisation's time zone, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=_tz(organisation))


def settings_for(*, organisation: Organisation) -> ComplaintSettings:
    """The organisation's procedure settings, or the defaults (unsaved) when never set."""
    found = ComplaintSettings.objects.filter(organisation=organisation).first()
    return found or ComplaintSettings(organisation=organisation)


def category_list(*, organisation: Organisation, active_only: bool = True) -> QuerySet[Category]:
    queryset = Category.objects.filter(organisation=organisation)
    return queryset.filter(active=True) if active_only else queryset


# --- lists and single complaints -----------------------------------------------------------


def visible_to(access: Access, *, through: str = "") -> Q:
    """The one rule of who sees a complaint, for complaints and for rows that hang off one
    (`through` the path to the complaint; each such row carries its organisation): the
    organisation's own, and a supplier's user only those assigned to its supplier."""
    rule = Q(organisation=access.organisation)
    if access.is_supplier:
        rule &= Q(**{f"{through}assigned_supplier": access.supplier})
    return rule


def complaint_list(
    *,
    access: Access,
    search: str = "",
    status: str = "",
    category_id: int | None = None,
    service_id: int | None = None,
    overdue: bool = False,
    today: date | None = None,
) -> QuerySet[Complaint]:
    """The complaints the user may see (a supplier's user: those assigned to its supplier),
    searched on reference and text and filtered."""
    queryset = Complaint.objects.filter(visible_to(access))
    queryset = searched(queryset, search, "reference__icontains", "description__icontains")
    queryset = filtered(queryset, status=status, category_id=category_id, service_id=service_id)
    if overdue:
        queryset = queryset.filter(_overdue_q(today or local_today(access.organisation)))
    return queryset.select_related(
        "category", "service", "assigned_user", "assigned_supplier", "verdict"
    ).order_by("-received_at", "-pk")


def _overdue_q(today: date) -> Q:
    return Q(status=Status.RECEIVED, acknowledge_due__lt=today) | Q(
        status__in=OPEN_STATUSES, resolve_due__lt=today
    )


def complaint_timeline(*, access: Access, complaint: Complaint) -> QuerySet[ComplaintEvent]:
    """The complaint's events; internal notes only for the client's own team."""
    events = complaint.events.select_related("actor")
    if not access.is_client and not access.is_system:
        events = events.exclude(kind__in=SUPPLIER_HIDDEN_KINDS)
    return events.order_by("at", "pk")


def public_timeline(*, complaint: Complaint) -> QuerySet[ComplaintEvent]:
    """What the complainant sees of the timeline: received, status changes and messages."""
    return complaint.events.filter(kind__in=PUBLIC_KINDS).order_by("at", "pk")


def organisation_for_token(*, token: str) -> Organisation | None:
    """The organisation a tracking token belongs to. Called outside any scope (the public
    tracking page has no tenant in its URL), so it reads the one column it needs unscoped."""
    if not token or len(token) > 64:
        return None
    organisation_id = (
        Complaint.objects.with_scopes_disabled()
        .filter(token=token)
        .values_list("organisation_id", flat=True)
        .first()
    )
    return Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None


def complaint_for_token(*, organisation: Organisation, token: str) -> Complaint | None:
    return (
        Complaint.objects.filter(organisation=organisation, token=token)
        .select_related("category", "service")
        .first()
    )


def team_members(*, organisation: Organisation):
    """The client's people a complaint can be assigned to (not viewers)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            memberships__organisation=organisation,
            memberships__role__in=[Role.CONTRACT_MANAGER, Role.BUSINESS_OWNER],
        )
        .order_by("email")
    )


def manager_emails(*, organisation: Organisation) -> list[str]:
    return sorted(
        Membership.objects.filter(organisation=organisation, role=Role.CONTRACT_MANAGER)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


# --- for other apps ------------------------------------------------------------------------


def complaint_counts_by_month(
    *, organisation: Organisation, contract_ids: list[int], since: date, until: date
) -> dict[tuple[int, date], int]:
    """Complaints received per (contract id, first day of the local month), from `since` to
    `until` inclusive, in one query: the context the gap analysis sets beside its flags."""
    rows = (
        Complaint.objects.filter(
            organisation=organisation,
            service__contract_id__in=contract_ids,
            received_at__gte=day_start(organisation, since),
            received_at__lt=day_start(organisation, until + timedelta(days=1)),
        )
        .exclude(status=Status.REJECTED)
        .annotate(month=TruncMonth("received_at", tzinfo=_tz(organisation)))
        .values_list("service__contract_id", "month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {
        (contract_id, month.date() if isinstance(month, datetime) else month): count
        for contract_id, month, count in rows
    }


def overdue_complaints(*, access: Access, today: date | None = None) -> list[Complaint]:
    """Open complaints past their acknowledge or resolve deadline, oldest deadline first."""
    today = today or local_today(access.organisation)
    return list(
        complaint_list(access=access, overdue=True, today=today).order_by(
            "resolve_due", "received_at"
        )
    )


@dataclass
class Trends:
    months: list[date]
    total: list[int]
    by_category: dict[str, list[int]] = field(default_factory=dict)
    by_service: dict[str, list[int]] = field(default_factory=dict)
    outside_window: list[int] = field(default_factory=list)
    not_resolved_for_complainant: list[int] = field(default_factory=list)


def complaint_trends(
    *, access: Access, months: int = 6, today: date | None = None, labels=None
) -> Trends:
    """Complaints received per month over the last `months` months (this month included), in
    total, per category, per service and outside the service window, plus the verdicts "not
    resolved for me" given per month."""
    organisation = access.organisation
    today = today or local_today(organisation)
    first = add_months(today.replace(day=1), -(months - 1))
    month_list = [add_months(first, n) for n in range(months)]
    index = {m: i for i, m in enumerate(month_list)}
    rows = (
        complaint_list(access=access)
        .filter(received_at__gte=day_start(organisation, first))
        .exclude(status=Status.REJECTED)
    )
    trends = Trends(
        months=month_list,
        total=[0] * months,
        outside_window=[0] * months,
        not_resolved_for_complainant=[0] * months,
    )
    zone = ZoneInfo(organisation.time_zone)
    categories, services = labels or complaint_labels(organisation=organisation)
    unknown = _("Unknown service")
    for row in _counted(
        rows.annotate(month=TruncMonth("received_at", tzinfo=zone, output_field=DateField())),
        "month",
        "category_id",
        "service_id",
        "outside_window",
    ):
        i = index.get(row["month"])
        if i is None:
            continue
        n = row["n"]
        trends.total[i] += n
        trends.by_category.setdefault(categories[row["category_id"]], [0] * months)[i] += n
        service = services.get(row["service_id"], unknown)
        trends.by_service.setdefault(service, [0] * months)[i] += n
        if row["outside_window"]:
            trends.outside_window[i] += n
    verdicts = _verdicts(access).filter(
        resolved_for_me=False, given_at__gte=day_start(organisation, first)
    )
    for row in _counted(
        verdicts.annotate(month=TruncMonth("given_at", tzinfo=zone, output_field=DateField())),
        "month",
    ):
        i = index.get(row["month"])
        if i is not None:
            trends.not_resolved_for_complainant[i] += row["n"]
    return trends


def _counted(queryset, *fields) -> list[dict]:
    """Rows counted per value of `fields` in SQL (no model instances, no joins kept)."""
    return list(queryset.select_related(None).order_by().values(*fields).annotate(n=Count("pk")))


def complaint_labels(*, organisation: Organisation) -> tuple[dict[int, str], dict[int, str]]:
    """The category labels (in the current language) and service names by id; a page that shows
    trends and a breakdown reads them once and passes them to both."""
    language = get_language() or "nl"
    categories = {
        c.pk: c.label(language) for c in Category.objects.filter(organisation=organisation)
    }
    services = dict(
        service_list(access=system_access(organisation))
        .select_related(None)
        .prefetch_related(None)
        .values_list("pk", "name")
    )
    return categories, services


def complaint_impact(
    *, organisation: Organisation, service_ids: list[int], since: date, until: date
) -> list[ImpactFigure]:
    """End-user impact of one set of services (see complaint_impact_many)."""
    key = tuple(sorted(service_ids))
    return complaint_impact_many(
        organisation=organisation, service_sets=[key], since=since, until=until
    )[key]


def complaint_impact_many(
    *,
    organisation: Organisation,
    service_sets: list[tuple[int, ...]],
    since: date,
    until: date,
) -> dict[tuple[int, ...], list[ImpactFigure]]:
    """End-user impact for governance.platform.impact, for each set of services: the complaint
    volume about these services in the window and how many complainants said it was not
    resolved for them. Three grouped queries for any number of sets.

    Severity of the volume: c / (c + e), where e is what is usual for that many services — the
    organisation's median complaints per service in the same window (at least 1) times the
    number of services. At the usual level it is 0.5, far above it tends to 1, none is 0; the
    scale does not depend on the organisation's size. Severity of "not resolved for me": the
    share of the verdicts given that say so."""
    start, end = day_start(organisation, since), day_start(organisation, until + timedelta(1))
    window = Complaint.objects.filter(
        organisation=organisation, received_at__gte=start, received_at__lt=end
    ).exclude(status=Status.REJECTED)
    # A complaint is about one service, so a set's count is the sum of its services' counts.
    per_service = dict(
        window.exclude(service=None)
        .values_list("service_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("service_id", "n")
    )
    all_services = list(
        service_list(access=system_access(organisation)).values_list("pk", flat=True)
    )
    usual = max(analysis.median(per_service.get(pk, 0) for pk in all_services) or 0, 1.0)
    wanted = sorted({pk for ids in service_sets for pk in ids})
    verdicts: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # service → [given, negative]
    for service_id, resolved, n in (
        Verdict.objects.filter(complaint__in=window.filter(service_id__in=wanted))
        .values_list("complaint__service_id", "resolved_for_me")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        verdicts[service_id][0] += n
        verdicts[service_id][1] += 0 if resolved else n
    answers = {}
    for ids in service_sets:
        count = sum(per_service.get(pk, 0) for pk in set(ids))
        expected = usual * max(len(ids), 1)
        figures = [
            ImpactFigure(
                source="complaints",
                label=_("Complaints from end users in the period"),
                value=float(count),
                unit="",
                severity=round(count / (count + expected), 3) if count else 0.0,
            )
        ]
        given = sum(verdicts[pk][0] for pk in set(ids) if pk in verdicts)
        negative = sum(verdicts[pk][1] for pk in set(ids) if pk in verdicts)
        if given:
            figures.append(
                ImpactFigure(
                    source="complaints",
                    label=_("Complainants for whom it was not resolved"),
                    value=float(negative),
                    unit="",
                    severity=round(negative / given, 3),
                )
            )
        answers[ids] = figures
    return answers


# --- figures for the managers --------------------------------------------------------------


@dataclass
class Headline:
    handled: int
    verdicts: int
    closed_not_resolved: int
    not_resolved: int
    mean_handling_score: float | None
    open: int
    overdue: int
    # Every complaint the user may see, whatever its status (the unfiltered list's length).
    total: int = 0


def _verdicts(access: Access) -> QuerySet[Verdict]:
    """The verdicts of the complaints the user may see (those of `complaint_list`), read from
    the verdicts' own organisation key instead of a subquery over every complaint."""
    return Verdict.objects.filter(visible_to(access, through="complaint__"))


def _verdict_counts(access: Access) -> Counter:
    """Verdicts per (handling score, resolved for me), in one grouped query."""
    rows = (
        _verdicts(access)
        .order_by()
        .values_list("handling_score", "resolved_for_me")
        .annotate(n=Count("pk"))
    )
    return Counter({(score, resolved): n for score, resolved, n in rows})


def headline(*, access: Access, today: date | None = None) -> Headline:
    """The headline figures: above all, complaints closed by procedure but not resolved for
    the complainant."""
    return headline_with_verdicts(access=access, today=today)[0]


def headline_with_verdicts(*, access: Access, today: date | None = None) -> tuple[Headline, dict]:
    """The headline figures and the verdict summary (as `verdict_summary`) in two queries: the
    complaints counted once (their verdicts joined for "closed but not resolved"), and the
    verdicts grouped by score and answer."""
    complaints = complaint_list(access=access).select_related(None).order_by()
    counts = complaints.aggregate(
        total=Count("pk"),
        handled=Count("pk", filter=Q(status__in=HANDLED_STATUSES)),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=_overdue_q(today or local_today(access.organisation))),
        closed_not_resolved=Count(
            "pk", filter=Q(status=Status.CLOSED, verdict__resolved_for_me=False)
        ),
    )
    summary = _summary(_verdict_counts(access), counts["closed_not_resolved"])
    figures = Headline(
        handled=counts["handled"],
        verdicts=summary["total"],
        closed_not_resolved=counts["closed_not_resolved"],
        not_resolved=summary["not_resolved_for_me"],
        mean_handling_score=summary["mean_handling_score"],
        open=counts["open"],
        overdue=counts["overdue"],
        total=counts["total"],
    )
    return figures, summary


def open_counts_by_contract(
    *, access: Access, overdue_on: tuple[date, ...]
) -> dict[int | None, tuple[int, ...]]:
    """Open complaints the user may see per contract of their service (None: no service):
    (open, overdue on each day of `overdue_on`). One grouped query over the open complaints
    only (index on organisation and status); the organisation home's rows and tile."""
    overdue = {
        f"overdue_{n}": Count("pk", filter=_overdue_q(day)) for n, day in enumerate(overdue_on)
    }
    rows = (
        complaint_list(access=access)
        .select_related(None)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .values_list("service__contract_id")
        .annotate(open=Count("pk"), **overdue)
    )
    return {contract_id: tuple(counts) for contract_id, *counts in rows}


def closed_not_resolved_count(*, access: Access) -> int:
    """Complaints the user may see closed by procedure but not resolved for the complainant
    (as `headline` counts them)."""
    return (
        complaint_list(access=access)
        .select_related(None)
        .order_by()
        .filter(status=Status.CLOSED, verdict__resolved_for_me=False)
        .count()
    )


def verdict_summary(*, access: Access) -> dict:
    """Verdicts of the complaints the user may see: counts per handling score and per answer.
    Two queries: the verdicts grouped by score and answer, and those not resolved whose
    complaint is closed."""
    closed_not_resolved = (
        _verdicts(access).filter(resolved_for_me=False, complaint__status=Status.CLOSED).count()
    )
    return _summary(_verdict_counts(access), closed_not_resolved)


def _summary(verdicts: Counter, closed_not_resolved: int) -> dict:
    scores, answers = Counter(), Counter()
    for (score, resolved), n in verdicts.items():
        scores[score] += n
        answers[resolved] += n
    total = sum(scores.values())
    return {
        "total": total,
        "by_score": {str(s): scores.get(s, 0) for s in range(1, 6)},
        "resolved_for_me": answers.get(True, 0),
        "not_resolved_for_me": answers.get(False, 0),
        "closed_not_resolved": closed_not_resolved,
        "mean_handling_score": (
            round(sum(s * n for s, n in scores.items()) / total, 2) if total else None
        ),
    }


@dataclass
class HourAnalysis:
    grid: dict[tuple[int, int], int]
    window: set[tuple[int, int]]
    total: int
    outside: int
    judged: int  # complaints with a service (inside/outside known)

    @property
    def outside_share(self) -> float | None:
        return round(100 * self.outside / self.judged, 1) if self.judged else None


def hour_analysis(
    *,
    access: Access,
    since: date,
    until: date,
    service_id: int | None = None,
    category_id: int | None = None,
) -> HourAnalysis:
    """When complaints happened (weekday × hour, local time) over the period, the service's
    window (when one service is chosen) and how many fell outside the window they met."""
    organisation = access.organisation
    complaints = (
        complaint_list(access=access, service_id=service_id, category_id=category_id)
        .filter(
            occurred_at__gte=day_start(organisation, since),
            occurred_at__lt=day_start(organisation, until + timedelta(days=1)),
        )
        .exclude(status=Status.REJECTED)
    )
    zone = ZoneInfo(organisation.time_zone)
    rows = _counted(
        complaints.annotate(
            weekday=ExtractIsoWeekDay("occurred_at", tzinfo=zone),
            hour=ExtractHour("occurred_at", tzinfo=zone),
        ),
        "weekday",
        "hour",
        "outside_window",
    )
    grid: dict[tuple[int, int], int] = {}
    for row in rows:
        key = (row["weekday"] - 1, row["hour"])  # weekday 0 = Monday
        grid[key] = grid.get(key, 0) + row["n"]
    window: set[tuple[int, int]] = set()
    if service_id:
        service = service_list(access=access).filter(pk=service_id).first()
        if service is not None:
            window = analysis.window_cells(service.opening_hours.all())
    return HourAnalysis(
        grid=grid,
        window=window,
        total=sum(row["n"] for row in rows),
        outside=sum(row["n"] for row in rows if row["outside_window"]),
        judged=sum(row["n"] for row in rows if row["outside_window"] is not None),
    )


def breakdown(
    *, access: Access, since: date, until: date, labels=None
) -> dict[str, list[tuple[str, int]]]:
    """Counts per category, per service and per weekday over the period, largest first."""
    organisation = access.organisation
    complaints = (
        complaint_list(access=access)
        .filter(
            occurred_at__gte=day_start(organisation, since),
            occurred_at__lt=day_start(organisation, until + timedelta(days=1)),
        )
        .exclude(status=Status.REJECTED)
    )
    labels, names = labels or complaint_labels(organisation=organisation)
    categories, services = Counter(), Counter()
    unknown = _("Unknown service")
    for row in _counted(complaints, "category_id", "service_id"):
        categories[labels[row["category_id"]]] += row["n"]
        services[names.get(row["service_id"], unknown)] += row["n"]
    return {"category": categories.most_common(), "service": services.most_common()}


# --- the open register ---------------------------------------------------------------------


@dataclass
class Register:
    period_start: date
    period_end: date
    k: int
    months: list[date]
    categories: list[str]
    cells: dict[tuple[str, date], int | None]  # None = hidden (fewer than k)
    handled: int
    median_handling_days: float | None
    within_deadline_percent: float | None
    verdicts: int
    verdict_scores: dict[int, int | None]
    verdict_resolved: dict[str, int | None]
    published: bool

    @property
    def rows(self) -> list[tuple[str, list[int | None]]]:
        """(category, the count per month) for the table by category and month."""
        return [
            (category, [self.cells.get((category, month)) for month in self.months])
            for category in self.categories
        ]


def register_period(today: date) -> tuple[date, date]:
    """The register's standard period: the twelve months before `today`'s month, plus this
    month so far."""
    return date(today.year - 1, today.month, 1), today


def register(
    *, organisation: Organisation, period_start: date, period_end: date, k: int | None = None
) -> Register:
    """The open register: complaints handled (resolved or closed) in the period, by category (in
    the active language) and month of resolution; the median handling time in working days; the
    share resolved within the deadline; the distribution of verdicts. Aggregated only, with every
    group of fewer than k complaints hidden (and not derivable from the totals shown)."""
    procedure = settings_for(organisation=organisation)
    k = k or procedure.min_group_size
    tz = organisation.time_zone
    handled = list(
        Complaint.objects.filter(
            organisation=organisation,
            status__in=HANDLED_STATUSES,
            resolved_at__gte=day_start(organisation, period_start),
            resolved_at__lt=day_start(organisation, period_end + timedelta(days=1)),
        ).select_related("category")
    )
    months, month = [], period_start.replace(day=1)
    while month <= period_end:
        months.append(month)
        month = add_months(month, 1)
    language = get_language() or "nl"
    counts: dict[tuple[str, date], int] = defaultdict(int)
    categories = sorted({c.category.label(language) for c in handled})
    for category in categories:
        for m in months:
            counts[(category, m)] = 0
    days, on_time = [], 0
    for complaint in handled:
        resolved_local = analysis.local_date(complaint.resolved_at, tz)
        counts[(complaint.category.label(language), resolved_local.replace(day=1))] += 1
        days.append(
            analysis.working_days_between(
                analysis.local_date(complaint.received_at, tz), resolved_local
            )
        )
        on_time += 1 if complaint.resolved_on_time else 0
    verdicts = list(
        Verdict.objects.filter(complaint__in=[c.pk for c in handled]).values_list(
            "handling_score", "resolved_for_me"
        )
    )
    enough = len(handled) >= k
    score_counts = Counter(score for score, _r in verdicts)
    resolved_counts = Counter("yes" if r else "no" for _s, r in verdicts)
    verdicts_enough = len(verdicts) >= k
    return Register(
        period_start=period_start,
        period_end=period_end,
        k=k,
        months=months,
        categories=categories,
        cells=analysis.suppress(dict(counts), k) if enough else dict.fromkeys(counts),
        handled=len(handled) if enough else 0,
        median_handling_days=analysis.median(days) if enough else None,
        within_deadline_percent=round(100 * on_time / len(handled), 1) if enough else None,
        verdicts=len(verdicts) if verdicts_enough else 0,
        verdict_scores=(
            analysis.suppress({s: score_counts.get(s, 0) for s in range(1, 6)}, k)
            if verdicts_enough
            else dict.fromkeys(range(1, 6))
        ),
        verdict_resolved=(
            analysis.suppress({a: resolved_counts.get(a, 0) for a in ("yes", "no")}, k)
            if verdicts_enough
            else {"yes": None, "no": None}
        ),
        published=procedure.register_public,
    )


# Quarters whose register PDF can be asked for: the last two years, so a stranger cannot make
# the worker render an unbounded number of them.
REGISTER_REPORT_QUARTERS = 8


def register_report_quarters(*, organisation: Organisation, today: date | None = None) -> list[str]:
    """The closed quarters whose register can be had as PDF, the most recent first."""
    return analysis.closed_quarters(today or local_today(organisation), REGISTER_REPORT_QUARTERS)


def register_reports(
    *, organisation: Organisation, quarters: list[str], language: str
) -> dict[str, RegisterReport]:
    """The register PDFs of these quarters in `language` that were asked for (any state), by
    quarter, without their content."""
    return {
        report.quarter: report
        for report in RegisterReport.objects.filter(
            organisation=organisation, quarter__in=quarters, language=language
        ).defer("pdf")
    }


def register_report_ready(
    *, organisation: Organisation, quarter: str, language: str
) -> RegisterReport | None:
    """The rendered register PDF of one quarter, with its content, or None."""
    return RegisterReport.objects.filter(
        organisation=organisation,
        quarter=quarter,
        language=language,
        state=RegisterReport.State.READY,
    ).first()


# --- proposals -----------------------------------------------------------------------------


def proposal_list(*, access: Access, status: str = "") -> QuerySet[ImprovementProposal]:
    """Improvement proposals: the client's own business cases (not shown to suppliers)."""
    if not access.is_client and not access.is_system:
        return ImprovementProposal.objects.none()
    queryset = ImprovementProposal.objects.filter(organisation=access.organisation)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("service", "service__contract").order_by("-created_at", "-pk")


def proposals_for_agenda(*, access: Access) -> list[ImprovementProposal]:
    """Proposals waiting for a decision (proposed or on the agenda), for the tactical agenda."""
    return list(proposal_list(access=access).filter(status__in=["proposed", "on_agenda"]))


def service_occurrences(
    *, access: Access, service_id: int, since: date, until: date
) -> list[tuple[datetime, bool | None]]:
    """(occurred_at, outside_window) of the complaints about one service in the period."""
    organisation = access.organisation
    return list(
        complaint_list(access=access, service_id=service_id)
        .filter(
            occurred_at__gte=day_start(organisation, since),
            occurred_at__lt=day_start(organisation, until + timedelta(days=1)),
        )
        .exclude(status=Status.REJECTED)
        .values_list("occurred_at", "outside_window")
    )


def occurrence_times(
    *, access: Access, service_id: int, since: date, until: date
) -> list[datetime]:
    """When the complaints about a service happened: the source of a simulation's arrivals."""
    return [
        at
        for at, _ in service_occurrences(
            access=access, service_id=service_id, since=since, until=until
        )
    ]
