"""A flag's reason in words a contract manager can act on, naming the figures behind it.

A run writes thousands of reasons in two languages, so the sentence parts are looked up once
per language into a `Phrasebook` rather than once per cell."""

from django.utils import translation
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from governance.platform.dimensions import Dimension
from kto.gaps.rules import Flag, Perception, PerceptionState, SlaAssessment, SlaState, Thresholds


class Phrasebook:
    """The sentence parts and the decimal separator of the active language."""

    def __init__(self):
        self.separator = get_format("DECIMAL_SEPARATOR")
        self.dimensions = {d.value: str(d.label) for d in Dimension}
        self.text = {
            "no_figures": _("no SLA figures were reported for its %(count)d service level(s)"),
            "no_levels": _("no service level is mapped to it"),
            "missed": _("the supplier reports %(missed)s missed (smallest margin %(margin)s)"),
            "all_met": _(
                "the supplier reports all %(count)d service level(s) met "
                "(smallest margin %(margin)s)"
            ),
            "no_answers": _("no survey answers cover this period"),
            "too_few": _("only %(n)d respondent(s) answered, fewer than the %(k)d needed to judge"),
            "figures": _("%(mean)s (95%% CI %(low)s–%(high)s, n = %(n)d)"),
            "no_target": _("users score %(figures)s but no target is set"),
            "below": _("users score %(figures)s, below the target %(target)s"),
            "above": _("users score %(figures)s, at or above the target %(target)s"),
            "unclear": _(
                "users score %(figures)s, not clearly different from the target %(target)s"
            ),
            "detail": _("%(dimension)s: %(sla)s; %(perception)s."),
        }
        self.headlines = {
            Flag.WATERMELON: _("Watermelon: green in the report, red for the users."),
            Flag.WATCH: _("Watch: the report is green, users lean below target."),
            Flag.HIDDEN_SUCCESS: _("Hidden success: the report is red, users are content."),
            Flag.BOTH_RED: _("Both red: the report and the users agree it falls short."),
            Flag.ALIGNED: _("Aligned: the report and the users tell the same story."),
            Flag.INSUFFICIENT_DATA: _("Insufficient data: this cell cannot be judged."),
        }

    def num(self, value: float, decimals: int = 2) -> str:
        return f"{round(value, decimals):.{decimals}f}".replace(".", self.separator)

    def pct(self, value: float) -> str:
        return f"{'+' if value >= 0 else ''}{self.num(value * 100, 1)} %"

    def sla_part(self, sla: SlaAssessment, level_count: int) -> str:
        if sla.state == SlaState.NO_SLA:
            if level_count:
                return self.text["no_figures"] % {"count": level_count}
            return self.text["no_levels"]
        if sla.state == SlaState.RED:
            return self.text["missed"] % {
                "missed": ", ".join(sla.missed),
                "margin": self.pct(sla.min_margin),
            }
        return self.text["all_met"] % {
            "count": level_count - len(sla.without_figure),
            "margin": self.pct(sla.min_margin),
        }

    def perception_part(
        self, state: PerceptionState, perception: Perception | None, thresholds: Thresholds
    ) -> str:
        if perception is None or perception.n == 0:
            return self.text["no_answers"]
        if state == PerceptionState.SUPPRESSED:
            return self.text["too_few"] % {"n": perception.n, "k": thresholds.k}
        figures = self.text["figures"] % {
            "mean": self.num(perception.mean),
            "low": self.num(perception.ci_low),
            "high": self.num(perception.ci_high),
            "n": perception.n,
        }
        if state == PerceptionState.NO_TARGET:
            return self.text["no_target"] % {"figures": figures}
        key = {PerceptionState.BELOW: "below", PerceptionState.ABOVE: "above"}.get(state, "unclear")
        return self.text[key] % {"figures": figures, "target": self.num(thresholds.target, 1)}


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
) -> str:
    """One or two sentences in the phrasebook's language explaining the flag with its
    figures."""
    detail = phrases.text["detail"] % {
        "dimension": phrases.dimensions[dimension],
        "sla": phrases.sla_part(sla, level_count),
        "perception": phrases.perception_part(perception_state, perception, thresholds),
    }
    return f"{phrases.headlines[flag]} {detail}"


def gap_reason(*, language: str, **figures) -> str:
    """`reason_text` in `language` (nl or en)."""
    with translation.override(language):
        return reason_text(Phrasebook(), **figures)
