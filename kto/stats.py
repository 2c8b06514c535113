"""Survey statistics (REFERENCE.md §1): sample sizes, intervals and scores.

Plain functions on numbers, no Django: the planner, the results pages and the gap analysis all
call these, and tests pin them to published values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

from scipy import special as _special
from scipy import stats as _scipy_stats

# Rounding guard: 278.000000001 must not become 279 because of floating point noise.
_EPSILON = 1e-9


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile for `confidence` (0.95 → 1.95996…)."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie between 0 and 1")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


@lru_cache(maxsize=4096)
def t_value(confidence: float, df: float) -> float:
    """Two-sided Student t quantile with `df` degrees of freedom (equal to scipy's t.ppf;
    `stdtrit` skips the distribution machinery the gap analysis would call thousands of
    times)."""
    if df < 1:
        raise ValueError("at least one degree of freedom is needed")
    return float(_special.stdtrit(df, 0.5 + confidence / 2))


def t_cdf(value: float, df: float) -> float:
    """P(T ≤ value) for Student's t with `df` degrees of freedom (a one-sided p-value)."""
    if df < 1:
        raise ValueError("at least one degree of freedom is needed")
    return float(_special.stdtr(df, value))


def benjamini_hochberg(p_values: list[float] | tuple[float, ...]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values ("q-values"), in the order given.

    With m p-values sorted p(1) ≤ … ≤ p(m), q(i) = min over j ≥ i of m·p(j)/j, capped at 1.
    The step-up procedure at level q (reject the hypotheses of the i smallest p-values, i the
    largest with p(i) ≤ i·q/m) rejects exactly those whose q-value is at most q; it keeps the
    expected share of false rejections among all rejections at or under q for independent
    tests (Benjamini & Hochberg 1995, J. R. Stat. Soc. B 57:289–300)."""
    m = len(p_values)
    if any(not 0 <= p <= 1 for p in p_values):
        raise ValueError("p-values lie between 0 and 1")
    order = sorted(range(m), key=lambda index: p_values[index])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, m * p_values[index] / rank)
        adjusted[index] = running
    return adjusted


def null_share(p_values: list[float] | tuple[float, ...], threshold: float = 0.5) -> float:
    """Storey's estimate of the share of true null hypotheses among m p-values,
    π0 = (1 + #{p ≥ λ}) / (m·(1 − λ)), capped at 1, at λ = `threshold` (0.5).

    Under a null a p-value is uniform, so about m0·(1 − λ) of the m0 nulls lie above λ and few
    of the real effects do (a cell exactly on target, p = ½, counts as a null: ≥ rather than
    Storey's >, the cautious side); the + 1 keeps the adaptive step-up procedure's false
    discovery rate at or under its level in finite samples (Storey, Taylor & Siegmund 2004,
    J. R. Stat. Soc. B 66:187–205, Theorem 3)."""
    if not p_values:
        return 1.0
    above = sum(1 for p in p_values if p >= threshold)
    return min(1.0, (1 + above) / (len(p_values) * (1 - threshold)))


def finite_population_correction(n0: float, population: int | None) -> float:
    """Cochran's correction n = n0 / (1 + (n0 − 1)/N); unchanged when N is unknown."""
    if population is None:
        return n0
    if population < 1:
        raise ValueError("population must be at least 1")
    return n0 / (1 + (n0 - 1) / population)


def sample_size_proportion_exact(
    *, margin: float, confidence: float = 0.95, population: int | None = None, p: float = 0.5
) -> float:
    """Unrounded respondents needed to estimate a proportion within ±margin (Cochran 1977)."""
    if not 0 < margin < 1:
        raise ValueError("margin must lie between 0 and 1")
    z = z_value(confidence)
    n0 = z * z * p * (1 - p) / (margin * margin)
    return finite_population_correction(n0, population)


def krejcie_morgan(population: int, *, chi_square: float = 3.841, margin: float = 0.05) -> int:
    """Krejcie & Morgan (1970), Table 1: the same formula with χ²(1, 0.95) = 3.841, p = 0.5,
    rounded to the *nearest* integer as they published it. Only for reproducing the table."""
    p = 0.5
    n = (
        chi_square
        * population
        * p
        * (1 - p)
        / (margin * margin * (population - 1) + chi_square * p * (1 - p))
    )
    return math.floor(n + 0.5)


def ceil_count(value: float) -> int:
    """Round a required count up, ignoring floating point noise just above an integer."""
    return math.ceil(value - _EPSILON)


def sample_size_proportion(
    *, margin: float, confidence: float = 0.95, population: int | None = None, p: float = 0.5
) -> int:
    """The planner's answer for a proportion: rounded up, never promising less precision."""
    n = sample_size_proportion_exact(
        margin=margin, confidence=confidence, population=population, p=p
    )
    return min(ceil_count(n), population) if population else ceil_count(n)


def sample_size_mean(
    *, margin: float, sd: float = 1.0, confidence: float = 0.95, population: int | None = None
) -> int:
    """Respondents needed for a scale mean within ±margin: n0 = (z·σ/e)², then FPC, rounded up."""
    if margin <= 0 or sd <= 0:
        raise ValueError("margin and standard deviation must be positive")
    z = z_value(confidence)
    n = finite_population_correction((z * sd / margin) ** 2, population)
    return min(ceil_count(n), population) if population else ceil_count(n)


def invitations_needed(answers: int, response_rate: float) -> int:
    """⌈answers / expected response rate⌉."""
    if not 0 < response_rate <= 1:
        raise ValueError("response rate must lie in (0, 1]")
    return ceil_count(answers / response_rate)


def fpc_factor(n: int, population: int | None) -> float:
    """√((N−n)/(N−1)) when the sample is more than 5 % of a known population, else 1."""
    if population is None or population <= 1 or n / population <= 0.05:
        return 1.0
    return math.sqrt(max(population - n, 0) / (population - 1))


@dataclass(frozen=True)
class MeanInterval:
    n: int
    mean: float
    sd: float
    low: float
    high: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def mean_sd_from_sums(n: int, total: float, total_sq: float) -> tuple[float, float]:
    """Mean and sample standard deviation from additive sums (n, Σx, Σx²)."""
    if n < 1:
        raise ValueError("no observations")
    mean = total / n
    if n == 1:
        return mean, 0.0
    variance = max(total_sq - n * mean * mean, 0.0) / (n - 1)
    return mean, math.sqrt(variance)


def mean_interval(
    *,
    n: int,
    total: float,
    total_sq: float,
    confidence: float = 0.95,
    population: int | None = None,
) -> MeanInterval:
    """t-interval mean ± t(n−1)·s/√n, with the FPC when n/N > 5 % and N is known.

    One respondent gives no interval: low and high are then −∞ and +∞."""
    mean, sd = mean_sd_from_sums(n, total, total_sq)
    if n < 2:
        return MeanInterval(n=n, mean=mean, sd=sd, low=-math.inf, high=math.inf)
    half = t_value(confidence, n - 1) * sd / math.sqrt(n) * fpc_factor(n, population)
    return MeanInterval(n=n, mean=mean, sd=sd, low=mean - half, high=mean + half)


def wilson_interval(successes: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (Newcombe 1998, method 3)."""
    if n < 1 or not 0 <= successes <= n:
        raise ValueError("need 0 ≤ successes ≤ n and n ≥ 1")
    z = z_value(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else centre - half
    high = 1.0 if successes == n else centre + half
    return low, high


def happiness_score(counts: list[int] | tuple[int, ...]) -> float | None:
    """On a 0–10 scale (counts[i] answers of value i): % of 9–10 minus % of 0–6."""
    if len(counts) != 11:
        raise ValueError("a 0–10 scale has eleven counts")
    total = sum(counts)
    if total == 0:
        return None
    return 100 * (counts[9] + counts[10] - sum(counts[:7])) / total


def power_to_detect_shortfall(
    n: int, *, shortfall: float, sd: float = 1.0, confidence: float = 0.95
) -> float:
    """Probability that a cell of n respondents whose true mean lies `shortfall` below the
    target yields a CI entirely below the target (one-sample t, noncentral t)."""
    if n < 2:
        return 0.0
    df = n - 1
    critical = t_value(confidence, df)
    noncentrality = shortfall * math.sqrt(n) / sd
    return float(_scipy_stats.nct.sf(critical, df, noncentrality))


def answers_to_detect_shortfall(
    *, shortfall: float, sd: float = 1.0, confidence: float = 0.95, power: float = 0.8
) -> int:
    """Fewest respondents a reported cell needs so that a true mean `shortfall` below target is
    flagged (CI high < T) with the given power. k = 5 only decides what may be shown."""
    if shortfall <= 0 or sd <= 0 or not 0 < power < 1:
        raise ValueError("shortfall and sd must be positive, power in (0, 1)")
    z = z_value(confidence)
    approx = ceil_count(((z + NormalDist().inv_cdf(power)) * sd / shortfall) ** 2)
    n = max(2, approx - 2)
    while power_to_detect_shortfall(n, shortfall=shortfall, sd=sd, confidence=confidence) < power:
        n += 1
    return n


@dataclass(frozen=True)
class DifferenceInterval:
    """A difference of means with its two-sided interval and degrees of freedom."""

    difference: float
    low: float
    high: float
    df: float


def welch_difference(
    *,
    n1: int,
    mean1: float,
    sd1: float,
    n2: int,
    mean2: float,
    sd2: float,
    confidence: float = 0.95,
) -> DifferenceInterval:
    """mean1 − mean2 of two independent samples: ± t(ν)·√(s1²/n1 + s2²/n2), with the
    Welch–Satterthwaite ν = (v1 + v2)² / (v1²/(n1−1) + v2²/(n2−1)), vi = si²/ni (Welch 1947)."""
    if n1 < 2 or n2 < 2:
        raise ValueError("each sample needs at least two observations")
    v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
    if v1 + v2 == 0:
        raise ValueError("both samples have zero spread")
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    half = t_value(confidence, df) * math.sqrt(v1 + v2)
    difference = mean1 - mean2
    return DifferenceInterval(difference, difference - half, difference + half, df)


def paired_difference(
    *, n: int, total: float, total_sq: float, min_sd: float = 0.0, confidence: float = 0.95
) -> DifferenceInterval:
    """Mean of n paired differences d (given as n, Σd, Σd²) ± t(n−1)·s_d/√n, the spread at
    least `min_sd`."""
    if n < 2:
        raise ValueError("at least two pairs are needed")
    mean, sd = mean_sd_from_sums(n, total, total_sq)
    half = t_value(confidence, n - 1) * max(sd, min_sd) / math.sqrt(n)
    return DifferenceInterval(mean, mean - half, mean + half, n - 1)
