"""The contract's service levels a chain feeds, and the simulation's predicted attainment of them.

A step names the code of one of its contract's service levels (e.g. SD-ANSWER, "80 % answered
within 20 s"). The contract keeps versions of a level; the one in force on the day asked is the
norm (contracts.selectors.service_levels_in_force). Percentage and ratio levels are compared
with the share of the step's contacts answered within its time (the step's own "answered
within", else the seconds named in the level, e.g. "within 20 s" or "binnen 30 seconden");
duration levels with the step's mean wait, in the level's unit. Count levels are not predicted.

The verdict uses the run's 95 % confidence interval: met when the whole interval is on the good
side of the target, missed when it is wholly on the bad side, uncertain otherwise.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.formats import number_format

from contracts.selectors import service_levels_in_force

WITHIN = re.compile(
    r"(?:within|binnen)\s+(\d+(?:[.,]\d+)?)\s*(s|sec|secs|seconds?|seconden|min|minutes?|minuten|"
    r"h|u|hours?|uur)\b",
    re.IGNORECASE,
)
# The contracts' ServiceLevel choices, by value (an app reads another's models through its
# selectors only).
PERCENTAGE, RATIO, DURATION, HIGHER = "percentage", "ratio", "duration", "higher"
PREDICTED_KINDS = {PERCENTAGE, RATIO, DURATION}


def _unit_seconds(unit: str) -> float:
    unit = unit.strip().lower()
    if unit.startswith(("sec", "s")):
        return 1
    if unit.startswith("min"):
        return 60
    if unit.startswith(("h", "u")):
        return 3600
    if unit.startswith(("d", "day", "dag")):
        return 86400
    return 1


def seconds_named(text: str) -> float | None:
    """The time in “answered within 20 s” / “binnen 30 seconden aangenomen”, in seconds."""
    match = WITHIN.search(text or "")
    if not match:
        return None
    return float(match.group(1).replace(",", ".")) * _unit_seconds(match.group(2))


def levels_in_force(*, contract, day: date | None = None) -> dict:
    """The contract's service levels in force on the day (today by default), by code."""
    day = day or timezone.localdate()
    return {
        level.code: level
        for level in service_levels_in_force(contract=contract, period_start=day, period_end=day)
    }


def level_choices(*, contract, day: date | None = None) -> list[tuple[str, str]]:
    return [
        (code, f"{code} · {level.name}")
        for code, level in sorted(levels_in_force(contract=contract, day=day).items())
    ]


def share_target(level) -> float | None:
    """The target of a percentage or ratio level as a share (0.8 for 80 %)."""
    if level.metric_kind == PERCENTAGE:
        return float(level.target) / 100
    if level.metric_kind == RATIO:
        return float(level.target)
    return None


def verdict(summary: dict, target: float, *, higher_is_better: bool) -> str | None:
    """met / missed / uncertain from a {mean, low, high} summary against a target."""
    mean = summary.get("mean")
    if mean is None:
        return None
    low = summary["low"] if summary.get("low") is not None else mean
    high = summary["high"] if summary.get("high") is not None else mean
    if not higher_is_better:
        low, high, target = -high, -low, -target
    if low >= target:
        return "met"
    if high < target:
        return "missed"
    return "uncertain"


@dataclass(frozen=True)
class LevelPrediction:
    step: str
    level: object  # contracts.models.ServiceLevel
    measure: str  # "share" (answered within `within`) or "mean_wait"
    within: float | None
    predicted: dict  # {mean, low, high} in the level's own terms (percent, ratio or its unit)
    state: str | None

    @property
    def target_text(self) -> str:
        return _amount(float(self.level.target), self.level.unit)

    @property
    def predicted_text(self) -> str:
        if self.predicted.get("mean") is None:
            return "–"
        text = _amount(self.predicted["mean"], self.level.unit)
        if self.predicted.get("low") is not None:
            low = number_format(round(self.predicted["low"], 1), decimal_pos=1)
            high = number_format(round(self.predicted["high"], 1), decimal_pos=1)
            text += f" [{low}–{high}]"
        return text


def amount(value: float, unit: str) -> str:
    """A figure in a level's own terms with one decimal: "78,2 %"."""
    return _amount(value, unit)


def _amount(value: float, unit: str) -> str:
    number = number_format(round(value, 1), decimal_pos=1)
    return f"{number} {unit}".strip()


def _scaled(summary: dict, factor: float) -> dict:
    return {
        k: None if summary.get(k) is None else summary[k] * factor for k in ("mean", "low", "high")
    }


def predictions(
    run, *, day: date | None = None, levels: dict | None = None
) -> list[LevelPrediction]:
    """The predicted attainment of the contract service levels the run's steps feed, against
    the targets in force on `day` (today by default). A run stores the codes in its model."""
    results = run.results or {}
    linked = {
        row["key"]: row.get("service_level_code")
        for row in (run.model or {}).get("steps", [])
        if row.get("service_level_code")
    }
    if not linked or not results.get("steps"):
        return []
    if levels is None:
        levels = levels_in_force(contract=run.chain.contract, day=day)
    found = []
    for step in results["steps"]:
        level = levels.get(linked.get(step["key"], ""))
        if level is None or level.metric_kind not in PREDICTED_KINDS:
            continue
        higher = level.direction == HIGHER
        if level.metric_kind == DURATION:
            factor = 1 / _unit_seconds(level.unit or "s")
            predicted = _scaled(step["mean_wait"], factor)
            measure, within = "mean_wait", None
        else:
            factor = 100 if level.metric_kind == PERCENTAGE else 1
            predicted = _scaled(step["service_level"], factor)
            measure, within = "share", step["within"]
        found.append(
            LevelPrediction(
                step=step["name"],
                level=level,
                measure=measure,
                within=within,
                predicted=predicted,
                state=verdict(predicted, float(level.target), higher_is_better=higher),
            )
        )
    return found


def snapshot_targets(step, level) -> tuple[float | None, float | None]:
    """(answered within in seconds, target share) a run uses for a step: the linked level's
    target in force replaces a free-entered share; the step's own time wins over the level's."""
    within = step.target_wait_seconds
    share = float(step.target_share) / 100 if step.target_share is not None else None
    if level is not None:
        if within is None:
            within = seconds_named(level.name)
        target = share_target(level)
        if target is not None and level.direction == HIGHER:
            share = target
    return within, share
