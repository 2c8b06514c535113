"""The stakeholder triangle and the SERVQUAL gap as numbers, for the results page.

Triangle gap, per dimension: what the business (or the IT organisation) believes end users
experience minus what end users report, mean(group) − mean(end users), with a Welch interval
(two independent samples, Welch–Satterthwaite degrees of freedom). Positive: the group thinks
users fare better than they say.

SERVQUAL gap 5 of a baseline KTO, per dimension: perception − expectation. A baseline asks
both of the same person, so the interval is the paired one (mean of each respondent's own
P − E, t with n − 1 df) whenever every respondent of the cell has a paired score (the `gap`
rollup written at release); otherwise — answers released before paired scores were kept — the
Welch interval of the two means. Negative: service falls short of what was expected.

A gap is flagged when the whole interval lies on one side of 0 and the difference is at least
δ, the practical margin of the gap analysis for that contract and dimension (the drift rule of
REFERENCE.md §2.4, compared as decimals). Spreads count as at least `MIN_SD`, as in the gap
analysis, so identical answers never give a zero-width interval.

Only cells the page shows are used: a hidden group yields no figure, and a gap involving it is
not computed. Every figure is rounded to the page's two decimals here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from governance.platform.dimensions import Dimension
from kto import stats
from kto.gaps.engine import thresholds_for
from kto.gaps.models import GapThreshold
from kto.gaps.rules import MIN_SD, as_decimal
from kto.models import GAP_ROLE, ItemRole, StakeholderGroup, SurveyKind

DECIMALS = 2
PAIRED = "paired"
WELCH = "welch"


@dataclass(frozen=True)
class GapFigure:
    difference: float
    low: float
    high: float
    delta: float
    method: str
    flagged: bool

    @property
    def direction(self) -> int:
        """+1 or −1 when flagged (above or below 0), else 0."""
        if not self.flagged:
            return 0
        return 1 if self.difference > 0 else -1


def is_flagged(interval: stats.DifferenceInterval, delta: float) -> bool:
    """The whole interval on one side of 0 and |difference| ≥ δ (decimal comparison)."""
    size = abs(as_decimal(interval.difference))
    beyond_zero = as_decimal(interval.low) > 0 or as_decimal(interval.high) < 0
    return beyond_zero and size >= as_decimal(delta)


def _mean_sd(sums: tuple[int, float, float]) -> tuple[int, float, float]:
    n, total, total_sq = sums
    mean, sd = stats.mean_sd_from_sums(n, total, total_sq)
    return n, mean, max(sd, MIN_SD)


def _figure(interval: stats.DifferenceInterval, delta: float, method: str) -> GapFigure:
    return GapFigure(
        difference=round(interval.difference, DECIMALS),
        low=round(interval.low, DECIMALS),
        high=round(interval.high, DECIMALS),
        delta=delta,
        method=method,
        flagged=is_flagged(interval, delta),
    )


def welch_gap(first, second, delta: float) -> GapFigure | None:
    """mean(first) − mean(second) from (n, Σx, Σx²) sums, or None below two answers each."""
    if first is None or second is None or first[0] < 2 or second[0] < 2:
        return None
    n1, mean1, sd1 = _mean_sd(first)
    n2, mean2, sd2 = _mean_sd(second)
    interval = stats.welch_difference(n1=n1, mean1=mean1, sd1=sd1, n2=n2, mean2=mean2, sd2=sd2)
    return _figure(interval, delta, WELCH)


def servqual_gap(cell, dimension: str, delta: float) -> GapFigure | None:
    """Perception − expectation of a shown cell in `dimension`: paired when every respondent
    of the cell has a paired score, else Welch."""
    if cell.hidden:
        return None
    perception = cell.sums.get((ItemRole.PERCEPTION, dimension))
    expectation = cell.sums.get((ItemRole.EXPECTATION, dimension))
    paired = cell.sums.get((GAP_ROLE, dimension))
    if (
        paired is not None
        and perception is not None
        and expectation is not None
        and paired[0] == perception[0] == expectation[0]
        and paired[0] >= 2
    ):
        n, total, total_sq = paired
        interval = stats.paired_difference(n=n, total=total, total_sq=total_sq, min_sd=MIN_SD)
        return _figure(interval, delta, PAIRED)
    return welch_gap(perception, expectation, delta)


def deltas_for(*, survey, contract_id: int) -> dict[str, float]:
    """δ per dimension for the contract: the gap analysis's own thresholds (one query)."""
    rows = list(
        GapThreshold.objects.filter(organisation_id=survey.organisation_id).filter(
            Q(contract_id=contract_id) | Q(contract__isnull=True)
        )
    )
    return {
        d: thresholds_for(
            rows=rows, contract_id=contract_id, dimension=d, survey_target=survey.target_for(d)
        ).delta
        for d in Dimension.values
    }


def contract_gaps(result, *, survey, baseline=None) -> None:
    """Fill `triangle_gaps`, `servqual_gaps` (baseline surveys) and `baseline_gaps` (a periodic
    survey's baseline, all groups of this contract) of one contract's results."""
    if result.total.hidden:
        return
    if survey.kind == SurveyKind.VERDICT:
        return
    deltas = deltas_for(survey=survey, contract_id=result.contract.pk)
    by_group = {cell.key[1]: cell for cell in result.groups}
    users = by_group.get(StakeholderGroup.END_USERS)
    if users is not None and not users.hidden:
        labels = {
            StakeholderGroup.BUSINESS: _("Business − end users"),
            StakeholderGroup.IT: _("IT organisation − end users"),
        }
        for group, label in labels.items():
            cell = by_group.get(group)
            if cell is None or cell.hidden:
                continue
            row = {
                d: welch_gap(
                    cell.sums.get((ItemRole.PERCEPTION, d)),
                    users.sums.get((ItemRole.PERCEPTION, d)),
                    deltas[d],
                )
                for d in Dimension.values
            }
            if any(row.values()):
                result.triangle_gaps.append((label, row))
    if survey.kind == SurveyKind.BASELINE:
        for cell in [*result.groups, result.total]:
            row = {d: servqual_gap(cell, d, deltas[d]) for d in Dimension.values}
            if any(row.values()):
                result.servqual_gaps.append((cell.label, row))
    if baseline is not None:
        before = next((c for c in baseline.contracts if c.contract.pk == result.contract.pk), None)
        if before is not None:
            row = {d: servqual_gap(before.total, d, deltas[d]) for d in Dimension.values}
            if any(row.values()):
                result.baseline_gaps = [(before.total.label, row)]
