"""The gap rule of REFERENCE.md §2: every row of the flag table, the worked cases, the
boundaries, the family correction, its chance rate, drift and confirmation."""

import math
from decimal import Decimal

import numpy as np
import pytest

from kto.gaps.rules import (
    MIN_SD,
    Drift,
    Evidence,
    Flag,
    LevelFigure,
    Perception,
    PerceptionState,
    SlaState,
    Thresholds,
    assess_drift,
    assess_perception,
    assess_sla,
    classify,
    evidence,
    is_confirmed,
    judge_family,
    welch_interval,
)
from kto.stats import benjamini_hochberg, mean_sd_from_sums, null_share, t_value

T = Thresholds(target=3.5)
GREEN = [LevelFigure("SD-01", target=90, actual=95, higher_is_better=True)]
RED = [
    LevelFigure("SD-01", target=90, actual=95, higher_is_better=True),
    LevelFigure("INC-01", target=8, actual=9.5, higher_is_better=False),
]


def flag_for(levels, perception, thresholds=T):
    """The flag of a cell judged alone (a month of one cell: q = p)."""
    sla = assess_sla(levels).state
    return classify(sla, assess_perception(perception, thresholds))


def month_flags(cells, levels=GREEN):
    """The flags of one month's cells [(perception, thresholds)], judged together."""
    judged = judge_family([evidence(p, t) for p, t in cells])
    sla = assess_sla(levels).state
    return [
        classify(sla, assess_perception(p, t, found))
        for (p, t), found in zip(cells, judged, strict=True)
    ]


def test_sla_states_from_margins():
    assert assess_sla(GREEN).state == SlaState.GREEN
    # Met is green by default, narrowly or exactly; amber only under a configured margin.
    assert assess_sla([LevelFigure("A", 90, 91, True)]).state == SlaState.GREEN  # 1.1 % margin
    assert assess_sla([LevelFigure("A", 90, 90, True)]).state == SlaState.GREEN  # exactly met
    assert assess_sla([LevelFigure("A", 90, 91, True)], 0.02).state == SlaState.AMBER
    assert assess_sla(RED).state == SlaState.RED
    assert assess_sla(RED).missed == ("INC-01",)
    assert assess_sla([]).state == SlaState.NO_SLA
    assert assess_sla([LevelFigure("A", 90, None, True)]).state == SlaState.NO_SLA


def test_margin_is_signed_by_direction():
    assert LevelFigure("A", 90, 99, True).margin == pytest.approx(0.1)
    assert LevelFigure("B", 8, 6, False).margin == pytest.approx(0.25)
    assert LevelFigure("B", 8, 10, False).margin == pytest.approx(-0.25)


def test_worked_case_watermelon():
    perception = Perception(n=60, mean=2.95, sd=0.89)
    found = evidence(perception, T)
    assert (round(found.ci_low, 2), round(found.ci_high, 2)) == (2.72, 3.18)
    assert flag_for(GREEN, perception) == Flag.WATERMELON


def test_worked_case_hidden_success():
    perception = Perception(n=60, mean=4.22, sd=0.67)
    found = evidence(perception, T)
    # The published interval [4.05, 4.40] is not quite symmetric: within 0.01.
    assert (found.ci_low, found.ci_high) == pytest.approx((4.05, 4.40), abs=0.01)
    assert flag_for(RED, perception) == Flag.HIDDEN_SUCCESS


def test_worked_case_too_few_respondents():
    perception = Perception(n=4, mean=1.5, sd=0.6)
    assert flag_for(GREEN, perception) == Flag.INSUFFICIENT_DATA


# The spreads give the intervals of the worked cases: 2.95 [2.72, 3.18] and so on.
BELOW = Perception(n=60, mean=2.95, sd=0.89)
ABOVE = Perception(n=60, mean=4.22, sd=0.67)
INCONCLUSIVE_LOW = Perception(n=20, mean=3.3, sd=0.855)  # [2.90, 3.70], p = 0.15
INCONCLUSIVE_HIGH = Perception(n=20, mean=3.6, sd=0.855)  # [3.20, 4.00]
# Beyond chance (p = 0.015), but the mean within δ: not practically below.
WITHIN_DELTA = Perception(n=400, mean=3.45, sd=0.458)
AMBER = [LevelFigure("A", 90, 89.5, True, state="near_miss")]


