"""Reads of contracts, services, service levels and SLA reports: keyword-only, tenant-scoped
(call inside the request's or task's scope), no side effects."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)

from contracts import reporting
from contracts.models import (
    Contract,
    Expectation,
    InformationDelivery,
    InformationNeed,
    Measurement,
    Service,
    ServiceLevel,
    ServiceLevelDimension,
    SLAReport,
    add_months,
    month_period,
    quarter_period,
)
from governance.platform.access import Access
from governance.platform.models import Supplier
from governance.platform.queries import filtered, searched
from governance.platform.workdays import is_holiday

# Reports whose figures count: the current version, once submitted and not withdrawn.
COUNTING = [
    SLAReport.Status.SUBMITTED,
    SLAReport.Status.ACCEPTED,
    SLAReport.Status.DISPUTED,
    SLAReport.Status.APPEALED,
]


# --- contracts -----------------------------------------------------------------------------


def contract_list(
    *,
    access: Access,
    search: str = "",
    status: str = "",
    supplier_id: int | None = None,
    renewal: str = "",
) -> QuerySet[Contract]:
    """The organisation's contracts the user may see (a supplier's user: its own only),
    optionally searched (reference, title, supplier) and filtered."""
    queryset = Contract.objects.filter(organisation=access.organisation)
    if access.is_supplier:
        queryset = queryset.filter(supplier=access.supplier)
    queryset = searched(
        queryset,
        search,
        "reference__icontains",
        "title__icontains",
        "supplier__name__icontains",
    )
    queryset = filtered(queryset, status=status, supplier_id=supplier_id, renewal=renewal)
    return queryset.select_related("organisation", "supplier").order_by("reference")


def contract_list_for_supplier(*, supplier: Supplier) -> QuerySet[Contract]:
    """A supplier's contracts across every organisation that engaged it (supplier home).

    Call inside `scope(organisation=<ids the supplier serves>, supplier=supplier.pk)`.
    """
    return (
        Contract.objects.filter(supplier=supplier)
        .select_related("organisation", "supplier")
        .order_by("organisation__name", "reference")
    )


def supplier_list(*, access: Access) -> QuerySet[Supplier]:
    """Suppliers with a contract in the organisation, as far as the user may see them."""
    queryset = Supplier.objects.filter(contracts__organisation=access.organisation)
    if access.is_supplier:
        queryset = queryset.filter(pk=access.supplier.pk)
    return queryset.distinct().order_by("name")


def expectations_for_contract(*, contract: Contract):
    """The client's explicit expectations of the contract."""
    return contract.expectations.all()


def expectation_list(*, access: Access) -> QuerySet[Expectation]:
    """Explicit expectations of the contracts the user may see."""
    return Expectation.objects.filter(
        organisation=access.organisation, contract__in=contract_list(access=access)
    ).select_related("contract")


def information_need_list(*, access: Access) -> QuerySet[InformationNeed]:
    """Information needs of the contracts the user may see."""
    return InformationNeed.objects.filter(
        organisation=access.organisation, contract__in=contract_list(access=access)
    ).select_related("contract", "contract__organisation")


def information_needs_for_contract(*, contract: Contract) -> QuerySet[InformationNeed]:
    """Information needs with their most recent deliveries."""
    return contract.information_needs.prefetch_related(
        Prefetch("deliveries", queryset=InformationDelivery.objects.order_by("-period_start"))
    )


def information_delivery_rate(*, contract: Contract) -> tuple[int, int]:
    """(delivered on time, delivered or overdue) over the contract's recorded deliveries."""
    deliveries = InformationDelivery.objects.filter(need__contract=contract)
    on_time = late = 0
    today = date.today()
    for delivery in deliveries:
        if delivery.on_time is True:
            on_time += 1
        elif delivery.on_time is False or delivery.due_date < today:
            late += 1
    return on_time, on_time + late


# --- services ------------------------------------------------------------------------------


def services_for_contract(*, contract: Contract) -> QuerySet[Service]:
    """The contract's services with their opening hours."""
    return contract.services.prefetch_related("opening_hours").order_by("name")


