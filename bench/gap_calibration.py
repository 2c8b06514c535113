"""Calibration of the gap rule: how often it flags by chance, how often it finds a real shortfall.

Simulated months with known truth, through the product's own rule (`kto.gaps.rules`: the
per-cell evidence, adaptive Benjamini–Hochberg over the month's family, the perception state and the
flag; `kto.stats` for the rollup arithmetic and the Wilson intervals). No database.

A month is a family of 50 contracts × 5 dimensions = 250 cells, each of n respondents, every
SLA green, target T = 3.8, margin δ = 0.1, k = 5. A respondent's score is the mean of its items
in the dimension; an item answer is a latent opinion (the respondent's own level plus an
item-level deviation, both normal) rounded to a whole point and clipped to 1–5. The latent
mean is solved so that the *true* mean of the scores is exactly T (on target) or exactly
T − (δ + 0.3) (short). Four family compositions: every cell on target; 10 % short; half short;
every cell short. Rates carry their own 95 % Wilson interval.

Targets (REFERENCE.md §2): on target, at most 1 % of cells watermelon and at most 5 % watch;
short by δ + 0.3 at n = 72, at least 80 % watermelon.
The sd column is the mean respondent-level sd of the month's cells.
Run: `.venv/bin/python bench/gap_calibration.py` (fixed seed, under half a minute).
"""

import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("REGIE_DEBUG", "true")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from scipy.optimize import brentq  # noqa: E402
from scipy.special import ndtr  # noqa: E402

from kto.gaps.rules import (  # noqa: E402
    Flag,
    Perception,
    SlaState,
    Thresholds,
    assess_perception,
    classify,
    evidence,
    judge_family,
)
from kto.stats import mean_sd_from_sums, wilson_interval  # noqa: E402

SEED = 20261207
TARGET, DELTA, K = 3.8, 0.1, 5
SHORTFALL = DELTA + 0.3
CONTRACTS, DIMENSIONS = 50, 5
FAMILY = CONTRACTS * DIMENSIONS
MONTHS = 24
SIZES = (10, 20, 30, 50, 72, 100, 200)
# name: (sd of respondents' own level, sd of an item around it, items per respondent)
SPREADS = {
    "narrow": (0.40, 0.50, 4),
    "typical": (0.70, 0.60, 3),
    "wide": (1.00, 0.70, 3),
    "one item": (0.80, 0.50, 1),
}
COMPOSITIONS = {
    "every cell on target": 0.0,
    "10 % of cells short": 0.1,
    "half of the cells short": 0.5,
    "every cell short": 1.0,
}


def item_mean(latent: float, sd: float) -> float:
    """E[answer] of a normal latent opinion rounded to a whole point and clipped to 1–5."""
    return 1 + sum(float(ndtr((latent - step - 0.5) / sd)) for step in range(1, 5))


def latent_for(mean: float, spread: tuple[float, float, int]) -> float:
    """The latent mean whose rounded, clipped answers have exactly this true mean."""
    between, within, _items = spread
    sd = math.hypot(between, within)
    return brentq(lambda latent: item_mean(latent, sd) - mean, -10, 15, xtol=1e-12)


def rollups(rng, latent: np.ndarray, n: int, spread) -> tuple[np.ndarray, np.ndarray]:
    """Σx and Σx² per cell of n respondents (x: a respondent's mean over its items)."""
    between, within, items = spread
    own = latent[:, None] + rng.normal(0, between, (latent.size, n))
    answers = np.clip(np.rint(own[..., None] + rng.normal(0, within, (*own.shape, items))), 1, 5)
    scores = answers.mean(axis=2)
    return scores.sum(axis=1), (scores**2).sum(axis=1)


class Tally:
    def __init__(self):
        self.cells = self.watermelon = self.watch = 0

    def add(self, flag: Flag) -> None:
        self.cells += 1
        self.watermelon += flag == Flag.WATERMELON
        self.watch += flag == Flag.WATCH