@pytest.mark.parametrize(
    ("levels", "perception", "expected"),
    [
        (GREEN, BELOW, Flag.WATERMELON),
        (AMBER, BELOW, Flag.WATERMELON),
        # Leaning below target by chance is no longer worth a watch (p = 0.15).
        (GREEN, INCONCLUSIVE_LOW, Flag.ALIGNED),
        (AMBER, INCONCLUSIVE_LOW, Flag.ALIGNED),
        (AMBER, WITHIN_DELTA, Flag.WATCH),
        (RED, ABOVE, Flag.HIDDEN_SUCCESS),
        (RED, BELOW, Flag.BOTH_RED),
        ([], BELOW, Flag.INSUFFICIENT_DATA),
        ([], ABOVE, Flag.INSUFFICIENT_DATA),
        (GREEN, Perception(n=4, mean=4.9, sd=0.3), Flag.INSUFFICIENT_DATA),
        (RED, Perception(n=0, mean=None), Flag.INSUFFICIENT_DATA),
        (GREEN, None, Flag.INSUFFICIENT_DATA),
        (GREEN, ABOVE, Flag.ALIGNED),
        (GREEN, INCONCLUSIVE_HIGH, Flag.ALIGNED),
        (GREEN, WITHIN_DELTA, Flag.WATCH),
        (RED, INCONCLUSIVE_LOW, Flag.ALIGNED),
        (RED, INCONCLUSIVE_HIGH, Flag.ALIGNED),
        (RED, WITHIN_DELTA, Flag.ALIGNED),
    ],
)
def test_flag_table(levels, perception, expected):
    assert flag_for(levels, perception) == expected


def test_no_target_is_insufficient_data_never_a_pass():
    assert assess_perception(ABOVE, Thresholds(target=None)) == PerceptionState.NO_TARGET
    assert flag_for(GREEN, ABOVE, Thresholds(target=None)) == Flag.INSUFFICIENT_DATA


def test_thresholds_per_contract_override_defaults():
    # With δ = 0.5 the watermelon's 0.55 shortfall still counts; with δ = 0.6 it does not.
    assert flag_for(GREEN, BELOW, Thresholds(target=3.5, delta=0.5)) == Flag.WATERMELON
    assert flag_for(GREEN, BELOW, Thresholds(target=3.5, delta=0.6)) == Flag.WATCH
    # A larger k hides a cell of 60 respondents.
    assert flag_for(GREEN, BELOW, Thresholds(target=3.5, k=100)) == Flag.INSUFFICIENT_DATA
    # A lower target turns the same scores into an aligned cell.
    assert flag_for(GREEN, BELOW, Thresholds(target=2.5)) == Flag.ALIGNED


# --- boundaries ------------------------------------------------------------------------------

T38 = Thresholds(target=3.8, delta=0.1)


def test_a_mean_of_exactly_t_minus_delta_is_at_least_delta_under():
    assert 3.8 - 0.1 != 3.7  # 3.6999999999999997 in floating point
    # 200 respondents whose scores add up to 740: a mean of exactly 3.70 (sd 0.4).
    mean, sd = mean_sd_from_sums(200, 740.0, 740.0**2 / 200 + 199 * 0.16)
    exactly = Perception(n=200, mean=mean, sd=sd)
    assert mean == 3.7 and evidence(exactly, T38).p_value < 0.001
    assert flag_for(GREEN, exactly, T38) == Flag.WATERMELON
    # T and δ as the database holds them (decimals) give the same answer.
    as_stored = Thresholds(target=Decimal("3.80"), delta=Decimal("0.10"))
    assert flag_for(GREEN, exactly, as_stored) == Flag.WATERMELON
    # A hair above T − δ is beyond chance but within the margin: only worth watching.
    above = Perception(n=200, mean=3.7000001, sd=sd)
    assert flag_for(GREEN, above, T38) == Flag.WATCH


