"""Benchmark of the chain simulation: simulated customers per CPU second, and one simulated
year of a desk that takes 200 contacts an hour (14 agents, AHT 180 s; REFERENCE.md §3).

Figures are also given as ratios to a baseline measured in the same run: drawing the same
number of random arrival and service times in plain Python, the least any simulation of these
customers must cost. Each figure is the median of several runs with its range.
Run: `.venv/bin/python bench/simulation.py [runs]`.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("REGIE_DEBUG", "true")

import django  # noqa: E402

django.setup()

from simulations import engine  # noqa: E402


def cpu(function):
    start = time.process_time()
    result = function()
    return time.process_time() - start, result


def desk(hours: float, replications: int = 1) -> tuple[float, int]:
    spec = engine.ChainSpec(
        steps=[engine.StepSpec("desk", "Servicedesk", [(0, 14)], mean=180.0)],
        rates=[200.0] * 168,
    )
    settings = engine.RunSettings(
        replications=replications, horizon_hours=hours, warmup_hours=0, seed=1
    )
    seconds, results = cpu(lambda: engine.simulate(spec, settings))
    return seconds, results["end_to_end"]["count"]


def baseline(customers: int) -> float:
    rng = random.Random(1)

    def draw():
        total = 0.0
        for _ in range(customers):
            total += rng.expovariate(1 / 18) + rng.expovariate(1 / 180) + rng.random()
        return total

    return cpu(draw)[0]


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):,.0f} (range {min(values):,.0f}–{max(values):,.0f})"


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    # Several runs of each, the median and range printed: one run's figure is the machine's
    # mood as much as the engine's.
    rates, costs = [], []
    for _ in range(runs):
        seconds, customers = desk(hours=24 * 7, replications=2)
        rates.append(customers / seconds)
        costs.append(seconds / baseline(customers))
    print(f"Two weeks of the desk ({customers} customers), {runs} runs")
    print(f"  simulated customers per CPU second: {spread(rates)}")
    print(
        f"  cost relative to drawing their random numbers: {statistics.median(costs):.1f}×"
        f" (range {min(costs):.1f}–{max(costs):.1f}×)"
    )

    rates, costs = [], []
    for _ in range(max(1, runs // 2)):
        seconds, customers = desk(hours=24 * 365)
        rates.append(customers / seconds)
        costs.append(seconds / baseline(customers))
    print(f"One simulated year at 200 contacts/hour ({customers} customers), {len(rates)} runs")
    print(f"  simulated customers per CPU second: {spread(rates)}")
    print(
        f"  cost relative to drawing their random numbers: {statistics.median(costs):.1f}×"
        f" (range {min(costs):.1f}–{max(costs):.1f}×)"
    )


if __name__ == "__main__":
    main()