def service_is_open(*, service: Service, at: datetime, time_zone: str | None = None) -> bool:
    """Whether `at` (an aware datetime) falls inside the service window, judged in the
    organisation's time zone (`time_zone` when the caller holds the organisation already).
    Dutch public holidays are closed unless the service says it is open on them; a service
    without opening hours is always open."""
    if at.tzinfo is None:
        raise ValueError("service_is_open needs an aware datetime")
    local = at.astimezone(ZoneInfo(time_zone or service.organisation.time_zone))
    if not service.open_on_holidays and is_holiday(local.date()):
        return False
    hours = list(service.opening_hours.all())
    if not hours:
        return True
    return any(interval.covers(local) for interval in hours)


# --- service levels ------------------------------------------------------------------------


def service_levels_for_contract(*, contract: Contract) -> QuerySet[ServiceLevel]:
    """Every version of every service level of the contract, with service and dimensions."""
    return (
        ServiceLevel.objects.filter(contract=contract)
        .select_related("service")
        .prefetch_related("dimensions")
        .order_by("code", "valid_from")
    )


def service_levels_in_force(
    *, contract: Contract, period_start: date, period_end: date
) -> QuerySet[ServiceLevel]:
    """The versions of the contract's service levels in force at some time in the period."""
    return (
        ServiceLevel.objects.filter(contract=contract, valid_from__lte=period_end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period_start))
        .order_by("code", "valid_from")
    )


def service_level_list(*, access: Access) -> QuerySet[ServiceLevel]:
    """All service levels of the contracts the user may see."""
    return (
        ServiceLevel.objects.filter(
            organisation=access.organisation, contract__in=contract_list(access=access)
        )
        .select_related("contract", "service")
        .prefetch_related("dimensions")
    )


def service_list(*, access: Access) -> QuerySet[Service]:
    """All services of the contracts the user may see."""
    return (
        Service.objects.filter(
            organisation=access.organisation, contract__in=contract_list(access=access)
        )
        .select_related("contract")
        .prefetch_related("opening_hours")
    )


# --- SLA reports ---------------------------------------------------------------------------


def sla_report_list(*, access: Access) -> QuerySet[SLAReport]:
    """Every version of every SLA report of the contracts the user may see."""
    return (
        SLAReport.objects.filter(
            organisation=access.organisation, contract__in=contract_list(access=access)
        )
        .select_related("contract", "contract__supplier", "submitted_by", "reviewed_by")
        .defer("source_file")
        .order_by("-period_start", "contract__reference", "-version")
    )


def measurement_list(*, access: Access) -> QuerySet[Measurement]:
    """Measurements of the reports the user may see."""
    return (
        Measurement.objects.filter(
            organisation=access.organisation,
            report__contract__in=contract_list(access=access),
        )
        .select_related("service_level", "report")
        .defer("report__source_file")
        .order_by("report__period_start", "report__version", "service_level__code")
    )


def report_versions(*, report: SLAReport) -> QuerySet[SLAReport]:
    """All versions of the report's contract and period, newest first."""
    return (
        SLAReport.objects.filter(contract=report.contract, period_start=report.period_start)
        .select_related("submitted_by")
        .defer("source_file")
        .order_by("-version")
    )


def report_measurements(*, report: SLAReport) -> QuerySet[Measurement]:
    return report.measurements.select_related("service_level").order_by("service_level__code")


def report_timeline(*, contract: Contract) -> QuerySet[SLAReport]:
    """The contract's current report versions, newest period first."""
    return (
        SLAReport.objects.filter(contract=contract, is_current=True)
        .defer("source_file")
        .annotate(
            missed=Count("measurements", filter=~Q(measurements__state=Measurement.State.MET))
        )
        .order_by("-period_start")
    )


def reporting_periods_due(*, contract: Contract, today: date) -> list[tuple[date, date]]:
    """Month periods of the contract whose report window has closed by `today`."""
    if contract.start_date is None:
        return []
    periods = []
    start = contract.start_date.replace(day=1)
    while True:
        period = month_period(start)
        if contract.end_date and period[0] > contract.end_date:
            break
        if contract.report_window(period[1])[1] >= today:
            break
        periods.append(period)
        start = add_months(start, 1)
    return periods


def on_time_rate(*, contract: Contract, today: date | None = None) -> tuple[int, int]:
    """(periods reported on time, periods whose window has closed). A period with no report at
    all counts as not on time."""
    today = today or date.today()
    due = reporting_periods_due(contract=contract, today=today)
    if not due:
        return 0, 0
    on_time = set(
        SLAReport.objects.filter(
            contract=contract, version=1, is_late=False, period_start__in=[p[0] for p in due]
        )
        .exclude(status=SLAReport.Status.DRAFT)
        .values_list("period_start", flat=True)
    )
    return len(on_time), len(due)