def test_an_interval_starting_exactly_at_t_is_at_or_above():
    n, mean = 40, 4.2
    # The spread that puts the lower end of the 95 % interval on T = 3.8 itself.
    sd = (mean - 3.8) * math.sqrt(n) / t_value(0.95, n - 1)
    perception = Perception(n=n, mean=mean, sd=sd)
    assert evidence(perception, T38).ci_low == pytest.approx(3.8, abs=1e-12)
    assert assess_perception(perception, T38) == PerceptionState.ABOVE
    assert flag_for(RED, perception, T38) == Flag.HIDDEN_SUCCESS
    wider = Perception(n=n, mean=mean, sd=sd * 1.0001)
    assert flag_for(RED, wider, T38) == Flag.ALIGNED


@pytest.mark.parametrize(("k", "n", "expected"), [(5, 4, False), (5, 5, True), (10, 9, False)])
def test_k_minus_one_respondents_are_too_few_k_are_enough(k, n, expected):
    thresholds = Thresholds(target=3.5, k=k)
    perception = Perception(n=n, mean=2.0, sd=0.5)
    judged = assess_perception(perception, thresholds)
    assert judged == (PerceptionState.BELOW if expected else PerceptionState.SUPPRESSED)
    assert (evidence(perception, thresholds).p_value is not None) is expected
    assert flag_for(GREEN, perception, thresholds) == (
        Flag.WATERMELON if expected else Flag.INSUFFICIENT_DATA
    )


def test_zero_spread_is_judged_with_the_least_spread_never_with_certainty():
    # Five identical answers of 3: sample sd 0, judged with sd = 1/√12 (0.29).
    mean, sd = mean_sd_from_sums(5, 15.0, 45.0)
    assert (mean, sd) == (3.0, 0.0)
    identical = Perception(n=5, mean=mean, sd=sd)
    found = evidence(identical, T38)
    assert found.sd == MIN_SD == pytest.approx(0.2887, abs=1e-4)
    # 3.0 ± t(0.975, 4) · 0.2887 / √5 = 3.0 ± 0.358
    assert (found.ci_low, found.ci_high) == (
        pytest.approx(2.642, abs=1e-3),
        pytest.approx(3.358, abs=1e-3),
    )
    assert found.p_value == pytest.approx(0.0017, abs=1e-4)
    assert found.p_value == evidence(Perception(n=5, mean=3.0, sd=MIN_SD), T38).p_value
    # Alone it is a watermelon; among 49 unremarkable cells it does not survive the
    # correction (q = 50 × 0.0017 > 0.05) and is only worth watching.
    assert flag_for(GREEN, identical, T38) == Flag.WATERMELON
    ordinary = (Perception(n=30, mean=3.8, sd=0.8), T38)
    assert month_flags([(identical, T38)] + [ordinary] * 49)[0] == Flag.WATCH
    # A spread above the floor is used as it is.
    assert evidence(Perception(n=5, mean=3.0, sd=0.6), T38).sd == 0.6


def test_the_interval_shown_agrees_with_the_test():
    for perception in (BELOW, INCONCLUSIVE_LOW, WITHIN_DELTA, Perception(n=8, mean=3.1, sd=0)):
        found = evidence(perception, T)
        assert (found.ci_high < 3.5) == (found.p_value < 0.025)


def test_zero_spread_gives_drift_a_real_interval_too():
    before = Perception(n=5, mean=4.0, sd=0.0)
    after = Perception(n=5, mean=3.8, sd=0.0)
    difference, low, high = welch_interval(before, after)
    assert difference == pytest.approx(-0.2) and low < -0.2 < high
    # ±t(df = 8) · √(2 · 0.2887² / 5) = ±2.306 · 0.1826
    assert high - low == pytest.approx(2 * 2.306 * 0.1826, abs=1e-3)
    assert assess_drift(before, after, T) == Drift.STABLE


