"""The gap rule of REFERENCE.md §2, as pure functions (no database).

Per (contract, dimension, period) the supplier's *reported* state (SERVQUAL gap 3, what SLA
reports measure) is set beside the users' *perceived* state (gap 5, what a KTO measures):

1. SLA state from the service levels mapped to the dimension, each judged as the contract page
   judges it (its own target and breach threshold: met, near miss or missed): RED if any is
   missed, AMBER (counts as green) if none is missed but one is a near miss, or if one is met
   with a relative margin under the organisation's amber margin (0 by default: met is green),
   GREEN otherwise, NO_SLA if none is mapped or none has a figure.
2. Perception state from respondent-level scores, with error rates that are known because one
   month tests every cell of the organisation at once:
   - SUPPRESSED below k respondents, NO_TARGET without a target T;
   - per cell a one-sided t-test of "users are at or above T" (df = n − 1, the finite
     population correction where the KTO figures use it, the spread at least `MIN_SD`): p;
   - adaptive Benjamini–Hochberg over the month's *family* (every cell of the organisation's
     month with a target and at least k respondents) at `FDR_LEVEL`: the BH q-value times
     Storey's estimate of the family's share of cells on or above target (`null_share`), so a
     month in which most cells are fine does not pay for the few that are not: q;
   - BELOW when q ≤ 0.05 *and* the mean is at least δ under T; WATCH when the cell is below T
     on its own (p ≤ `WATCH_LEVEL`) or after the correction, but not BELOW; ABOVE when the whole
     95 % interval lies at or above T; INCONCLUSIVE otherwise.
   Boundaries are compared as decimals (`as_decimal`), so a mean of exactly T − δ is at least δ
   under T.
3. The flag from the two (table in REFERENCE.md), never a silent pass: missing data is
   INSUFFICIENT_DATA.
4. Drift: a Welch interval for the change of the mean since the previous period.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from kto.stats import benjamini_hochberg, fpc_factor, null_share, t_cdf, t_value

# The organisation's amber margin when it set none: a level met is green, even exactly at target.
DEFAULT_AMBER_MARGIN = 0.0
CONFIDENCE = 0.95
# The false discovery rate a month's BELOW cells are held to (Benjamini–Hochberg).
FDR_LEVEL = 0.05
# A cell at least this far below T on its own (one-sided p) is worth watching.
WATCH_LEVEL = 0.01
# Answers given in whole scale points carry at least the spread of that rounding, h/√12 for a
# step h = 1 (the grouping term of Sheppard's correction): the least spread a cell is judged
# with, so five identical answers never give a zero-width interval or certainty.
MIN_SD = 1 / math.sqrt(12)
# Computed figures are compared as decimals rounded to this step: far finer than any figure
# shown, far coarser than floating-point noise (3.8 − 0.1 = 3.6999999999999997 in floats).
RESOLUTION = Decimal("1e-9")


@lru_cache(maxsize=65536, typed=True)
def as_decimal(value) -> Decimal:
    """A float or Decimal as the decimal it stands for: T and δ exactly as entered (their
    shortest representation), a computed figure rounded to `RESOLUTION`. Remembered: a run
    compares the same targets, margins and means many times."""
    return Decimal(str(value)).quantize(RESOLUTION)


def decimal_below(value: float, bound: float) -> bool:
    """`as_decimal(value) < as_decimal(bound)`, decided in floats when the two lie too far
    apart for the rounding to matter (far more than `RESOLUTION` and the floats' own error),
    in decimals otherwise."""
    apart = float(value) - float(bound)
    if abs(apart) > 1e-6 * max(1.0, abs(float(value)), abs(float(bound))):
        return apart < 0
    return as_decimal(value) < as_decimal(bound)


class SlaState(TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber (near miss, or met narrowly)")
    RED = "red", _("Red")
    NO_SLA = "no_sla", _("No SLA figures")


class PerceptionState(TextChoices):
    BELOW = "below", _("Below target")
    ABOVE = "above", _("At or above target")
    WATCH = "watch", _("Below target, short of the evidence")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")
    SUPPRESSED = "suppressed", _("Too few respondents")
    NO_TARGET = "no_target", _("No target set")


class Flag(TextChoices):
    WATERMELON = "watermelon", _("Watermelon")
    WATCH = "watch", _("Watch")
    HIDDEN_SUCCESS = "hidden_success", _("Hidden success")
    BOTH_RED = "both_red", _("Both red")
    ALIGNED = "aligned", _("Aligned")
    INSUFFICIENT_DATA = "insufficient_data", _("Insufficient data")


class Drift(TextChoices):
    DETERIORATING = "deteriorating", _("Deteriorating")
    IMPROVING = "improving", _("Improving")
    STABLE = "stable", _("Stable")


# Flags that need a second consecutive period, with an independent sample, before they reach
# agendas and digests.
CONFIRMABLE = frozenset({Flag.WATERMELON, Flag.BOTH_RED})


# The contract's states of a measured value (contracts' Measurement.State values).
MET, NEAR_MISS, MISSED = "met", "near_miss", "missed"


@dataclass(frozen=True, slots=True)
class LevelFigure:
    """One service level mapped to the dimension, with the figure reported for the period.

    `state` is the contract's judgement of the figure ("met", "near_miss" or "missed", from
    its own target and breach threshold, as the contract page shows it); without one, a figure
    at or better than target is met and any other missed. `weight` is the level's weight in the
    dimension. `margin` is the signed relative margin: positive is better than target,
    negative worse (the difference itself for a target of 0)."""

    code: str
    target: float
    actual: float | None
    higher_is_better: bool
    state: str | None = None
    weight: float = 1.0
    margin: float | None = field(init=False)

    def __post_init__(self):
        margin = None
        if self.actual is not None:
            scale = abs(self.target) or 1.0
            sign = 1 if self.higher_is_better else -1
            margin = sign * (self.actual - self.target) / scale
            if self.state is None:
                object.__setattr__(self, "state", MET if margin >= 0 else MISSED)
        object.__setattr__(self, "margin", margin)


@dataclass(frozen=True)
class SlaAssessment:
    """`attainment` is the weighted share of the levels with a figure that were met:
    Σ weight of the met levels / Σ weight of the levels with a figure (None without one)."""

    state: SlaState
    min_margin: float | None
    missed: tuple[str, ...]
    without_figure: tuple[str, ...]
    near_misses: tuple[str, ...] = ()
    attainment: float | None = None


@dataclass(frozen=True)
class Perception:
    """Respondent-level scores for one cell: n respondents, mean, sd and the KTO's 95 %
    interval; `population` is N when the KTO figures use the finite population correction.
    The gap rule derives its own interval from n, mean, sd and N (`evidence`)."""

    n: int
    mean: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    sd: float | None = None
    population: int | None = None


@dataclass(frozen=True)
class Thresholds:
    """Per contract and dimension, with organisation defaults (not constants in code)."""

    target: float | None
    delta: float = 0.1
    k: int = 5


def assess_sla(
    levels: list[LevelFigure], amber_margin: float = DEFAULT_AMBER_MARGIN
) -> SlaAssessment:
    """RED if any level is missed; else AMBER if any is a near miss, or met with a relative
    margin under `amber_margin` (compared as decimals); else GREEN. The contract decides met,
    near miss and missed; only the amber margin is the gap analysis's own."""
    with_figure = [level for level in levels if level.actual is not None]
    without = tuple(level.code for level in levels if level.actual is None)
    if not with_figure:
        return SlaAssessment(SlaState.NO_SLA, None, (), without)
    missed = tuple(level.code for level in with_figure if level.state == MISSED)
    near = tuple(level.code for level in with_figure if level.state == NEAR_MISS)
    smallest = min(level.margin for level in with_figure)
    narrow = any(
        decimal_below(level.margin, amber_margin) for level in with_figure if level.state == MET
    )
    if missed:
        state = SlaState.RED
    elif near or narrow:
        state = SlaState.AMBER
    else:
        state = SlaState.GREEN
    total = sum(level.weight for level in with_figure)
    attainment = (
        sum(level.weight for level in with_figure if level.state == MET) / total if total else None
    )
    return SlaAssessment(state, smallest, missed, without, near, attainment)


