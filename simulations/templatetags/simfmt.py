"""Formatting of simulation figures in templates: durations, shares and their intervals."""

from django import template
from django.utils.formats import number_format

from simulations.reports import duration as format_duration
from simulations.reports import percent as format_percent

register = template.Library()


@register.filter
def duration(seconds):
    return format_duration(seconds)


@register.filter
def percent(share):
    return format_percent(share)


@register.filter
def ci_percent(summary):
    """“88,8 % [86,9–90,5]” for a {mean, low, high} summary of shares."""
    if not summary or summary.get("mean") is None:
        return "–"
    text = format_percent(summary["mean"])
    if summary.get("low") is not None:
        # A share's interval never leaves 0–100 % (runs stored before the Wilson interval
        # could carry a t-interval past 100 %).
        low = format_percent(max(summary["low"], 0.0))
        high = format_percent(min(summary["high"], 1.0))
        text += f" [{low.removesuffix(' %')}–{high}]"
    return text


@register.filter
def ci_duration(summary):
    if not summary or summary.get("mean") is None:
        return "–"
    text = format_duration(summary["mean"])
    if summary.get("low") is not None:
        text += f" [{format_duration(summary['low'])}–{format_duration(summary['high'])}]"
    return text


@register.filter
def ci_number(summary):
    if not summary or summary.get("mean") is None:
        return "–"

    def one(value):
        return number_format(round(value, 1), decimal_pos=1)

    text = one(summary["mean"])
    if summary.get("low") is not None:
        text += f" [{one(summary['low'])}–{one(summary['high'])}]"
    return text