def level_history(*, level: ServiceLevel) -> list[dict]:
    """Per reported period: the value of this code (any version), its target then and state,
    from the current report versions."""
    measurements = (
        Measurement.objects.filter(
            report__contract_id=level.contract_id,
            report__is_current=True,
            report__status__in=COUNTING,
            service_level__code=level.code,
        )
        .select_related("service_level", "report")
        .defer("report__source_file")
        .order_by("report__period_start")
    )
    return [
        {
            "period": m.report.period_start,
            "value": m.value,
            "target": m.service_level.target,
            "state": m.state,
        }
        for m in measurements
    ]


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """A measurement in the attainment matrix: its figure and state."""

    value: Decimal | None
    state: str


def attainment_matrix(*, contract: Contract, months: int = 12, today: date | None = None):
    """Codes × the last `months` reported months: the figure and state of each current
    measurement (`MatrixCell`)."""
    today = today or date.today()
    end = month_period(today)[0]
    first = add_months(end, -(months - 1))
    # Only the five columns the matrix shows, not a model instance per measurement (a
    # contract of twenty levels has 240 in a year).
    measurements = Measurement.objects.filter(
        report__contract=contract,
        report__is_current=True,
        report__status__in=COUNTING,
        report__period_start__gte=first,
        report__period_start__lte=end,
    ).values_list(
        "service_level__code", "service_level__name", "report__period_start", "value", "state"
    )
    columns = [add_months(first, n) for n in range(months)]
    cells = {}
    codes = {}
    for code, name, period_start, value, state in measurements:
        codes[code] = name
        cells[(code, period_start)] = MatrixCell(value, state)
    reported = [c for c in columns if any(key[1] == c for key in cells)]
    return sorted(codes.items()), reported, cells


# --- what the gap analysis (kto) reads -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelResult:
    """One service level mapped to a dimension, judged for one period."""

    code: str
    name: str
    direction: str  # "higher" | "lower"
    target: Decimal
    actual: Decimal | None
    # ServiceLevel.judge of the figure, as stored on the measurement and shown on the contract
    # page: the gap analysis takes its SLA state from it.
    state: str  # "met" | "near_miss" | "missed" | "missing"
    margin: float | None  # signed relative margin, positive = better than target
    report_status: str  # the current report version's status, "missing" without a report
    report_version: int | None
    weight: Decimal = Decimal("1.00")
    breach_threshold: Decimal | None = None


MISSING = "missing"


def sla_dimension_results(
    *, contract: Contract, period_start: date, period_end: date
) -> dict[str, list[LevelResult]]:
    """Per perception dimension (Dimension value): the service levels mapped to it that were
    due in the period (a month; quarterly levels in the quarter's last month), judged from the
    current version of that period's report. A level without a measurement, or a period
    without a counting report (none, a draft, a withdrawn one), is "missing"."""
    key = (contract.pk, period_start)
    return sla_figures(contract_ids=[contract.pk], periods=[(period_start, period_end)]).results(
        [key]
    )[key]


class SlaFigures:
    """The reported side for many contracts and months, in two steps: a signature per
    (contract, month) of everything its results derive from (the current report version with a
    fingerprint of its measurements, and the contract's service levels) from four queries, then
    the results of the months asked for, with one more query for their measurements. A caller
    that kept the signatures of earlier results need not read the measurements of months whose
    signature is unchanged."""

    def __init__(self, periods, levels, reports):
        self._periods = dict(periods)
        # contract id → [(code, valid_from, valid_to, quarterly, level values, mappings)]
        self._levels = levels
        # (contract id, month) → (id, version, status, fingerprint of its measurements)
        self._reports = reports
        self._level_text: dict[int, str] = {}
        self._level_signature = {
            contract_id: tuple(
                (
                    level["id"],
                    code,
                    level["target"],
                    level["breach_threshold"],
                    level["direction"],
                    quarterly,
                    valid_from,
                    valid_to,
                    tuple(mappings),
                )
                for code, valid_from, valid_to, quarterly, level, mappings in facts
            )
            for contract_id, facts in levels.items()
        }

    def signature_text(self, contract_id: int, start: date) -> str:
        """The signature as text, the contract's levels written once per contract."""
        if contract_id not in self._level_text:
            self._level_text[contract_id] = repr(self._level_signature.get(contract_id))
        return f"{self._reports.get((contract_id, start))!r}|{self._level_text[contract_id]}"

    def results(self, keys) -> dict[tuple[int, date], dict[str, list[LevelResult]]]:
        keys = list(keys)
        counting = {
            self._reports[key][0]
            for key in keys
            if key in self._reports and self._reports[key][2] in COUNTING
        }
        values: dict[tuple[int, int], tuple[Decimal, str]] = (
            {
                (report_id, level_id): (value, state)
                for report_id, level_id, value, state in Measurement.objects.filter(
                    report_id__in=counting
                )
                .order_by()
                .values_list("report_id", "service_level_id", "value", "state")
            }
            if counting
            else {}
        )
        return {
            (contract_id, start): _judge_levels(
                self._levels.get(contract_id, []),
                start,
                self._periods[start],
                self._reports.get((contract_id, start)),
                values,
            )
            for contract_id, start in keys
        }


