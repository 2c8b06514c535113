"""A flag's reason in words a contract manager can act on, naming the figures behind it.

A run writes thousands of reasons in two languages, so the sentence parts are looked up once
per language into a `Phrasebook` rather than once per cell."""

from django.utils import translation
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.platform.dimensions import Dimension
from kto.gaps.rules import (
    FDR_LEVEL,
    Evidence,
    Flag,
    Perception,
    PerceptionState,
    SlaAssessment,
    SlaState,
    Thresholds,
    evidence,
    judge_family,
)


def _plural(singular: str, plural: str) -> tuple[str, str]:
    """The one and the many form in the active language (Dutch and English have just these
    two), looked up once like the other parts."""
    return (ngettext(singular, plural, 1), ngettext(singular, plural, 2))


class Phrasebook:
    """The sentence parts and the decimal separator of the active language."""

    def __init__(self):
        self.separator = get_format("DECIMAL_SEPARATOR")
        # (value, decimals) → text: a run writes the same targets and figures many times.
        self._numbers: dict[tuple, str] = {}
        self.dimensions = {d.value: str(d.label) for d in Dimension}
        self.text = {
            "no_figures": _plural(
                "no SLA figures were reported for its %(count)d service level",
                "no SLA figures were reported for its %(count)d service levels",
            ),
            "no_levels": _("no service level is mapped to it"),
            "missed": _("the supplier reports %(missed)s missed (smallest margin %(margin)s)"),
            "near_miss": _(
                "the supplier reports %(near)s as a near miss, within the breach threshold, "
                "and none missed (smallest margin %(margin)s)"
            ),
            "all_met": _plural(
                "the supplier reports its %(count)d service level met (margin %(margin)s)",
                "the supplier reports all %(count)d service levels met "
                "(smallest margin %(margin)s)",
            ),
            "no_answers": _("no survey answers cover this period"),
            "too_few": _plural(
                "only %(n)d respondent answered, fewer than the %(k)d needed to judge",
                "only %(n)d respondents answered, fewer than the %(k)d needed to judge",
            ),
            "figures": _("%(mean)s (95%% CI %(low)s–%(high)s, n = %(n)d)"),
            "no_target": _("users score %(figures)s but no target is set"),
            "below": _("users score %(figures)s, below the target %(target)s"),
            "above": _("users score %(figures)s, at or above the target %(target)s"),
            "unclear": _(
                "users score %(figures)s, not clearly different from the target %(target)s"
            ),
            # Translators: p and q read "< 0.001" or "= 0.004".
            "beyond_chance": _plural(
                "too far below to be chance, also allowing for the %(cells)d cell judged "
                "this month (p %(p)s, q %(q)s)",
                "too far below to be chance, also allowing for the %(cells)d cells judged "
                "this month (p %(p)s, q %(q)s)",
            ),
            # Translators: p and q read "< 0.001" or "= 0.004".
            "alone_only": _plural(
                "below the target on its own (p %(p)s), but not once the %(cells)d cell "
                "judged this month is allowed for (q %(q)s)",
                "below the target on its own (p %(p)s), but not once the %(cells)d cells "
                "judged this month are allowed for (q %(q)s)",
            ),
            # Translators: p and q read "< 0.001" or "= 0.004".
            "within_margin": _(
                "beyond chance (p %(p)s, q %(q)s), but by less than the practical margin %(delta)s"
            ),
            "detail": _("%(dimension)s: %(sla)s; %(perception)s."),
        }
        self.headlines = {
            Flag.WATERMELON: _("Watermelon: green in the report, red for the users."),
            Flag.WATCH: _(
                "Watch: the report is green, users are below target but short of a "
                "watermelon's evidence."
            ),
            Flag.HIDDEN_SUCCESS: _("Hidden success: the report is red, users are content."),
            Flag.BOTH_RED: _("Both red: the report and the users agree it falls short."),
            Flag.ALIGNED: _("Aligned: the report and the users tell the same story."),
            Flag.INSUFFICIENT_DATA: _("Insufficient data: this cell cannot be judged."),
        }

    def num(self, value: float, decimals: int = 2) -> str:
        key = (value, decimals)
        found = self._numbers.get(key)
        if found is None:
            found = self._numbers[key] = f"{round(value, decimals):.{decimals}f}".replace(
                ".", self.separator
            )
        return found

    def prob(self, value: float) -> str:
        """A p- or q-value as "< 0.001" or "= 0.004"."""
        if value < 0.001:
            return f"< {self.num(0.001, 3)}"
        return f"= {self.num(value, 3)}"

    def pct(self, value: float) -> str:
        return f"{'+' if value >= 0 else ''}{self.num(value * 100, 1)} %"

    def sla_part(self, sla: SlaAssessment, level_count: int) -> str:
        if sla.state == SlaState.NO_SLA:
            if level_count:
                return self.text["no_figures"][level_count != 1] % {"count": level_count}
            return self.text["no_levels"]
        if sla.state == SlaState.RED:
            return self.text["missed"] % {
                "missed": ", ".join(sla.missed),
                "margin": self.pct(sla.min_margin),
            }
        if sla.near_misses:
            return self.text["near_miss"] % {
                "near": ", ".join(sla.near_misses),
                "margin": self.pct(sla.min_margin),
            }
        count = level_count - len(sla.without_figure)
        return self.text["all_met"][count != 1] % {
            "count": count,
            "margin": self.pct(sla.min_margin),
        }

    def perception_part(
        self,
        state: PerceptionState,
        perception: Perception | None,
        thresholds: Thresholds,
        found: Evidence | None = None,
    ) -> str:
        if perception is None or perception.n == 0:
            return self.text["no_answers"]
        if state == PerceptionState.SUPPRESSED:
            return self.text["too_few"][perception.n != 1] % {"n": perception.n, "k": thresholds.k}
        figures = self.text["figures"] % {
            "mean": self.num(perception.mean),
            "low": self.num(found.ci_low if found else perception.ci_low),
            "high": self.num(found.ci_high if found else perception.ci_high),
            "n": perception.n,
        }
        if state == PerceptionState.NO_TARGET:
            return self.text["no_target"] % {"figures": figures}
        key = {
            PerceptionState.BELOW: "below",
            PerceptionState.WATCH: "below",
            PerceptionState.ABOVE: "above",
        }.get(state, "unclear")
        text = self.text[key] % {"figures": figures, "target": self.num(thresholds.target, 1)}
        if state in (PerceptionState.BELOW, PerceptionState.WATCH):
            text = f"{text}; {self.evidence_part(state, found, thresholds)}"
        return text

    def evidence_part(self, state: PerceptionState, found: Evidence, thresholds) -> str:
        """Why a cell below target is a watermelon's evidence, or only worth watching."""
        values = {
            "p": self.prob(found.p_value),
            "q": self.prob(found.q_value),
            "cells": found.family,
            "delta": self.num(thresholds.delta),
        }
        if state == PerceptionState.BELOW:
            return self.text["beyond_chance"][found.family != 1] % values
        if found.q_value <= FDR_LEVEL:
            return self.text["within_margin"] % values
        return self.text["alone_only"][found.family != 1] % values


def reason_text(
    phrases: Phrasebook,
    *,
    flag: Flag,
    dimension: str,
    sla: SlaAssessment,
    level_count: int,
    perception_state: PerceptionState,
    perception: Perception | None,
    thresholds: Thresholds,
    evidence: Evidence | None = None,
) -> str:
    """One or two sentences in the phrasebook's language explaining the flag with its
    figures and evidence (`evidence` after the month's correction; without it the cell is
    taken as judged alone)."""
    found = evidence or _alone(perception, thresholds)
    detail = phrases.text["detail"] % {
        "dimension": phrases.dimensions[dimension],
        "sla": phrases.sla_part(sla, level_count),
        "perception": phrases.perception_part(perception_state, perception, thresholds, found),
    }
    return f"{phrases.headlines[flag]} {detail}"


def _alone(perception, thresholds: Thresholds) -> Evidence | None:
    return judge_family([evidence(perception, thresholds)])[0]


def gap_reason(*, language: str, **figures) -> str:
    """`reason_text` in `language` (nl or en)."""
    with translation.override(language):
        return reason_text(Phrasebook(), **figures)