def test_a_month_without_sla_figures_is_insufficient_data_but_still_judged():
    cells = [(BELOW, T), (ABOVE, T), (INCONCLUSIVE_LOW, T)]
    assert month_flags(cells, levels=[]) == [Flag.INSUFFICIENT_DATA] * 3
    assert (
        month_flags(cells, levels=[LevelFigure("A", 90, None, True)])
        == [Flag.INSUFFICIENT_DATA] * 3
    )
    judged = judge_family([evidence(p, t) for p, t in cells])
    # The perception side is still tested and counted in the month's family.
    assert [found.family for found in judged] == [3, 3, 3]
    assert assess_perception(BELOW, T, judged[0]) == PerceptionState.BELOW


# --- the family correction -------------------------------------------------------------------


def test_benjamini_hochberg_on_a_hand_computed_example():
    # m = 10 p-values, sorted: 0.001 0.008 0.039 0.041 0.042 0.060 0.074 0.205 0.212 0.216.
    # Step-up at q = 0.05 compares p(i) with i·q/m = 0.005 0.010 0.015 0.020 0.025 0.030 0.035
    # 0.040 0.045 0.050: the largest i with p(i) ≤ i·q/m is i = 2 (0.008 ≤ 0.010; 0.039 >
    # 0.015 and every later one is over its bound too), so the two smallest are rejected.
    # Adjusted q(i) = min over j ≥ i of m·p(j)/j, where m·p(j)/j = 0.01 0.04 0.13 0.1025 0.084
    # 0.1 0.10571 0.25625 0.23556 0.216; the running minimum from the end gives
    # q = 0.01 0.04 0.084 0.084 0.084 0.1 0.10571 0.216 0.216 0.216.
    given = [0.205, 0.001, 0.074, 0.041, 0.216, 0.008, 0.060, 0.039, 0.212, 0.042]
    expected = [0.216, 0.01, 0.74 / 7, 0.084, 0.216, 0.04, 0.1, 0.084, 0.216, 0.084]
    adjusted = benjamini_hochberg(given)
    assert adjusted == pytest.approx(expected)
    assert [p for p, q in zip(given, adjusted, strict=True) if q <= 0.05] == [0.001, 0.008]


def test_benjamini_hochberg_steps_up():
    # p(i) = i·q/m for every i: all five are rejected, although 0.05 alone is no rarer than
    # a one-in-twenty chance; with one more p-value of 1 the bounds tighten and none is.
    assert benjamini_hochberg([0.01, 0.02, 0.03, 0.04, 0.05]) == pytest.approx([0.05] * 5)
    assert min(benjamini_hochberg([0.01, 0.02, 0.03, 0.04, 0.05, 1.0])) == pytest.approx(0.06)
    assert benjamini_hochberg([]) == []


def test_null_share_is_storeys_estimate_with_its_finite_sample_term():
    # m = 10, λ = ½: four p-values above ½ → π0 = (1 + 4) / (10 · ½) = 1.0; two above →
    # (1 + 2) / 5 = 0.6; none → 1 / 5 = 0.2; nine above → 10 / 5, capped at 1.
    assert null_share([0.01, 0.02, 0.03, 0.04, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9]) == 1.0
    assert null_share([0.01, 0.02, 0.03, 0.04, 0.2, 0.3, 0.4, 0.45, 0.8, 0.9]) == pytest.approx(0.6)
    assert null_share([0.01] * 10) == pytest.approx(0.2)
    assert null_share([0.9] * 9 + [0.01]) == 1.0
    assert null_share([]) == 1.0


