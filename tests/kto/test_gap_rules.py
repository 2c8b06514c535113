"""The gap rule of REFERENCE.md §2: every row of the flag table, the worked cases, drift and
confirmation."""

import pytest

from kto.gaps.rules import (
    Drift,
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
    is_confirmed,
    welch_interval,
)

T = Thresholds(target=3.5)
GREEN = [LevelFigure("SD-01", target=90, actual=95, higher_is_better=True)]
RED = [
    LevelFigure("SD-01", target=90, actual=95, higher_is_better=True),
    LevelFigure("INC-01", target=8, actual=9.5, higher_is_better=False),
]


def flag_for(levels, perception, thresholds=T):
    sla = assess_sla(levels).state
    perceived = assess_perception(perception, thresholds)
    return classify(sla, perceived, perception.mean if perception else None, thresholds.target)


def test_sla_states_from_margins():
    assert assess_sla(GREEN).state == SlaState.GREEN
    assert assess_sla([LevelFigure("A", 90, 91, True)]).state == SlaState.AMBER  # 1.1 % margin
    assert assess_sla([LevelFigure("A", 90, 90, True)]).state == SlaState.AMBER  # exactly met
    assert assess_sla(RED).state == SlaState.RED
    assert assess_sla(RED).missed == ("INC-01",)
    assert assess_sla([]).state == SlaState.NO_SLA
    assert assess_sla([LevelFigure("A", 90, None, True)]).state == SlaState.NO_SLA


def test_margin_is_signed_by_direction():
    assert LevelFigure("A", 90, 99, True).margin == pytest.approx(0.1)
    assert LevelFigure("B", 8, 6, False).margin == pytest.approx(0.25)
    assert LevelFigure("B", 8, 10, False).margin == pytest.approx(-0.25)


def test_worked_case_watermelon():
    perception = Perception(n=60, mean=2.95, ci_low=2.72, ci_high=3.18)
    assert flag_for(GREEN, perception) == Flag.WATERMELON


def test_worked_case_hidden_success():
    perception = Perception(n=60, mean=4.22, ci_low=4.05, ci_high=4.40)
    assert flag_for(RED, perception) == Flag.HIDDEN_SUCCESS


def test_worked_case_too_few_respondents():
    perception = Perception(n=4, mean=1.5, ci_low=0.5, ci_high=2.5)
    assert flag_for(GREEN, perception) == Flag.INSUFFICIENT_DATA


BELOW = Perception(n=60, mean=2.95, ci_low=2.72, ci_high=3.18)
ABOVE = Perception(n=60, mean=4.22, ci_low=4.05, ci_high=4.40)
INCONCLUSIVE_LOW = Perception(n=20, mean=3.3, ci_low=2.9, ci_high=3.7)
INCONCLUSIVE_HIGH = Perception(n=20, mean=3.6, ci_low=3.2, ci_high=4.0)
# Interval below T but the mean within δ: not practically below.
WITHIN_DELTA = Perception(n=400, mean=3.45, ci_low=3.40, ci_high=3.49)
AMBER = [LevelFigure("A", 90, 90.5, True)]


@pytest.mark.parametrize(
    ("levels", "perception", "expected"),
    [
        (GREEN, BELOW, Flag.WATERMELON),
        (AMBER, BELOW, Flag.WATERMELON),
        (GREEN, INCONCLUSIVE_LOW, Flag.WATCH),
        (AMBER, INCONCLUSIVE_LOW, Flag.WATCH),
        (RED, ABOVE, Flag.HIDDEN_SUCCESS),
        (RED, BELOW, Flag.BOTH_RED),
        ([], BELOW, Flag.INSUFFICIENT_DATA),
        ([], ABOVE, Flag.INSUFFICIENT_DATA),
        (GREEN, Perception(n=4, mean=4.9, ci_low=4.5, ci_high=5.0), Flag.INSUFFICIENT_DATA),
        (RED, Perception(n=0, mean=None, ci_low=None, ci_high=None), Flag.INSUFFICIENT_DATA),
        (GREEN, None, Flag.INSUFFICIENT_DATA),
        (GREEN, ABOVE, Flag.ALIGNED),
        (GREEN, INCONCLUSIVE_HIGH, Flag.ALIGNED),
        (GREEN, WITHIN_DELTA, Flag.WATCH),
        (RED, INCONCLUSIVE_LOW, Flag.ALIGNED),
        (RED, INCONCLUSIVE_HIGH, Flag.ALIGNED),
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


def test_confirmation_needs_two_consecutive_periods():
    assert is_confirmed(Flag.WATERMELON, Flag.WATERMELON) is True
    assert is_confirmed(Flag.WATERMELON, None) is False
    assert is_confirmed(Flag.WATERMELON, Flag.WATCH) is False
    assert is_confirmed(Flag.BOTH_RED, Flag.BOTH_RED) is True
    assert is_confirmed(Flag.WATCH, Flag.WATCH) is False
