"""Reads of gap flags, runs and settings: keyword-only, tenant-scoped, aggregates only."""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import F, Max, Min, QuerySet
from django.utils.translation import gettext_lazy as _

from contracts import selectors as contract_selectors
from governance.platform.access import Access
from governance.platform.dimensions import Dimension

# The module, not the function: the engine imports kto.selectors, which imports this module.
from kto.gaps import engine
from kto.gaps.models import (
    GapAnalysisRun,
    GapDigestSchedule,
    GapFlag,
    GapFlagComment,
    GapReport,
    GapSettings,
    GapThreshold,
)
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


def gap_flag_comment_list(*, access: Access, flag: GapFlag) -> QuerySet[GapFlagComment]:
    """The comments on a flag, oldest first, with their authors. The client's own notes: a
    supplier's user gets none."""
    if not access.is_client and not access.is_system:
        return GapFlagComment.objects.none()
    return (
        GapFlagComment.objects.filter(organisation=access.organisation, flag=flag)
        .select_related("created_by")
        .order_by("created_at", "pk")
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
    # The matrix shows the flag of each cell, not the evidence stored with it; the cells are
    # keyed by contract, so neither the contract's row nor an order is needed.
    flags = {
        (f.contract_id, f.dimension): f
        for f in gap_flag_list(access=access, period_start=period_start)
        .select_related(None)
        .order_by()
        .defer("levels", "waves", "reason_en", "reason_nl")
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


# --- settings: thresholds and the digest schedule ---------------------------------------------


class ThresholdSource(models.TextChoices):
    """Where a value in force comes from, most specific first."""

    CONTRACT_DIMENSION = "contract_dimension", _("Contract, this dimension")
    CONTRACT = "contract", _("Contract, every dimension")
    ORGANISATION_DIMENSION = "organisation_dimension", _("Organisation, this dimension")
    ORGANISATION = "organisation", _("Organisation default")
    SURVEY = "survey", _("The survey's own target")
    BUILT_IN = "built_in", _("Built-in default")


@dataclass(frozen=True)
class ThresholdInForce:
    """T, δ and k the gap analysis uses for one (contract, dimension), each with its source.

    `target` is None when T comes from each survey's own target."""

    dimension: str
    target: float | None
    target_source: ThresholdSource
    delta: float
    delta_source: ThresholdSource
    k: int
    k_source: ThresholdSource

    @property
    def dimension_label(self) -> str:
        return Dimension(self.dimension).label


def _row_source(row: GapThreshold) -> ThresholdSource:
    if row.contract_id is not None:
        return ThresholdSource.CONTRACT_DIMENSION if row.dimension else ThresholdSource.CONTRACT
    if row.dimension:
        return ThresholdSource.ORGANISATION_DIMENSION
    return ThresholdSource.ORGANISATION


@dataclass(frozen=True)
class _Probe:
    """Stands in for a threshold row: its values are a code for the row's position."""

    contract_id: int | None
    dimension: str
    target: int | None
    delta: int
    k: int


class ThresholdPrecedence:
    """The values in force and the rows they come from, decided by the engine itself.

    The values are `kto.gaps.engine.thresholds_for`'s own answer. For the sources the engine is
    asked once more with every row replaced by a probe whose T, δ and k are -(position + 1):
    the answer names the row each value was taken from, and a value that is not negative is a
    built-in default. So the page can never describe a precedence other than the one the
    analysis applies."""

    def __init__(self, rows: list[GapThreshold]):
        self.rows = rows
        self.probes = [
            _Probe(
                contract_id=row.contract_id,
                dimension=row.dimension,
                target=-(position + 1) if row.target is not None else None,
                delta=-(position + 1),
                k=-(position + 1),
            )
            for position, row in enumerate(rows)
        ]

    def _source(self, code, fallback: ThresholdSource) -> ThresholdSource:
        if code is None or code >= 0:
            return fallback
        return _row_source(self.rows[-int(code) - 1])

    def in_force(self, *, contract_id: int, dimension: str) -> ThresholdInForce:
        values = engine.thresholds_for(
            rows=self.rows, contract_id=contract_id, dimension=dimension, survey_target=None
        )
        picked = engine.thresholds_for(
            rows=self.probes, contract_id=contract_id, dimension=dimension, survey_target=None
        )
        return ThresholdInForce(
            dimension=dimension,
            target=values.target,
            target_source=self._source(picked.target, ThresholdSource.SURVEY),
            delta=values.delta,
            delta_source=self._source(picked.delta, ThresholdSource.BUILT_IN),
            k=values.k,
            k_source=self._source(picked.k, ThresholdSource.BUILT_IN),
        )


def gap_threshold_list(
    *, access: Access, contract_id: int | None = None, dimension: str | None = None
) -> QuerySet[GapThreshold]:
    """The organisation's threshold rows, organisation defaults first. Settings of the whole
    organisation: the client's own members only."""
    if not access.is_client and not access.is_system:
        return GapThreshold.objects.none()
    queryset = GapThreshold.objects.filter(organisation=access.organisation)
    if contract_id:
        queryset = queryset.filter(contract_id=contract_id)
    if dimension is not None:
        queryset = queryset.filter(dimension=dimension)
    return queryset.select_related("contract").order_by(
        F("contract__reference").asc(nulls_first=True), "dimension", "pk"
    )


def thresholds_in_force(
    *, access: Access, thresholds: list[GapThreshold] | None = None
) -> list[dict]:
    """Per contract of the organisation, T, δ and k in force for every dimension with their
    sources: rows of {"contract", "cells": [ThresholdInForce, …]}, in two queries (one when
    the caller has read the organisation's `thresholds` already)."""
    if not access.is_client and not access.is_system:
        return []
    if thresholds is None:
        thresholds = list(gap_threshold_list(access=access))
    precedence = ThresholdPrecedence(thresholds)
    return [
        {
            "contract": contract,
            "cells": [
                precedence.in_force(contract_id=contract.pk, dimension=dimension)
                for dimension in Dimension.values
            ],
        }
        for contract in contract_selectors.contract_list(access=access)
    ]


def gap_flag_months(
    *, access: Access, contract_ids: list[int] | None = None
) -> tuple[date, date] | None:
    """The first and the last month with flags for these contracts (every contract when None),
    or None when none has a flag yet."""
    queryset = GapFlag.objects.filter(organisation=access.organisation)
    if contract_ids is not None:
        queryset = queryset.filter(contract_id__in=contract_ids)
    found = queryset.aggregate(first=Min("period_start"), last=Max("period_start"))
    return (found["first"], found["last"]) if found["first"] else None


def gap_digest_schedule_for(*, access: Access) -> GapDigestSchedule:
    """The organisation's digest schedule; the default (monthly on the 12th, to the contract
    managers) when it never chose one."""
    schedule = GapDigestSchedule.objects.filter(organisation=access.organisation).first()
    return schedule or GapDigestSchedule(organisation=access.organisation)


def gap_settings_for(*, access: Access) -> GapSettings:
    """The organisation's gap settings (the amber margin); the default (0: every level met is
    green) when it never chose one."""
    found = GapSettings.objects.filter(organisation=access.organisation).first()
    return found or GapSettings(organisation=access.organisation)
