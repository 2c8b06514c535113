"""A flag's reason in words a contract manager can act on, naming the figures behind it."""

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from governance.dimensions import Dimension
from kto.gap_rules import Flag, Perception, PerceptionState, SlaAssessment, SlaState, Thresholds


def _num(value: float, decimals: int = 2) -> str:
    return number_format(round(value, decimals), decimal_pos=decimals)


def _pct(value: float) -> str:
    return f"{'+' if value >= 0 else ''}{number_format(round(value * 100, 1), decimal_pos=1)} %"


def _sla_part(sla: SlaAssessment, level_count: int) -> str:
    if sla.state == SlaState.NO_SLA:
        if level_count:
            return _("no SLA figures were reported for its %(count)d service level(s)") % {
                "count": level_count
            }
        return _("no service level is mapped to it")
    if sla.state == SlaState.RED:
        return _("the supplier reports %(missed)s missed (smallest margin %(margin)s)") % {
            "missed": ", ".join(sla.missed),
            "margin": _pct(sla.min_margin),
        }
    return _(
        "the supplier reports all %(count)d service level(s) met (smallest margin %(margin)s)"
    ) % {
        "count": level_count - len(sla.without_figure),
        "margin": _pct(sla.min_margin),
    }


def _perception_part(
    state: PerceptionState, perception: Perception | None, thresholds: Thresholds
) -> str:
    if perception is None or perception.n == 0:
        return _("no survey answers cover this period")
    if state == PerceptionState.SUPPRESSED:
        return _("only %(n)d respondent(s) answered, fewer than the %(k)d needed to judge") % {
            "n": perception.n,
            "k": thresholds.k,
        }
    figures = _("%(mean)s (95%% CI %(low)s–%(high)s, n = %(n)d)") % {
        "mean": _num(perception.mean),
        "low": _num(perception.ci_low),
        "high": _num(perception.ci_high),
        "n": perception.n,
    }
    if state == PerceptionState.NO_TARGET:
        return _("users score %(figures)s but no target is set") % {"figures": figures}
    target = _num(thresholds.target, 1)
    if state == PerceptionState.BELOW:
        return _("users score %(figures)s, below the target %(target)s") % {
            "figures": figures,
            "target": target,
        }
    if state == PerceptionState.ABOVE:
        return _("users score %(figures)s, at or above the target %(target)s") % {
            "figures": figures,
            "target": target,
        }
    return _("users score %(figures)s, not clearly different from the target %(target)s") % {
        "figures": figures,
        "target": target,
    }


HEADLINES = {
    Flag.WATERMELON: lambda: _("Watermelon: green in the report, red for the users."),
    Flag.WATCH: lambda: _("Watch: the report is green, users lean below target."),
    Flag.HIDDEN_SUCCESS: lambda: _("Hidden success: the report is red, users are content."),
    Flag.BOTH_RED: lambda: _("Both red: the report and the users agree it falls short."),
    Flag.ALIGNED: lambda: _("Aligned: the report and the users tell the same story."),
    Flag.INSUFFICIENT_DATA: lambda: _("Insufficient data: this cell cannot be judged."),
}


def gap_reason(
    *,
    flag: Flag,
    dimension: str,
    sla: SlaAssessment,
    level_count: int,
    perception_state: PerceptionState,
    perception: Perception | None,
    thresholds: Thresholds,
    language: str,
) -> str:
    """One or two sentences in `language` (nl or en) explaining the flag with its figures."""
    with translation.override(language):
        detail = _("%(dimension)s: %(sla)s; %(perception)s.") % {
            "dimension": Dimension(dimension).label,
            "sla": _sla_part(sla, level_count),
            "perception": _perception_part(perception_state, perception, thresholds),
        }
        return f"{HEADLINES[flag]()} {detail}"
