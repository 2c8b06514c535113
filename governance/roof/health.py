"""How a contract is doing, in one place: the last 12 months of SLA attainment, perception and
its gap flags, complaints, audit findings, the next meetings, SIPs and the notice deadline.

Read for many contracts at once (the organisation home has a row per contract): every block is
one or two queries for all the contracts asked for, so the number of queries does not grow with
the number of contracts. Each block reads through the apps' own access-checked selectors.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from audits import selectors as audit_selectors
from audits.models import FINDING_GRADES, Finding, Result
from complaints import selectors as complaint_selectors
from complaints.models import OPEN_STATUSES, Status
from contracts import selectors as contract_selectors
from contracts.models import Contract, add_months
from governance.platform.access import Access
from governance.platform.dimensions import Dimension
from kto.gaps import selectors as gap_selectors
from kto.gaps.rules import Flag
from meetings import selectors as meeting_selectors
from meetings.models import Meeting, Tier

PERIODS = 12
# The flags a contract row counts as open: the ones that ask someone to act or look.
OPEN_FLAGS = (Flag.BOTH_RED, Flag.WATERMELON, Flag.WATCH)
# How far ahead the next meeting of a tier is looked for.
MEETING_HORIZON = timedelta(days=400)


def health_periods(today: date) -> list[date]:
    """The first days of the last 12 complete months, oldest first."""
    last = add_months(today.replace(day=1), -1)
    return [add_months(last, -n) for n in range(PERIODS - 1, -1, -1)]


@dataclass
class LevelRow:
    """One service level code over the periods: its state and value per month."""

    code: str
    name: str
    states: dict[date, str] = field(default_factory=dict)
    values: dict[date, object] = field(default_factory=dict)

    def count(self, state: str) -> int:
        return sum(1 for s in self.states.values() if s == state)

    @property
    def met(self) -> int:
        return self.count("met")

    @property
    def near_miss(self) -> int:
        return self.count("near_miss")

    @property
    def missed(self) -> int:
        return self.count("missed")


@dataclass
class PerceptionCell:
    flag_id: int
    flag: str
    n: int
    mean: float | None
    low: float | None
    high: float | None

    @property
    def flag_label(self) -> str:
        return str(Flag(self.flag).label)


@dataclass
class PerceptionRow:
    dimension: str
    cells: dict[date, PerceptionCell] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(Dimension(self.dimension).label)

    @property
    def latest(self) -> tuple[date, PerceptionCell] | None:
        """The newest period with a perception figure."""
        for period in sorted(self.cells, reverse=True):
            if self.cells[period].mean is not None:
                return period, self.cells[period]
        return None


@dataclass
class NextMeeting:
    tier: str
    meeting: Meeting
    # Per agenda item needing preparation: which pre-reads are missing ("supplier", "client").
    missing: list[dict]

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label)


@dataclass
class Health:
    contract: Contract
    periods: list[date]
    levels: list[LevelRow] = field(default_factory=list)
    perception: list[PerceptionRow] = field(default_factory=list)
    complaints_by_month: dict[date, int] = field(default_factory=dict)
    complaints_open: int = 0
    complaints_overdue: int = 0
    closed_not_resolved: int = 0
    findings_by_grade: dict[str, int] = field(default_factory=dict)
    actions_overdue: int = 0
    meetings: list[NextMeeting] = field(default_factory=list)
    sips: list = field(default_factory=list)  # [(sip, progress, milestones done, milestones)]
    term_end: date | None = None
    notice_deadline: date | None = None
    today: date | None = None

    @property
    def notice_days(self) -> int | None:
        """Days from today to the next notice deadline."""
        if self.notice_deadline is None or self.today is None:
            return None
        return (self.notice_deadline - self.today).days

    @property
    def grades(self) -> list[tuple[str, str, int]]:
        """(grade, its label, open findings) for each grade with open findings."""
        return [
            (grade, str(Result(grade).label), count)
            for grade, count in self.findings_by_grade.items()
            if count
        ]

    @property
    def attainment(self) -> list[float | None]:
        """Per period, the share (%) of the measured service levels that met their target;
        None for a month without figures."""
        shares = []
        for period in self.periods:
            states = [row.states[period] for row in self.levels if period in row.states]
            shares.append(round(100 * states.count("met") / len(states), 1) if states else None)
        return shares

    @property
    def state_totals(self) -> dict[str, int]:
        """Met, near misses and misses over all levels and periods."""
        return {
            "met": sum(row.met for row in self.levels),
            "near_miss": sum(row.near_miss for row in self.levels),
            "missed": sum(row.missed for row in self.levels),
        }

    @property
    def perception_trend(self) -> list[float | None]:
        """Per period, the mean of the dimensions' perception means (None without any)."""
        trend = []
        for period in self.periods:
            means = [
                row.cells[period].mean
                for row in self.perception
                if period in row.cells and row.cells[period].mean is not None
            ]
            trend.append(round(sum(means) / len(means), 2) if means else None)
        return trend

    @property
    def latest_flag_period(self) -> date | None:
        """The newest period with a judged flag (the newest months often wait for their SLA
        report or survey), else the newest period with any flag."""
        cells = [(p, c) for row in self.perception for p, c in row.cells.items()]
        judged = [p for p, c in cells if c.flag != Flag.INSUFFICIENT_DATA]
        periods = judged or [p for p, _c in cells]
        return max(periods) if periods else None

    @property
    def open_flags(self) -> list[tuple[str, PerceptionCell]]:
        """(dimension label, cell) of the watermelons, both-reds and watches of the newest
        period with flags."""
        period = self.latest_flag_period
        return [
            (row.label, row.cells[period])
            for row in self.perception
            if period in row.cells and row.cells[period].flag in OPEN_FLAGS
        ]

    @property
    def complaint_volume(self) -> int:
        return sum(self.complaints_by_month.values())

    @property
    def findings_open(self) -> int:
        return sum(self.findings_by_grade.values())

    @property
    def next_meeting(self) -> NextMeeting | None:
        return min(self.meetings, key=lambda m: m.meeting.starts_at, default=None)


