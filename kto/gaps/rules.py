"""The gap rule of REFERENCE.md §2, as pure functions (no database).

Per (contract, dimension, period) the supplier's *reported* state (SERVQUAL gap 3, what SLA
reports measure) is set beside the users' *perceived* state (gap 5, what a KTO measures):

1. SLA state from the service levels mapped to the dimension: RED if any is missed, AMBER
   (counts as green) if all are met but the smallest margin is under 2 %, GREEN otherwise,
   NO_SLA if none is mapped or none has a figure.
2. Perception state from respondent-level scores: SUPPRESSED below k respondents; BELOW when
   the whole 95 % interval lies under the target T *and* the mean is at least δ under it;
   ABOVE when the interval lies at or above T; INCONCLUSIVE otherwise.
3. The flag from the two (table in REFERENCE.md), never a silent pass: missing data is
   INSUFFICIENT_DATA.
4. Drift: a Welch interval for the change of the mean since the previous period.
"""

import math
from dataclasses import dataclass, field

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from kto.stats import t_value

AMBER_MARGIN = 0.02


class SlaState(TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber (met, narrowly)")
    RED = "red", _("Red")
    NO_SLA = "no_sla", _("No SLA figures")


class PerceptionState(TextChoices):
    BELOW = "below", _("Below target")
    ABOVE = "above", _("At or above target")
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


# Flags that need a second consecutive period before they reach agendas and digests.
CONFIRMABLE = frozenset({Flag.WATERMELON, Flag.BOTH_RED})


@dataclass(frozen=True, slots=True)
class LevelFigure:
    """One service level mapped to the dimension, with the figure reported for the period.

    `margin` is the signed relative margin: positive is better than target, negative a miss."""

    code: str
    target: float
    actual: float | None
    higher_is_better: bool
    margin: float | None = field(init=False)

    def __post_init__(self):
        margin = None
        if self.actual is not None:
            scale = abs(self.target) or 1.0
            sign = 1 if self.higher_is_better else -1
            margin = sign * (self.actual - self.target) / scale
        object.__setattr__(self, "margin", margin)


@dataclass(frozen=True)
class SlaAssessment:
    state: SlaState
    min_margin: float | None
    missed: tuple[str, ...]
    without_figure: tuple[str, ...]


@dataclass(frozen=True)
class Perception:
    """Respondent-level scores for one cell: n respondents, mean, sd and 95 % interval."""

    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    sd: float | None = None


@dataclass(frozen=True)
class Thresholds:
    """Per contract and dimension, with organisation defaults (not constants in code)."""

    target: float | None
    delta: float = 0.1
    k: int = 5


def assess_sla(levels: list[LevelFigure]) -> SlaAssessment:
    with_figure = [level for level in levels if level.actual is not None]
    without = tuple(level.code for level in levels if level.actual is None)
    if not with_figure:
        return SlaAssessment(SlaState.NO_SLA, None, (), without)
    missed = tuple(level.code for level in with_figure if level.margin < 0)
    smallest = min(level.margin for level in with_figure)
    if missed:
        state = SlaState.RED
    elif smallest < AMBER_MARGIN:
        state = SlaState.AMBER
    else:
        state = SlaState.GREEN
    return SlaAssessment(state, smallest, missed, without)


def assess_perception(perception: Perception | None, thresholds: Thresholds) -> PerceptionState:
    if perception is None or perception.n < thresholds.k or perception.mean is None:
        return PerceptionState.SUPPRESSED
    if thresholds.target is None:
        return PerceptionState.NO_TARGET
    target = thresholds.target
    if perception.ci_high < target and perception.mean <= target - thresholds.delta:
        return PerceptionState.BELOW
    if perception.ci_low >= target:
        return PerceptionState.ABOVE
    return PerceptionState.INCONCLUSIVE


def classify(
    sla: SlaState, perceived: PerceptionState, mean: float | None, target: float | None
) -> Flag:
    if sla == SlaState.NO_SLA or perceived in (
        PerceptionState.SUPPRESSED,
        PerceptionState.NO_TARGET,
    ):
        return Flag.INSUFFICIENT_DATA
    if sla in (SlaState.GREEN, SlaState.AMBER):
        if perceived == PerceptionState.BELOW:
            return Flag.WATERMELON
        if perceived == PerceptionState.INCONCLUSIVE and mean < target:
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
    """(difference, low, high) of mean(current) − mean(previous), Welch–Satterthwaite df."""
    if (
        previous.n < 2
        or current.n < 2
        or previous.sd is None
        or current.sd is None
        or previous.mean is None
        or current.mean is None
    ):
        return None
    v0, v1 = previous.sd**2 / previous.n, current.sd**2 / current.n
    difference = current.mean - previous.mean
    se = math.sqrt(v0 + v1)
    if se == 0:
        return difference, difference, difference
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


def is_confirmed(flag: Flag, previous_flag: Flag | None) -> bool:
    """A watermelon or both-red counts once it holds in two consecutive periods."""
    return flag in CONFIRMABLE and previous_flag == flag