@dataclass(frozen=True)
class Evidence:
    """What the figures of one cell say about its target.

    `sd` is the spread the cell is judged with (the sample's, at least `MIN_SD`), `se` the
    standard error of the mean (with the finite population correction where it applies), and
    `ci_low`–`ci_high` the 95 % t-interval mean ± t(n−1)·se: the interval the flag shows, the
    same the test uses (it lies wholly under T exactly when p < 0.025). `p_value` is the
    one-sided p of "users are at or above T" (None without a target or below k respondents);
    `q_value` its Benjamini–Hochberg adjusted value over the `family` cells of the month."""

    sd: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float | None = None
    q_value: float | None = None
    family: int = 0


def is_judged(perception, thresholds: Thresholds) -> bool:
    """Whether the cell takes part in the month's test: a mean of at least k (and two)
    respondents, against a target."""
    return (
        perception is not None
        and perception.mean is not None
        and perception.n >= max(thresholds.k, 2)
        and thresholds.target is not None
    )


def evidence(perception, thresholds: Thresholds) -> Evidence | None:
    """The interval of a cell of at least two respondents and, when it is judged, its one-sided
    p-value; its q-value comes from `judge_family`. A spread of None counts as zero."""
    if perception is None or perception.mean is None or perception.n < 2:
        return None
    n = perception.n
    sd = max(perception.sd or 0.0, MIN_SD)
    se = sd / math.sqrt(n) * fpc_factor(n, getattr(perception, "population", None))
    half = t_value(CONFIDENCE, n - 1) * se
    p_value = None
    if is_judged(perception, thresholds):
        p_value = t_cdf((perception.mean - float(thresholds.target)) / se, n - 1)
    return Evidence(
        sd=sd,
        se=se,
        ci_low=perception.mean - half,
        ci_high=perception.mean + half,
        p_value=p_value,
    )


