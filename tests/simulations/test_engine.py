"""The SimPy engine against exact queueing results, with fixed seeds (the self-test)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from simulations import engine, selftest
from simulations.schedule import (
    ScheduleError,
    breakpoints,
    open_fraction_by_hour,
    parse_opening_hours,
    staff_seconds,
)

SEED = 20261128


@pytest.fixture(scope="module")
def checks():
    return {check.name: check for check in selftest.run_selftest(seed=SEED)}


def test_simulation_lands_within_its_ci_of_erlang_c(checks):
    for name in ("Erlang C: P(wait)", "Erlang C: mean wait (s)", "Erlang C: service level in 20 s"):
        check = checks[name]
        assert check.low <= check.exact <= check.high, name
    assert abs(checks["Erlang C: P(wait)"].relative_error) <= 0.10
    assert abs(checks["Erlang C: mean wait (s)"].relative_error) <= 0.15


def test_simulation_lands_within_its_ci_of_the_jackson_chain(checks):
    check = checks["Jackson chain: mean end-to-end time (s)"]
    assert check.exact == pytest.approx(535.56, abs=0.01)
    assert check.low <= check.exact <= check.high
    assert abs(check.relative_error) <= 0.10


def test_simulation_reduces_to_mm1(checks):
    assert checks["M/M/1: P(wait)"].passed
    assert checks["M/M/1: mean wait (s)"].passed


def test_unreachable_contacts_match_arrivals_in_closed_hours(checks):
    check = checks["Opening hours: unreachable contacts (z-score)"]
    assert check.exact > 1000  # enough contacts in closed hours for the z-test to mean something
    assert -3 <= check.simulated <= 3


def test_every_selftest_check_passes(checks):
    assert [name for name, check in checks.items() if not check.passed] == []


def test_check_fails_when_exact_value_is_outside_the_interval():
    check = selftest.Check("x", exact=10.0, simulated=10.5, low=10.1, high=10.9, tolerance=0.1)
    assert check.passed is False
    assert selftest.Check("x", 10.0, 10.5, 9.9, 11.1, 0.01).passed is False  # too far off
    assert selftest.Check("x", 10.0, 10.05, 9.9, 10.2, 0.01).passed is True


def test_selftest_command_fails_on_a_failed_check(monkeypatch):
    failing = selftest.Check("broken", exact=1.0, simulated=2.0, low=1.5, high=2.5, tolerance=0.1)
    monkeypatch.setattr(
        "simulations.management.commands.simulation_selftest.run_selftest",
        lambda seed: [failing],
    )
    with pytest.raises(CommandError, match="broken"):
        call_command("simulation_selftest")


def test_same_seed_gives_the_same_results():
    spec = engine.ChainSpec(
        steps=[engine.StepSpec("a", "Desk", [(0, 2)], mean=60.0)], rates=[40.0] * 168
    )
    settings = engine.RunSettings(replications=3, horizon_hours=5, warmup_hours=1, seed=4)
    assert engine.simulate(spec, settings) == engine.simulate(spec, settings)


def test_progress_is_reported_up_to_complete():
    spec = engine.ChainSpec(
        steps=[engine.StepSpec("a", "Desk", [(0, 2)], mean=60.0)], rates=[40.0] * 168
    )
    seen = []
    engine.simulate(
        spec,
        engine.RunSettings(replications=2, horizon_hours=72, warmup_hours=0),
        progress=seen.append,
    )
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert len(seen) >= 4


def test_opening_hours_parse_days_times_and_staff():
    intervals = parse_opening_hours("ma-vr 08:00-18:00; sat 09:30-13:00 x3", default_staff=5)
    assert [(i.start, i.end, i.staff) for i in intervals] == [
        *[(d * 86400 + 8 * 3600, d * 86400 + 18 * 3600, 5) for d in range(5)],
        (5 * 86400 + 9.5 * 3600, 5 * 86400 + 13 * 3600, 3),
    ]
    assert parse_opening_hours("", default_staff=5) is None


def test_opening_hours_past_midnight_split_over_two_days():
    intervals = parse_opening_hours("sun 22:00-02:00", default_staff=1)
    assert [(i.start, i.end) for i in intervals] == [(0, 7200), (6 * 86400 + 22 * 3600, 7 * 86400)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon-fri 8-18", "is not like"),
        ("maandag 08:00-18:00", "Unknown day"),
        ("mon 08:00-25:00", "is not a time of day"),
        ("mon 08:00-12:00; mon 11:00-13:00", "overlap"),
    ],
)
def test_bad_opening_hours_are_explained(text, message):
    with pytest.raises(ScheduleError, match=message):
        parse_opening_hours(text, default_staff=1)


def test_breakpoints_and_staff_seconds_cover_the_week():
    points = breakpoints(
        parse_opening_hours("mon-fri 08:00-18:00", default_staff=4), always_staff=4
    )
    assert points[:3] == [(0, 0), (8 * 3600, 4), (18 * 3600, 0)]
    assert staff_seconds(points) == 5 * 10 * 3600 * 4
    fractions = open_fraction_by_hour(points)
    assert sum(fractions) == 50
    assert fractions[8] == 1.0 and fractions[7] == 0.0


def spec_with(**changes):
    step = {"key": "a", "name": "Desk", "staffing": [(0, 14)], "mean": 180.0}
    step.update(changes)
    return engine.ChainSpec(steps=[engine.StepSpec(**step)], rates=[200.0] * 168)


def test_problems_name_zero_capacity_with_arrivals():
    assert engine.problems(spec_with(staffing=[(0, 0)])) == [
        "Desk: receives contacts but has no staff at any time."
    ]
    two = engine.ChainSpec(
        steps=[
            engine.StepSpec("a", "Desk", [(0, 14)], mean=180.0, escalations=((1, 0.3),)),
            engine.StepSpec("b", "Second line", [(0, 0)], mean=600.0),
        ],
        rates=[200.0] * 168,
    )
    assert engine.problems(two) == ["Second line: receives contacts but has no staff at any time."]


def test_problems_name_escalations_above_one_and_negative_times():
    assert engine.problems(spec_with(escalations=((1, 0.7), (2, 0.6)))) == [
        "Desk: escalation probabilities add up to 1.30, more than 1.",
        "Desk: escalations go to following steps only.",
    ]
    assert engine.problems(spec_with(mean=-5.0)) == [
        "Desk: the mean service time must be positive."
    ]
    assert engine.problems(spec_with(distribution="triangular", low=5.0, mode=2.0, high=9.0)) == [
        "Desk: a triangular time needs 0 ≤ minimum ≤ mode ≤ maximum."
    ]


def test_problems_name_an_unstable_load():
    # 200 contacts an hour of 180 s is 10 Erlang: 10 staff cannot keep up, 11 can.
    assert engine.problems(spec_with(staffing=[(0, 10)])) == [
        "Desk: unstable — 1680 staff-hours of work a week against 1680 staff-hours on duty; "
        "the queue would grow without bound."
    ]
    assert engine.problems(spec_with(staffing=[(0, 11)])) == []


def test_simulate_refuses_a_bad_model():
    with pytest.raises(ValueError, match="unstable"):
        engine.simulate(spec_with(staffing=[(0, 9)]), engine.RunSettings(replications=2))


def test_closing_time_options_count_reached_contacts_per_staff_hour():
    points = breakpoints(
        parse_opening_hours("mon-fri 08:00-18:00 x2", default_staff=2), always_staff=2
    )
    step = engine.StepSpec("a", "Desk", points, mean=180.0, target_wait=20, target_share=0.8)
    unreachable = [0.0] * 168
    rates = [0.0] * 168
    for day in range(5):
        unreachable[day * 24 + 18] = 6.0  # 18:00–19:00
        unreachable[day * 24 + 19] = 2.0  # 19:00–20:00
        rates[day * 24 + 18] = 200.0  # the published Erlang C example: 14 agents
        rates[day * 24 + 19] = 0.5  # one agent
    options = engine.closing_time_options(step, unreachable, rates, latest=20)
    assert options == [
        {
            "closing_hour": 19,
            "reached_per_week": 30.0,
            "staff_hours_per_week": 70.0,
            "reached_per_staff_hour": 30.0 / 70.0,
        },
        {
            "closing_hour": 20,
            "reached_per_week": 40.0,
            "staff_hours_per_week": 75.0,
            "reached_per_staff_hour": 40.0 / 75.0,
        },
    ]


def test_closing_time_options_are_empty_for_an_always_open_step():
    step = engine.StepSpec("a", "Desk", [(0, 3)], mean=60.0)
    assert engine.closing_time_options(step, [0.0] * 168, [1.0] * 168) == []