def test_the_family_correction_is_adaptive():
    # The hand-computed family above plus ten cells far above target (p = 0.99): m = 20, the
    # BH q of p = 0.008 is 20 · 0.008 / 2 = 0.08 (every later m·p(j)/j is larger), and
    # π0 = (1 + 10) / (20 · ½) = 1.1, capped at 1, leaves it at 0.08.
    cells = [
        Evidence(sd=0.5, se=0.1, ci_low=3.0, ci_high=3.5, p_value=p)
        for p in [0.205, 0.001, 0.074, 0.041, 0.216, 0.008, 0.060, 0.039, 0.212, 0.042]
        + [0.99] * 10
    ]
    judged = judge_family(cells)
    assert judged[5].q_value == pytest.approx(0.08)
    assert all(cell.family == 20 for cell in judged)
    # Fifteen shortfalls p = 0.001, 0.002, …, 0.015 and five cells p = 0.6–0.95: m = 20, every
    # BH q of the fifteen is 20 · 0.001j / j = 0.02, π0 = (1 + 5) / 10 = 0.6, so q = 0.012 —
    # except where the cell's own p is larger (0.013, 0.014, 0.015 keep theirs). The five keep
    # their own p as well (0.6 · BH 0.75 = 0.45 < 0.6).
    short = [
        Evidence(sd=0.5, se=0.1, ci_low=3.0, ci_high=3.5, p_value=p)
        for p in [0.001 * j for j in range(1, 16)] + [0.6, 0.7, 0.8, 0.9, 0.95]
    ]
    judged = judge_family(short)
    expected = [0.012] * 12 + [0.013, 0.014, 0.015, 0.6, 0.7, 0.8, 0.9, 0.95]
    assert [cell.q_value for cell in judged] == pytest.approx(expected)


def test_watch_means_below_target_on_its_own_only():
    # p = 0.0017 alone: with 49 cells around the target it does not survive the correction.
    lone = Perception(n=30, mean=3.3, sd=0.9)
    found = evidence(lone, T38)
    assert 0.001 < found.p_value < 0.01
    ordinary = (Perception(n=30, mean=3.8, sd=0.8), T38)
    assert month_flags([(lone, T38)] + [ordinary] * 49)[0] == Flag.WATCH
    # With nine more cells as far below, the month shows a pattern and all ten are
    # watermelons (BH: p(10) ≤ 10 · 0.05 / 50).
    assert month_flags([(lone, T38)] * 10 + [ordinary] * 40)[:10] == [Flag.WATERMELON] * 10
    # A cell that is not below target on its own never becomes a watch.
    assert (
        month_flags([(INCONCLUSIVE_LOW, T)] + [(BELOW, T)] * 9)
        == [Flag.ALIGNED] + [Flag.WATERMELON] * 9
    )


def test_cells_without_target_or_answers_are_outside_the_family():
    judged = judge_family(
        [
            evidence(BELOW, T),
            evidence(BELOW, Thresholds(target=None)),
            evidence(Perception(n=3, mean=2.0, sd=0.5), T),
            None,
        ]
    )
    assert judged[0].family == 1 and judged[0].q_value == judged[0].p_value
    assert (judged[1].p_value, judged[1].q_value) == (None, None)
    assert judged[1].ci_low < judged[1].ci_high  # its interval is still shown
    assert (judged[2].p_value, judged[3]) == (None, None)


# --- the chance rate, simulated --------------------------------------------------------------

# Likert items whose true means are exactly 3.8 (0.03·1 + 0.09·2 + 0.20·3 + 0.41·4 + 0.27·5)
# and 3.4 = T − (δ + 0.3) (0.06·1 + 0.15·2 + 0.28·3 + 0.35·4 + 0.16·5).
ON_TARGET = [0.03, 0.09, 0.20, 0.41, 0.27]
SHORT = [0.06, 0.15, 0.28, 0.35, 0.16]