def contract_health_many(
    *,
    access: Access,
    contracts: list[Contract],
    today: date | None = None,
    with_sips: bool = True,
    rows_only: bool = False,
) -> dict[int, Health]:
    """The health of each contract (by id), from a fixed number of queries for all of them.

    `rows_only`: what the organisation home's contract rows show and no more: no complaints
    (`home_complaints` fills the row's two figures), no missing preparation of the next
    meetings, no SIPs."""
    today = today or timezone.localdate()
    periods = health_periods(today)
    health = {
        c.pk: Health(
            contract=c,
            periods=periods,
            term_end=c.current_term_end,
            notice_deadline=c.next_notice_deadline(today),
            today=today,
        )
        for c in contracts
    }
    if not health:
        return health
    ids = list(health)
    _sla(access, health, ids, periods)
    _perception(access, health, ids, periods)
    if not rows_only:
        _complaints(access, health, ids, periods, today)
    _findings(access, health, ids, today)
    _meetings(access, health, ids, with_preparation=not rows_only)
    if with_sips and not rows_only:
        _sips(access, health, ids, today)
    return health


def contract_health(*, access: Access, contract: Contract, today: date | None = None) -> Health:
    """The health of one contract (see `contract_health_many`)."""
    return contract_health_many(access=access, contracts=[contract], today=today)[contract.pk]


def _sla(access, health, ids, periods) -> None:
    rows: dict[tuple[int, str], LevelRow] = {}
    measurements = (
        contract_selectors.measurement_list(access=access)
        .filter(
            report__contract_id__in=ids,
            report__is_current=True,
            report__status__in=contract_selectors.COUNTING,
            report__period_start__in=periods,
        )
        .order_by("service_level__code", "report__period_start")
        .values_list(
            "report__contract_id",
            "report__period_start",
            "service_level__code",
            "service_level__name",
            "value",
            "state",
        )
    )
    for contract_id, period, code, name, value, state in measurements:
        row = rows.get((contract_id, code))
        if row is None:
            row = rows[(contract_id, code)] = LevelRow(code=code, name=name)
            health[contract_id].levels.append(row)
        row.states[period] = state
        row.values[period] = value


def _perception(access, health, ids, periods) -> None:
    rows: dict[tuple[int, str], PerceptionRow] = {}
    flags = (
        gap_selectors.gap_flag_list(access=access)
        .filter(contract_id__in=ids, period_start__in=periods)
        .order_by("dimension", "period_start")
        .values_list(
            "pk",
            "contract_id",
            "dimension",
            "period_start",
            "flag",
            "n",
            "mean",
            "ci_low",
            "ci_high",
        )
    )
    order = {d: i for i, d in enumerate(Dimension.values)}
    for pk, contract_id, dimension, period, flag, n, mean, low, high in flags:
        row = rows.get((contract_id, dimension))
        if row is None:
            row = rows[(contract_id, dimension)] = PerceptionRow(dimension=dimension)
            health[contract_id].perception.append(row)
        row.cells[period] = PerceptionCell(pk, flag, n, mean, low, high)
    for one in health.values():
        one.perception.sort(key=lambda row: order.get(row.dimension, 99))


def _complaints(access, health, ids, periods, today) -> None:
    complaints = complaint_selectors.complaint_list(access=access).filter(
        service__contract_id__in=ids
    )
    first, last = periods[0], add_months(periods[-1], 1)
    volume = (
        complaints.filter(received_at__date__gte=first, received_at__date__lt=last)
        .annotate(month=TruncMonth("received_at", output_field=DateField()))
        .order_by()
        .values_list("service__contract_id", "month")
        .annotate(n=Count("pk"))
    )
    for contract_id, month, n in volume:
        health[contract_id].complaints_by_month[month] = n
    overdue_ids = complaint_selectors.complaint_list(
        access=access, overdue=True, today=today
    ).values("pk")
    counts = (
        complaints.order_by()
        .values_list("service__contract_id")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=Q(pk__in=overdue_ids)),
            closed_not_resolved=Count(
                "pk", filter=Q(status=Status.CLOSED, verdict__resolved_for_me=False)
            ),
        )
    )
    for contract_id, open_count, overdue, closed_not_resolved in counts:
        one = health[contract_id]
        one.complaints_open = open_count
        one.complaints_overdue = overdue
        one.closed_not_resolved = closed_not_resolved