def simulate(rng, n: int, spread, share_short: float) -> tuple[Tally, Tally, float]:
    """(on-target cells, short cells, mean respondent sd) over MONTHS months of one family."""
    thresholds = Thresholds(target=TARGET, delta=DELTA, k=K)
    short_cells = round(FAMILY * share_short)
    truth = np.array([TARGET - SHORTFALL] * short_cells + [TARGET] * (FAMILY - short_cells))
    latent = np.array([latent_for(float(mean), spread) for mean in truth])
    on_target, short, spreads = Tally(), Tally(), []
    for _month in range(MONTHS):
        totals, squares = rollups(rng, latent, n, spread)
        perceptions = []
        for total, square in zip(totals.tolist(), squares.tolist(), strict=True):
            mean, sd = mean_sd_from_sums(n, total, square)
            perceptions.append(Perception(n=n, mean=mean, sd=sd))
            spreads.append(sd)
        judged = judge_family([evidence(p, thresholds) for p in perceptions])
        for index, (perception, found) in enumerate(zip(perceptions, judged, strict=True)):
            state = assess_perception(perception, thresholds, found)
            flag = classify(SlaState.GREEN, state)
            (short if index < short_cells else on_target).add(flag)
    return on_target, short, float(np.mean(spreads))


def rate(count: int, cells: int) -> str:
    if not cells:
        return f"{'–':>22}"
    low, high = wilson_interval(count, cells)
    return f"{100 * count / cells:6.2f} % [{100 * low:5.2f}, {100 * high:5.2f}]"


def main() -> None:
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    worst = {"watermelon": (0.0, ""), "watch": (0.0, ""), "detected at n = 72": (100.0, "")}
    print(__doc__.split("\n\n")[1].replace("\n", " "))
    print(f"{MONTHS} months × {FAMILY} cells per row; seed {SEED}.\n")
    for composition, share in COMPOSITIONS.items():
        print(f"## {composition}")
        print(
            f"{'spread':9} {'n':>4} {'sd':>5}  {'on target: watermelon':>25}  "
            f"{'on target: watch':>22}  {'short: watermelon':>22}  {'false share':>11}"
        )
        for name, spread in SPREADS.items():
            for n in SIZES:
                on_target, short, sd = simulate(rng, n, spread, share)
                flagged = on_target.watermelon + short.watermelon
                false_share = f"{100 * on_target.watermelon / flagged:9.2f} %" if flagged else "–"
                print(
                    f"{name:9} {n:4d} {sd:5.2f}  "
                    f"{rate(on_target.watermelon, on_target.cells):>25}  "
                    f"{rate(on_target.watch, on_target.cells):>22}  "
                    f"{rate(short.watermelon, short.cells):>22}  {false_share:>11}"
                )
                where = f"{composition}, {name}, n = {n}"
                if on_target.cells and share <= 0.1:
                    for key, count in (
                        ("watermelon", on_target.watermelon),
                        ("watch", on_target.watch),
                    ):
                        value = 100 * count / on_target.cells
                        if value >= worst[key][0]:
                            worst[key] = (value, where)
                if short.cells and n == 72 and share >= 0.1:
                    value = 100 * short.watermelon / short.cells
                    if value <= worst["detected at n = 72"][0]:
                        worst["detected at n = 72"] = (value, where)
        print()
    print("## Against the targets")
    print(
        "(on target: the compositions with at most 10 % of cells short; detection: every "
        "composition with short cells)"
    )
    checks = [
        ("watermelon", "on target, highest watermelon rate", lambda v: v <= 1.0, "≤ 1 %"),
        ("watch", "on target, highest watch rate", lambda v: v <= 5.0, "≤ 5 %"),
        ("detected at n = 72", "short at n = 72, lowest detection", lambda v: v >= 80.0, "≥ 80 %"),
    ]
    for key, label, holds, target in checks:
        value, where = worst[key]
        verdict = "met" if holds(value) else "NOT met"
        print(f"  {label}: {value:.2f} % ({where}) — target {target}: {verdict}")
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