@pytest.mark.parametrize("short_share", [0.0, 0.1])
def test_chance_watermelons_on_target_stay_under_one_percent(short_share):
    """Twelve months of 250 cells of 30 respondents (a respondent's score: the mean of three
    answers), every cell on target, or 10 % of them short by δ + 0.3."""
    rng = np.random.default_rng(20261207)
    months, cells, n = 12, 250, 30
    short = round(cells * short_share)
    watermelons = watches = detected = 0
    for _month in range(months):
        answers = np.concatenate(
            [
                rng.choice(5, p=SHORT, size=(short, n, 3)),
                rng.choice(5, p=ON_TARGET, size=(cells - short, n, 3)),
            ]
        )
        scores = answers.mean(axis=2) + 1
        sums = zip(scores.sum(axis=1).tolist(), (scores**2).sum(axis=1).tolist(), strict=True)
        figures = [mean_sd_from_sums(n, x, x2) for x, x2 in sums]
        perceptions = [Perception(n=n, mean=mean, sd=sd) for mean, sd in figures]
        flags = month_flags([(p, T38) for p in perceptions])
        watermelons += flags[short:].count(Flag.WATERMELON)
        watches += flags[short:].count(Flag.WATCH)
        detected += flags[:short].count(Flag.WATERMELON)
    on_target = months * (cells - short)
    assert on_target >= 2700
    assert watermelons / on_target < 0.01
    assert watches / on_target < 0.05
    if short:  # not vacuous: at n = 30 most of the short cells are found (68 %)
        assert detected / (months * short) > 0.5


# --- drift and confirmation -----------------------------------------------------------------


def test_welch_interval_matches_a_hand_computation():
    previous = Perception(n=30, mean=3.8, ci_low=None, ci_high=None, sd=0.9)
    current = Perception(n=40, mean=3.3, ci_low=None, ci_high=None, sd=1.1)
    difference, low, high = welch_interval(previous, current)
    # se = sqrt(0.81/30 + 1.21/40) = 0.23927; df ≈ 67.4; t(0.975, 67.4) ≈ 1.9959
    assert difference == pytest.approx(-0.5)
    assert (low, high) == (pytest.approx(-0.9776, abs=1e-3), pytest.approx(-0.0224, abs=1e-3))


def test_drift_deteriorating_improving_and_stable():
    before = Perception(n=60, mean=3.8, ci_low=None, ci_high=None, sd=0.8)
    worse = Perception(n=60, mean=3.3, ci_low=None, ci_high=None, sd=0.8)
    slightly = Perception(n=60, mean=3.75, ci_low=None, ci_high=None, sd=0.8)
    assert assess_drift(before, worse, T) == Drift.DETERIORATING
    assert assess_drift(worse, before, T) == Drift.IMPROVING
    assert assess_drift(before, slightly, T) == Drift.STABLE
    assert assess_drift(None, worse, T) is None
    assert assess_drift(Perception(n=3, mean=4, ci_low=None, ci_high=None, sd=1), worse, T) is None


def test_drift_needs_the_drop_to_reach_delta():
    # Huge samples make a 0.05 drop significant, but it is below δ = 0.1.
    before = Perception(n=100_000, mean=3.80, ci_low=None, ci_high=None, sd=0.8)
    after = Perception(n=100_000, mean=3.75, ci_low=None, ci_high=None, sd=0.8)
    assert assess_drift(before, after, T) == Drift.STABLE


def wave(survey):
    return {"survey": survey, "title": f"KTO {survey}", "n": 72}


def test_confirmation_needs_two_consecutive_periods():
    # Independent waves: another survey each month.
    assert is_confirmed(Flag.WATERMELON, Flag.WATERMELON, [wave(2)], [wave(1)]) is True
    assert is_confirmed(Flag.WATERMELON, None, [wave(2)], []) is False
    assert is_confirmed(Flag.WATERMELON, Flag.WATCH, [wave(2)], [wave(1)]) is False
    assert is_confirmed(Flag.BOTH_RED, Flag.BOTH_RED, [wave(2)], [wave(1)]) is True
    assert is_confirmed(Flag.WATCH, Flag.WATCH, [wave(2)], [wave(1)]) is False


def test_confirmation_refuses_a_reused_sample():
    # A quarterly survey covering both months: the same responses, no confirmation.
    assert is_confirmed(Flag.WATERMELON, Flag.WATERMELON, [wave(7)], [wave(7)]) is False
    # Any shared wave is a reused sample, even beside a new one.
    assert is_confirmed(Flag.BOTH_RED, Flag.BOTH_RED, [wave(7), wave(8)], [wave(7)]) is False
    # Without waves there is no sample to confirm with.
    assert is_confirmed(Flag.WATERMELON, Flag.WATERMELON) is False