def _findings(access, health, ids, today) -> None:
    grades = (
        audit_selectors.finding_list(access=access, status=Finding.Status.OPEN, with_actions=False)
        .filter(audit__contract_id__in=ids)
        .prefetch_related(None)
        .order_by()
        .values_list("audit__contract_id", "grade")
        .annotate(n=Count("pk"))
    )
    order = {g: i for i, g in enumerate(FINDING_GRADES)}
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for contract_id, grade, n in grades:
        found[contract_id][grade] = n
    for contract_id, counts in found.items():
        health[contract_id].findings_by_grade = dict(
            sorted(counts.items(), key=lambda item: order.get(item[0], 99))
        )
    overdue = (
        audit_selectors.action_list(access=access, overdue_on=today)
        .filter(finding__audit__contract_id__in=ids)
        .order_by()
        .values_list("finding__audit__contract_id")
        .annotate(n=Count("pk"))
    )
    for contract_id, n in overdue:
        health[contract_id].actions_overdue = n


def _meetings(access, health, ids, *, with_preparation: bool = True) -> None:
    now = timezone.now()
    upcoming = (
        meeting_selectors.meeting_list(access=access, upcoming=True)
        .filter(series__contract_id__in=ids, starts_at__lt=now + MEETING_HORIZON)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at", "pk")
    )
    chosen: dict[tuple[int, str], Meeting] = {}
    for meeting in upcoming:
        chosen.setdefault((meeting.series.contract_id, meeting.series.tier), meeting)
    items = defaultdict(list)
    if with_preparation:
        for item in (
            meeting_selectors.item_list(access=access)
            .filter(meeting__in=[m.pk for m in chosen.values()], needs_preparation=True)
            .order_by("meeting", "position", "pk")
        ):
            items[item.meeting_id].append(item)
    tiers = {t: i for i, t in enumerate(Tier.values)}
    for (contract_id, tier), meeting in sorted(
        chosen.items(), key=lambda pair: tiers.get(pair[0][1], 99)
    ):
        missing = meeting_selectors.missing_preparation(items=items[meeting.pk])
        health[contract_id].meetings.append(NextMeeting(tier, meeting, missing))


def _sips(access, health, ids, today) -> None:
    sips = list(
        meeting_selectors.sip_list(access=access)
        .filter(contract_id__in=ids)
        .order_by("contract_id", "-created_at", "pk")
    )
    progress = meeting_selectors.sip_progress_for(sips=sips, access=access, today=today)
    for sip in sips:
        milestones = list(sip.milestones.all())
        done = sum(1 for m in milestones if m.done)
        health[sip.contract_id].sips.append((sip, progress[sip.pk], done, len(milestones)))


def grade_counts(findings_by_grade: dict[str, int]) -> list[tuple[str, int]]:
    """(grade, count) for every finding grade, in the order of severity, zeros included."""
    return [(grade, findings_by_grade.get(grade, 0)) for grade in FINDING_GRADES]


def complaint_months(health: Health) -> list[int]:
    """Complaints received per period, zeros included."""
    return [health.complaints_by_month.get(period, 0) for period in health.periods]


# --- the organisation home ------------------------------------------------------------------


@dataclass
class ComplaintTile:
    """The home's complaints tile: open, overdue, closed but not resolved for the complainant
    (the same figures as the complaints' headline)."""

    open: int
    overdue: int
    closed_not_resolved: int


def home_complaints(*, access: Access, health: dict[int, Health], today: date) -> ComplaintTile:
    """The complaint figures of the home's contract rows (open, overdue on `today`) and of its
    tile (overdue on the organisation's today, as the headline counts), from two queries:
    the open complaints grouped by contract, and those closed but not resolved."""
    tile_day = complaint_selectors.local_today(access.organisation)
    counts = complaint_selectors.open_counts_by_contract(
        access=access, overdue_on=(today, tile_day)
    )
    for contract_id, one in health.items():
        one.complaints_open, one.complaints_overdue, _tile = counts.get(contract_id, (0, 0, 0))
    return ComplaintTile(
        open=sum(c[0] for c in counts.values()),
        overdue=sum(c[2] for c in counts.values()),
        closed_not_resolved=complaint_selectors.closed_not_resolved_count(access=access),
    )


def organisation_figures(
    *, access: Access, today: date | None = None, complaints: ComplaintTile | None = None
) -> dict:
    """Organisation-wide figures for the home's tiles: complaints open, overdue and closed but
    not resolved for the complainant (`complaints` when the caller has them, else the
    headline's); open findings and overdue corrective actions."""
    today = today or timezone.localdate()
    return {
        "complaints": complaints or complaint_selectors.headline(access=access),
        "findings_open": audit_selectors.finding_list(
            access=access, status=Finding.Status.OPEN, with_actions=False
        )
        .prefetch_related(None)
        .count(),
        "actions_overdue": audit_selectors.action_list(access=access, overdue_on=today).count(),
    }
