"""Reads of gap flags and runs: keyword-only, tenant-scoped, aggregates only."""

from datetime import date

from django.db.models import QuerySet

from contracts import selectors as contract_selectors
from governance.access import Access
from governance.dimensions import Dimension
from kto.gaps.models import GapAnalysisRun, GapFlag, GapReport
from kto.gaps.rules import CONFIRMABLE, Flag

# Flags worth a person's attention, in order of urgency.
ATTENTION = [Flag.BOTH_RED, Flag.WATERMELON, Flag.WATCH, Flag.HIDDEN_SUCCESS]


def gap_flag_list(
    *,
    access: Access,
    contract_id: int | None = None,
    dimension: str = "",
    period_start: date | None = None,
    flag: str = "",
    confirmed: bool | None = None,
) -> QuerySet[GapFlag]:
    """Flags of the organisation; a supplier's user sees its own contracts' flags only."""
    queryset = GapFlag.objects.filter(organisation=access.organisation)
    if access.is_supplier:
        queryset = queryset.filter(contract__supplier=access.supplier)
    if contract_id:
        queryset = queryset.filter(contract_id=contract_id)
    if dimension:
        queryset = queryset.filter(dimension=dimension)
    if period_start:
        queryset = queryset.filter(period_start=period_start)
    if flag:
        queryset = queryset.filter(flag=flag)
    if confirmed is not None:
        queryset = queryset.filter(confirmed=confirmed)
    return queryset.select_related("contract", "contract__supplier").order_by(
        "contract__reference", "dimension", "-period_start"
    )


def gap_periods(*, access: Access) -> list[date]:
    """Periods with flags, newest first."""
    return list(
        gap_flag_list(access=access)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .distinct()
    )


def default_gap_period(*, access: Access) -> date | None:
    """The newest period in which at least one cell could be judged (the newest month often
    waits for its SLA report); the newest period when none could."""
    judged = (
        gap_flag_list(access=access)
        .exclude(flag=Flag.INSUFFICIENT_DATA)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    if judged:
        return judged
    periods = gap_periods(access=access)
    return periods[0] if periods else None


def gap_matrix(*, access: Access, period_start: date, flag: str = "") -> list[dict]:
    """Rows of contracts × dimensions for one period; a filter on flag keeps matching rows."""
    flags = {
        (f.contract_id, f.dimension): f
        for f in gap_flag_list(access=access, period_start=period_start)
    }
    rows = []
    for contract in contract_selectors.contract_list(access=access):
        cells = [flags.get((contract.pk, d)) for d in Dimension.values]
        if flag and not any(c and c.flag == flag for c in cells):
            continue
        rows.append({"contract": contract, "cells": cells})
    return rows


def confirmed_flags(*, access: Access, limit: int = 10) -> list[GapFlag]:
    """The confirmed watermelons and both-reds of the latest judged period (home page)."""
    period = default_gap_period(access=access)
    if period is None:
        return []
    return list(
        gap_flag_list(access=access, period_start=period, confirmed=True).filter(
            flag__in=CONFIRMABLE
        )[:limit]
    )


def gap_run_list(*, access: Access) -> QuerySet[GapAnalysisRun]:
    """Runs cover the whole organisation, so they are for the client's own staff only."""
    if not access.is_client and not access.is_system:
        return GapAnalysisRun.objects.none()
    return GapAnalysisRun.objects.filter(organisation=access.organisation).select_related(
        "requested_by"
    )


def gap_report_latest(*, access: Access, run: GapAnalysisRun) -> GapReport | None:
    if not access.is_client and not access.is_system:
        return None
    return (
        GapReport.objects.filter(organisation=access.organisation, run=run)
        .defer("pdf")
        .order_by("-created_at")
        .first()
    )
