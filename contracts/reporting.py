"""The SLA reporting calendar as a supplier KPI: which periods are due or late now, and how often
a supplier reported on time, per contract, per client and per month.

Reads only (selectors): keyword-only, called inside the caller's scope, no side effects. Every
function takes a list of contracts and asks the database once for all of them, so a page with
forty contracts costs the same number of queries as a page with one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from contracts.models import Contract, SLAReport, add_months, month_period

# Contracts whose supplier is expected to report.
REPORTING = [Contract.Status.TRANSITION, Contract.Status.ACTIVE, Contract.Status.ENDING]

# How far back a period whose late limit has passed still shows as missed (months).
MISSED_MONTHS = 3


class Step:
    """Where a period without a report stands on `today`."""

    DUE = "due"  # the window is open
    LATE = "late"  # the window closed, a late report is still taken
    MISSED = "missed"  # past the late limit


@dataclass(frozen=True)
class PeriodDue:
    """A reporting period without a submitted report, with its window."""

    contract: Contract
    period_start: date
    period_end: date
    opens: date
    closes: date
    late_until: date
    step: str

    @property
    def period_label(self) -> str:
        return f"{self.period_start:%Y-%m}"

    @property
    def overdue(self) -> bool:
        return self.step != Step.DUE


def contract_periods(contract: Contract, *, until: date) -> list[tuple[date, date]]:
    """The contract's month periods whose report window has opened by `until`."""
    if contract.start_date is None:
        return []
    periods = []
    start = contract.start_date.replace(day=1)
    while True:
        first, last = month_period(start)
        if contract.end_date and first > contract.end_date:
            break
        if contract.report_window(last)[0] > until:
            break
        periods.append((first, last))
        start = add_months(start, 1)
    return periods


def _reported(contracts: list[Contract]) -> dict[int, dict[date, bool]]:
    """Per contract, per period start: whether its first submitted report was on time."""
    found: dict[int, dict[date, bool]] = defaultdict(dict)
    if not contracts:
        return found
    rows = (
        SLAReport.objects.filter(contract__in=[c.pk for c in contracts])
        .exclude(status=SLAReport.Status.DRAFT)
        .order_by("contract_id", "period_start", "version")
        .values_list("contract_id", "period_start", "is_late")
    )
    for contract_id, period_start, is_late in rows:
        # The first submitted version decides whether the period was on time.
        found[contract_id].setdefault(period_start, not is_late)
    return found


def periods_due(*, contracts: list[Contract], today: date) -> list[PeriodDue]:
    """Periods with an open window or past it and still without a report, oldest first; a period
    past its late limit only while it is less than MISSED_MONTHS old."""
    contracts = [c for c in contracts if c.status in REPORTING]
    reported = _reported(contracts)
    horizon = add_months(today, -MISSED_MONTHS)
    rows = []
    for contract in contracts:
        for first, last in contract_periods(contract, until=today):
            if first in reported[contract.pk]:
                continue
            opens, closes = contract.report_window(last)
            late_until = contract.late_report_limit(last)
            if today <= closes:
                step = Step.DUE
            elif today <= late_until:
                step = Step.LATE
            elif late_until >= horizon:
                step = Step.MISSED
            else:
                continue
            rows.append(PeriodDue(contract, first, last, opens, closes, late_until, step))
    return sorted(rows, key=lambda r: (r.closes, r.contract.reference))


@dataclass
class Rate:
    """Periods reported on time out of periods whose window has closed."""

    on_time: int = 0
    due: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_time / self.due) if self.due else None


def _closed_periods(contract: Contract, today: date) -> list[date]:
    """Starts of the periods whose window has closed before `today`."""
    return [
        first
        for first, last in contract_periods(contract, until=today)
        if contract.report_window(last)[1] < today
    ]


def on_time_rates(*, contracts: list[Contract], today: date, months: int = 12) -> dict:
    """The on-time reporting rate of `contracts`: overall, per contract (pk), per organisation
    (pk), per supplier (pk), and per month over the last `months` closed periods (`trend`, a
    list of (month start, Rate), oldest first; `supplier_trends` the same per supplier pk).
    A period without any report counts as late."""
    reported = _reported(contracts)
    last_month = add_months(month_period(today)[0], -1)
    months_shown = [add_months(last_month, -i) for i in range(months - 1, -1, -1)]
    result = {
        "total": Rate(),
        "contracts": defaultdict(Rate),
        "organisations": defaultdict(Rate),
        "suppliers": defaultdict(Rate),
        "trend": {m: Rate() for m in months_shown},
        "supplier_trends": defaultdict(lambda: {m: Rate() for m in months_shown}),
    }
    for contract in contracts:
        for first in _closed_periods(contract, today):
            on_time = reported[contract.pk].get(first) is True
            rates = [
                result["total"],
                result["contracts"][contract.pk],
                result["organisations"][contract.organisation_id],
                result["suppliers"][contract.supplier_id],
            ]
            if first in result["trend"]:
                rates.append(result["trend"][first])
                rates.append(result["supplier_trends"][contract.supplier_id][first])
            for rate in rates:
                rate.due += 1
                rate.on_time += on_time
    result["trend"] = list(result["trend"].items())
    result["supplier_trends"] = {
        pk: list(trend.items()) for pk, trend in result["supplier_trends"].items()
    }
    return result
