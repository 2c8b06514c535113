"""kto.stats against published values (REFERENCE.md §1) and scipy."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from kto import stats

# Krejcie & Morgan (1970), Table 1: 95 %, ±5 %.
KREJCIE_MORGAN = {50: 44, 100: 80, 200: 132, 1000: 278, 5000: 357, 10000: 370, 1000000: 384}


@pytest.mark.parametrize(("population", "published"), sorted(KREJCIE_MORGAN.items()))
def test_krejcie_morgan_table_reproduced_with_nearest_rounding(population, published):
    assert stats.krejcie_morgan(population) == published


@pytest.mark.parametrize(("population", "published"), sorted(KREJCIE_MORGAN.items()))
def test_cochran_with_fpc_rounded_to_nearest_matches_the_table(population, published):
    exact = stats.sample_size_proportion_exact(margin=0.05, population=population)
    assert math.floor(exact + 0.5) == published


def test_planner_rounds_up_where_the_table_rounds_to_nearest():
    assert stats.sample_size_proportion(margin=0.05, population=50) == 45
    assert stats.sample_size_proportion(margin=0.05, population=1000) == 278
    assert stats.sample_size_proportion(margin=0.05) == 385


def test_mean_item_sample_size_for_quarter_point_margin():
    assert stats.sample_size_mean(margin=0.25, sd=1.0) == 62
    assert stats.sample_size_mean(margin=0.25, sd=1.0, population=100) == 39


def test_invitations_needed_rounds_up():
    assert stats.invitations_needed(62, 0.3) == 207
    assert stats.invitations_needed(60, 0.3) == 200


def test_mean_interval_agrees_with_scipy():
    rng = np.random.default_rng(7)
    sample = rng.integers(1, 6, size=40).astype(float)
    interval = stats.mean_interval(
        n=len(sample), total=float(sample.sum()), total_sq=float((sample**2).sum())
    )
    expected = scipy_stats.ttest_1samp(sample, 0).confidence_interval(0.95)
    assert interval.low == pytest.approx(expected.low, abs=1e-9)
    assert interval.high == pytest.approx(expected.high, abs=1e-9)
    assert interval.sd == pytest.approx(sample.std(ddof=1), abs=1e-12)


def test_mean_interval_applies_fpc_above_five_percent_only():
    sums = {"n": 50, "total": 175.0, "total_sq": 175.0**2 / 50 + 49.0}  # mean 3.5, sd 1
    free = stats.mean_interval(**sums)
    small_share = stats.mean_interval(**sums, population=1001)  # 5.0 %: no correction
    corrected = stats.mean_interval(**sums, population=200)
    assert small_share.half_width == pytest.approx(free.half_width)
    factor = math.sqrt((200 - 50) / (200 - 1))
    assert corrected.half_width == pytest.approx(free.half_width * factor)
    assert free.half_width == pytest.approx(scipy_stats.t.ppf(0.975, 49) / math.sqrt(50))


def test_mean_interval_of_one_respondent_is_unbounded():
    interval = stats.mean_interval(n=1, total=4.0, total_sq=16.0)
    assert (interval.mean, interval.low, interval.high) == (4.0, -math.inf, math.inf)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe(successes, n, low, high):
    result = stats.wilson_interval(successes, n)
    assert (round(result[0], 4), round(result[1], 4)) == (low, high)


def test_happiness_score():
    counts = [0, 0, 1, 1, 2, 3, 3, 5, 5, 6, 4]  # 30 answers: 10 of 9–10, 10 of 0–6
    assert stats.happiness_score(counts) == 0.0
    assert stats.happiness_score([0] * 9 + [1, 1]) == 100.0
    assert stats.happiness_score([1] + [0] * 10) == -100.0
    assert stats.happiness_score([0] * 11) is None


def test_answers_to_detect_shortfall_matches_one_sample_t_power():
    # One-sample t-test, two-sided α = 0.05, power 0.80: d = 0.5 → 34, d = 0.25 → 128 (the
    # standard G*Power figures).
    assert stats.answers_to_detect_shortfall(shortfall=0.5) == 34
    assert stats.answers_to_detect_shortfall(shortfall=0.25) == 128


def test_answers_to_detect_shortfall_is_the_smallest_sufficient_n():
    n = stats.answers_to_detect_shortfall(shortfall=0.1)
    assert stats.power_to_detect_shortfall(n, shortfall=0.1) >= 0.8
    assert stats.power_to_detect_shortfall(n - 1, shortfall=0.1) < 0.8
    assert n > 5 * 100  # k = 5 is far too small to judge a shortfall of 0.1
