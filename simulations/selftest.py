"""The simulation's self-test: the engine against the exact results of REFERENCE.md §3.

Each check simulates a case with known answer and passes when the exact value lies within the
simulation's own 95 % confidence interval and within a relative tolerance; opening hours pass
when the unreachable count agrees with the expected arrivals in closed hours (|z| ≤ 3).
"""

import math
from dataclasses import dataclass

from simulations import engine, queueing
from simulations.schedule import breakpoints, open_fraction_by_hour, parse_opening_hours

ALWAYS = 0


@dataclass(frozen=True)
class Check:
    name: str
    exact: float
    simulated: float
    low: float | None
    high: float | None
    tolerance: float  # relative; for the z-test the bound on |z|

    @property
    def relative_error(self) -> float:
        return (self.simulated - self.exact) / self.exact if self.exact else 0.0

    @property
    def passed(self) -> bool:
        if self.low is None:  # a z-score check: simulated holds z
            return abs(self.simulated) <= self.tolerance
        inside = self.low <= self.exact <= self.high
        return inside and abs(self.relative_error) <= self.tolerance


def _always(staff: int) -> list[tuple[int, int]]:
    return [(ALWAYS, staff)]


def _interval_check(name: str, exact: float, summary: dict, tolerance: float) -> Check:
    return Check(name, exact, summary["mean"], summary["low"], summary["high"], tolerance)


def erlang_checks(seed: int) -> list[Check]:
    example = queueing.ERLANG_EXAMPLE
    exact = queueing.mmc(
        arrival_rate=example["arrival_rate"],
        mean_service=example["mean_service"],
        servers=example["servers"],
    )
    spec = engine.ChainSpec(
        steps=[
            engine.StepSpec(
                "desk",
                "Servicedesk",
                _always(example["servers"]),
                mean=example["mean_service"],
                target_wait=example["within"],
            )
        ],
        rates=[example["arrival_rate"] * 3600] * 168,
    )
    settings = engine.RunSettings(
        replications=10, horizon_hours=24, warmup_hours=4, seed=seed, within=example["within"]
    )
    desk = engine.simulate(spec, settings)["steps"][0]
    return [
        _interval_check("Erlang C: P(wait)", exact.p_wait, desk["p_wait"], 0.10),
        _interval_check("Erlang C: mean wait (s)", exact.mean_wait, desk["mean_wait"], 0.15),
        _interval_check(
            "Erlang C: service level in 20 s",
            exact.service_level(example["within"]),
            desk["service_level"],
            0.05,
        ),
        _interval_check("Erlang C: occupancy", exact.occupancy, desk["utilisation"], 0.05),
    ]


def mm1_checks(seed: int) -> list[Check]:
    arrival_rate, service_rate = 1 / 120, 1 / 60
    p_wait, mean_wait = queueing.mm1(arrival_rate=arrival_rate, service_rate=service_rate)
    spec = engine.ChainSpec(
        steps=[engine.StepSpec("one", "One server", _always(1), mean=1 / service_rate)],
        rates=[arrival_rate * 3600] * 168,
    )
    settings = engine.RunSettings(replications=10, horizon_hours=48, warmup_hours=2, seed=seed)
    result = engine.simulate(spec, settings)["steps"][0]
    return [
        _interval_check("M/M/1: P(wait)", p_wait, result["p_wait"], 0.10),
        _interval_check("M/M/1: mean wait (s)", mean_wait, result["mean_wait"], 0.15),
    ]


def jackson_checks(seed: int) -> list[Check]:
    example = queueing.JACKSON_EXAMPLE
    exact = queueing.jackson_chain(**example)
    stations = example["stations"]
    steps = [
        engine.StepSpec(
            str(i),
            s.name,
            _always(s.servers),
            mean=s.mean_service,
            escalations=((i + 1, s.onward),) if s.onward else (),
        )
        for i, s in enumerate(stations)
    ]
    spec = engine.ChainSpec(steps=steps, rates=[example["arrival_rate"] * 3600] * 168)
    settings = engine.RunSettings(replications=10, horizon_hours=60, warmup_hours=24, seed=seed)
    result = engine.simulate(spec, settings)
    desk_exact = exact.stations[0][2]
    return [
        _interval_check(
            "Jackson chain: mean end-to-end time (s)",
            exact.mean_end_to_end,
            result["end_to_end"]["mean"],
            0.10,
        ),
        _interval_check(
            "Jackson chain: P(wait) at the desk",
            desk_exact.p_wait,
            result["steps"][0]["p_wait"],
            0.10,
        ),
    ]


def opening_hours_check(seed: int) -> Check:
    """A desk open on weekdays 08:00–18:00 with a daily arrival pattern: contacts in the closed
    hours are unreachable, as many as the profile expects there."""
    day = [2, 1, 1, 1, 1, 2, 6, 15, 30, 35, 32, 28, 25, 30, 32, 28, 24, 18, 12, 9, 7, 5, 4, 3]
    rates = [float(r) for _d in range(7) for r in day]
    staffing = breakpoints(
        parse_opening_hours("mon-fri 08:00-18:00", default_staff=8), always_staff=8
    )
    spec = engine.ChainSpec(
        steps=[engine.StepSpec("desk", "Servicedesk", staffing, mean=300.0)], rates=rates
    )
    settings = engine.RunSettings(replications=5, horizon_hours=24 * 14, warmup_hours=0, seed=seed)
    result = engine.simulate(spec, settings)
    weeks = settings.horizon_hours / 168 * settings.replications
    open_share = open_fraction_by_hour(staffing)
    expected = sum(r * (1 - f) for r, f in zip(rates, open_share, strict=True)) * weeks
    observed = result["unreachable_per_week"]["mean"] * settings.horizon_hours / 168
    observed *= settings.replications
    z = (observed - expected) / math.sqrt(expected)
    return Check("Opening hours: unreachable contacts (z-score)", expected, z, None, None, 3.0)


def run_selftest(*, seed: int = 20261128) -> list[Check]:
    """Every check of the self-test with fixed seeds (a few seconds of CPU)."""
    return [
        *erlang_checks(seed),
        *mm1_checks(seed),
        *jackson_checks(seed),
        opening_hours_check(seed),
    ]