def judge_family(cells: Sequence[Evidence | None]) -> list[Evidence | None]:
    """The month's cells with their q-values: adaptive Benjamini–Hochberg (each BH q-value
    times Storey's estimate of the share of true nulls, never below the cell's own p, capped
    at 1) over the cells with a p-value (the family), which all learn the family's size. Order
    is kept."""
    tested = [index for index, cell in enumerate(cells) if cell and cell.p_value is not None]
    p_values = [cells[index].p_value for index in tested]
    share = null_share(p_values)
    # Never below the cell's own p: in a small month of mostly clear shortfalls π0 is small,
    # and a cell no rarer than chance on its own must not borrow their evidence.
    adjusted = [
        min(1.0, max(p_value, share * q_value))
        for p_value, q_value in zip(p_values, benjamini_hochberg(p_values), strict=True)
    ]
    found = list(cells)
    for index, q_value in zip(tested, adjusted, strict=True):
        found[index] = replace(cells[index], q_value=q_value, family=len(tested))
    return found


def assess_perception(
    perception, thresholds: Thresholds, judged_evidence: Evidence | None = None
) -> PerceptionState:
    """The perception state of one cell from its evidence *after* `judge_family` over its
    month. Without evidence the cell is judged alone, as a family of one (q = p)."""
    if perception is None or perception.mean is None or perception.n < max(thresholds.k, 2):
        return PerceptionState.SUPPRESSED
    if thresholds.target is None:
        return PerceptionState.NO_TARGET
    found = judged_evidence or evidence(perception, thresholds)
    if found.q_value is None:
        found = judge_family([found])[0]
    target = as_decimal(thresholds.target)
    significant = found.q_value <= FDR_LEVEL
    if significant and as_decimal(perception.mean) <= target - as_decimal(thresholds.delta):
        return PerceptionState.BELOW
    if significant or found.p_value <= WATCH_LEVEL:
        return PerceptionState.WATCH
    if as_decimal(found.ci_low) >= target:
        return PerceptionState.ABOVE
    return PerceptionState.INCONCLUSIVE


def classify(sla: SlaState, perceived: PerceptionState) -> Flag:
    if sla == SlaState.NO_SLA or perceived in (
        PerceptionState.SUPPRESSED,
        PerceptionState.NO_TARGET,
    ):
        return Flag.INSUFFICIENT_DATA
    if sla in (SlaState.GREEN, SlaState.AMBER):
        if perceived == PerceptionState.BELOW:
            return Flag.WATERMELON
        if perceived == PerceptionState.WATCH:
            return Flag.WATCH
    if sla == SlaState.RED:
        if perceived == PerceptionState.ABOVE:
            return Flag.HIDDEN_SUCCESS
        if perceived == PerceptionState.BELOW:
            return Flag.BOTH_RED
    return Flag.ALIGNED


def welch_interval(
    previous: Perception, current: Perception, confidence: float = 0.95
) -> tuple[float, float, float] | None:
    """(difference, low, high) of mean(current) − mean(previous), Welch–Satterthwaite df; each
    spread counts as at least `MIN_SD`, as in `evidence`."""
    if (
        previous.n < 2
        or current.n < 2
        or previous.sd is None
        or current.sd is None
        or previous.mean is None
        or current.mean is None
    ):
        return None
    v0 = max(previous.sd, MIN_SD) ** 2 / previous.n
    v1 = max(current.sd, MIN_SD) ** 2 / current.n
    difference = current.mean - previous.mean
    se = math.sqrt(v0 + v1)
    df = (v0 + v1) ** 2 / (v0**2 / (previous.n - 1) + v1**2 / (current.n - 1))
    half = t_value(confidence, df) * se
    return difference, difference - half, difference + half


def assess_drift(
    previous: Perception | None, current: Perception | None, thresholds: Thresholds
) -> Drift | None:
    """DETERIORATING when the whole interval is below 0 and the drop is at least δ."""
    if previous is None or current is None:
        return None
    if previous.n < thresholds.k or current.n < thresholds.k:
        return None
    interval = welch_interval(previous, current)
    if interval is None:
        return None
    difference, low, high = interval
    if high < 0 and difference <= -thresholds.delta:
        return Drift.DETERIORATING
    if low > 0 and difference >= thresholds.delta:
        return Drift.IMPROVING
    return Drift.STABLE


def wave_ids(waves) -> set:
    """The survey ids of a flag's waves (dicts with "survey")."""
    return {wave["survey"] for wave in waves or ()}


def is_confirmed(flag: Flag, previous_flag: Flag | None, waves=(), previous_waves=()) -> bool:
    """A watermelon or both-red counts once the previous month holds the same flag on an
    independent sample: both months rest on survey waves, and no wave of this month is one of
    the previous month's (a quarterly survey that covers both never confirms itself)."""
    if flag not in CONFIRMABLE or previous_flag != flag:
        return False
    ours, theirs = wave_ids(waves), wave_ids(previous_waves)
    return bool(ours) and bool(theirs) and not ours & theirs