def sla_figures(*, contract_ids: list[int], periods: list[tuple[date, date]]) -> SlaFigures:
    """The signatures of the reported side for these contracts and month periods; their
    results on demand (see `SlaFigures`)."""
    if any((start, end) != month_period(start) for start, end in periods):
        raise ValueError("sla_dimension_results takes month periods (first day, last day)")
    if not periods or not contract_ids:
        return SlaFigures(periods, {}, {})
    first = min(start for start, _ in periods)
    last = max(end for _, end in periods)
    levels = list(
        ServiceLevel.objects.filter(contract_id__in=contract_ids, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .order_by("code", "valid_from")
        .values(
            "id",
            "contract_id",
            "code",
            "name",
            "direction",
            "target",
            "breach_threshold",
            "period",
            "valid_from",
            "valid_to",
        )
    )
    mappings: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for level_id, dimension, weight in (
        ServiceLevelDimension.objects.filter(service_level_id__in=[lv["id"] for lv in levels])
        .order_by("service_level", "dimension")
        .values_list("service_level_id", "dimension", "weight")
    ):
        mappings[level_id].append((dimension, weight))
    # Each level's facts once, not model attribute lookups per level and month.
    facts: dict[int, list[tuple]] = defaultdict(list)
    for level in levels:
        facts[level["contract_id"]].append(
            (
                level["code"],
                level["valid_from"],
                level["valid_to"],
                level["period"] == ServiceLevel.Period.QUARTERLY,
                level,
                mappings[level["id"]],
            )
        )
    reports = {
        (contract_id, start): (report_id, version, status)
        for report_id, contract_id, start, version, status in SLAReport.objects.filter(
            contract_id__in=contract_ids,
            period_start__in={start for start, _ in periods},
            is_current=True,
        )
        .order_by()
        .values_list("id", "contract_id", "period_start", "version", "status")
    }
    # A fingerprint of each report's measurements, so a value or state changed in place counts
    # too.
    fingerprints = {
        report_id: (count, total, weighted, near, missed)
        for report_id, count, total, weighted, near, missed in Measurement.objects.filter(
            report_id__in=[report_id for report_id, _version, _status in reports.values()]
        )
        .order_by()
        .values("report_id")
        .annotate(
            count=Count("pk"),
            total=Sum("value"),
            weighted=Sum(
                ExpressionWrapper(
                    F("value") * F("service_level_id"),
                    output_field=DecimalField(max_digits=30, decimal_places=4),
                )
            ),
            near=Count("pk", filter=Q(state=Measurement.State.NEAR_MISS)),
            missed=Count("pk", filter=Q(state=Measurement.State.MISSED)),
        )
        .values_list("report_id", "count", "total", "weighted", "near", "missed")
    }
    signed = {key: (*report, fingerprints.get(report[0])) for key, report in reports.items()}
    return SlaFigures(periods, dict(facts), signed)


def _margin(level: dict, actual: Decimal) -> float | None:
    """ServiceLevel.margin on the level's values."""
    target = level["target"]
    if target == 0:
        return None
    difference = actual - target
    if level["direction"] == ServiceLevel.Direction.LOWER:
        difference = -difference
    return float(difference / abs(target))


def _judge_levels(levels, start, end, report, values) -> dict[str, list[LevelResult]]:
    quarter_end = quarter_period(end)[1]
    due: dict[str, tuple] = {}
    for code, valid_from, valid_to, quarterly, level, mappings in levels:
        # By code, then valid_from: the latest version in force wins.
        if valid_from > end or (valid_to is not None and valid_to < start):
            continue
        if quarterly and end != quarter_end:
            continue
        due[code] = (level, mappings)
    report_id, version, status, _fingerprint = report if report else (None, None, MISSING, None)
    if status not in COUNTING:
        report_id = None
    results: dict[str, list[LevelResult]] = defaultdict(list)
    for code in sorted(due):
        level, mappings = due[code]
        value, state = values.get((report_id, level["id"]), (None, MISSING))
        margin = _margin(level, value) if value is not None else None
        for dimension, weight in mappings:
            results[dimension].append(
                LevelResult(
                    code=code,
                    name=level["name"],
                    direction=level["direction"],
                    target=level["target"],
                    actual=value,
                    state=state,
                    margin=margin,
                    report_status=status,
                    report_version=version,
                    weight=weight,
                    breach_threshold=level["breach_threshold"],
                )
            )
    return dict(results)


def contract_periods_with_reports(*, contract: Contract) -> list[tuple[date, date]]:
    """Month periods with a counting current report version, oldest first."""
    rows = (
        SLAReport.objects.filter(contract=contract, is_current=True, status__in=COUNTING)
        .values_list("period_start", "period_end")
        .order_by("period_start")
    )
    return [(start, end) for start, end in rows]


def dimension_mappings_for_contract(*, contract: Contract) -> QuerySet[ServiceLevelDimension]:
    """Every (service level version → dimension) mapping of the contract."""
    return ServiceLevelDimension.objects.filter(service_level__contract=contract).select_related(
        "service_level"
    )


# --- the organisation home -----------------------------------------------------------------


NOT_MET_LISTED = 20


def sla_overview(*, access: Access, today: date | None = None) -> dict:
    """A small summary for the home page: reports awaiting the client's review and the
    service levels not met in the most recent reported month."""
    reports = sla_report_list(access=access).filter(is_current=True)
    latest = reports.filter(status__in=COUNTING).values_list("period_start", flat=True).first()
    if latest is None:
        latest = add_months((today or date.today()).replace(day=1), -1)
    last_period = month_period(latest)
    awaiting = list(reports.filter(status__in=SLAReport.AWAITING_REVIEW)[:10])
    not_met = (
        measurement_list(access=access)
        .filter(
            report__is_current=True,
            report__status__in=COUNTING,
            report__period_start=last_period[0],
        )
        .exclude(state=Measurement.State.MET)
        .select_related("report__contract")
    )
    listed = list(not_met[:NOT_MET_LISTED])
    count = not_met.count()
    return {
        "awaiting_review": awaiting,
        "last_period": last_period,
        # The first ones listed and the number of all: a large client misses hundreds.
        "not_met": listed,
        "not_met_count": count,
        "not_met_more": count - len(listed),
        "reports_last_period": reports.filter(period_start=last_period[0])
        .exclude(status__in=[SLAReport.Status.DRAFT, SLAReport.Status.WITHDRAWN])
        .count(),
    }


# --- SLA reporting as a supplier KPI -------------------------------------------------------


def supplier_on_time(
    *, access: Access, today: date, months: int = 12, contract_id: int | None = None
) -> list[dict]:
    """Per supplier of the contracts the user may see: its on-time reporting rate across those
    contracts and the monthly trend (`trend`: (month start, Rate), oldest first). A supplier's
    user gets its own row only; `contract_id` narrows to one contract. Two queries, whatever
    the number of contracts."""
    contracts = contract_list(access=access)
    if contract_id:
        contracts = contracts.filter(pk=contract_id)
    contracts = list(contracts)
    rates = reporting.on_time_rates(contracts=contracts, today=today, months=months)
    suppliers = {c.supplier_id: c.supplier for c in contracts}
    empty = [(month, reporting.Rate()) for month, _rate in rates["trend"]]
    rows = [
        {
            "supplier": supplier,
            "rate": rates["suppliers"].get(pk, reporting.Rate()),
            "trend": rates["supplier_trends"].get(pk, empty),
            "contracts": sum(1 for c in contracts if c.supplier_id == pk),
        }
        for pk, supplier in suppliers.items()
    ]
    return sorted(rows, key=lambda row: row["supplier"].name)


def report_periods_due(*, access: Access, today: date) -> list:
    """Reporting periods without a report on the contracts the user may see (window open, late,
    or past the late limit in the last months): `contracts.reporting.PeriodDue` rows."""
    return reporting.periods_due(contracts=list(contract_list(access=access)), today=today)