# --- the SLA state follows the contract's judgement (met, near miss, missed) ---------------


def level(target, actual, *, state, higher=True, weight=1.0):
    return LevelFigure("A", target, actual, higher, state=state, weight=weight)


def test_a_target_of_100_met_at_100_is_green():
    assert assess_sla([level(100, 100, state="met")]).state == SlaState.GREEN


def test_a_near_miss_within_the_breach_threshold_is_amber_below_it_red():
    # Target 100 %, breach threshold 99 %: 99.5 % is a near miss, 98.9 % missed.
    near = assess_sla([level(100, 99.5, state="near_miss")])
    assert (near.state, near.near_misses, near.missed) == (SlaState.AMBER, ("A",), ())
    assert assess_sla([level(100, 98.9, state="missed")]).state == SlaState.RED
    # Any miss makes it red, whatever the others.
    both = [level(100, 99.5, state="near_miss"), level(100, 98, state="missed")]
    assert assess_sla(both).state == SlaState.RED


def test_a_target_of_0_met_perfectly_is_green():
    assert assess_sla([level(0, 0, state="met", higher=False)]).state == SlaState.GREEN
    # A configured margin makes it amber: met exactly on target is within any margin.
    assert assess_sla([level(0, 0, state="met", higher=False)], 0.02).state == SlaState.AMBER


def test_the_configured_amber_margin():
    met = [level(95, 96.5, state="met")]  # margin 1.58 %
    assert assess_sla(met, 0.0).state == SlaState.GREEN
    assert assess_sla(met, 0.01).state == SlaState.GREEN
    assert assess_sla(met, 0.02).state == SlaState.AMBER
    # Exactly on the margin is not under it (decimals): 99 against 90 is 10 %.
    assert assess_sla([level(90, 99, state="met")], 0.1).state == SlaState.GREEN
    assert assess_sla([level(90, 98.9, state="met")], 0.1).state == SlaState.AMBER


def test_weighted_attainment():
    levels = [
        level(90, 95, state="met", weight=0.6),
        level(90, 89, state="near_miss", weight=0.3),
        level(90, 80, state="missed", weight=0.1),
        LevelFigure("B", 90, None, True, weight=1.0),  # no figure: not counted
    ]
    assert assess_sla(levels).attainment == pytest.approx(0.6)
    assert assess_sla([LevelFigure("B", 90, None, True)]).attainment is None


@pytest.mark.parametrize(
    ("direction", "target", "breach", "value"),
    [
        ("higher", "100", "99", "100"),
        ("higher", "100", "99", "99.5"),
        ("higher", "100", "99", "99"),
        ("higher", "100", "99", "98.99"),
        ("higher", "95", None, "94.9"),
        ("lower", "0", "2", "0"),
        ("lower", "0", "2", "1"),
        ("lower", "0", "2", "3"),
        ("lower", "8", "10", "8"),
        ("lower", "8", "10", "10"),
        ("lower", "8", "10", "10.5"),
    ],
)
def test_the_gap_state_agrees_with_the_contract_page(direction, target, breach, value):
    """The contract page shows ServiceLevel.judge; the gap analysis turns that judgement into
    its SLA state: met → green, near miss → amber, missed → red."""
    from contracts.models import ServiceLevel

    service_level = ServiceLevel(
        direction=direction,
        target=Decimal(target),
        breach_threshold=Decimal(breach) if breach is not None else None,
    )
    judged = service_level.judge(Decimal(value))
    figure = LevelFigure("A", float(target), float(value), direction == "higher", state=str(judged))
    expected = {"met": SlaState.GREEN, "near_miss": SlaState.AMBER, "missed": SlaState.RED}
    assert assess_sla([figure]).state == expected[str(judged)]
