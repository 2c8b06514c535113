"""Server-rendered SVG charts: the same markup in pages and in PDFs (WeasyPrint runs no
JavaScript). Each chart is an accessible image (role, title, per-point titles) and formats
numbers in the active language, so Dutch pages read "95,5".

    line_chart(x_labels=[...], series=[Series("Answered in 30 s", [..])], target=90, unit="%")
    bar_chart(bars=[Bar("End users", 3.2, low=2.9, high=3.5)], target=3.5)
    heatmap(rows=[...], columns=[...], cells={(row, col): Cell("98,1", "good")})
"""

import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

STATE_COLOURS = {
    "good": "#2e7d32",
    "warn": "#f9a825",
    "bad": "#c62828",
    "none": "#bdbdbd",
    "": "#1565c0",
}
# Ten distinct hues (Tableau 10, darkened where white text or a thin line needs contrast), so
# seven weekdays never share a colour.
SERIES_COLOURS = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#4d4d4d",
    "#9a9a00",
    "#17becf",
]
# A sequential scale for counts (light to dark), used by `graded`; index 0 is "none".
GRADES = ["#f5f5f5", "#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"]
TEXT = "#37474f"
GRID = "#e0e0e0"
FONT = 'font-family="sans-serif"'
# Type in viewBox units: a 640-unit chart shown ~600 px wide keeps it near 12–13 px.
TEXT_SIZE = 13
SMALL_SIZE = 12

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 36, 28, 44


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    state: str = ""
    # What a bar without a value says: "hidden" for a suppressed group; callers say
    # "no survey" where nothing was measured.
    missing: str = ""


@dataclass(frozen=True)
class Cell:
    text: str
    state: str
    fill: str = ""  # a colour of its own (e.g. from `graded`), else the state's colour
    outline: str = ""  # a border colour, e.g. to mark the cells inside a service window


def graded(count: int, maximum: int) -> str:
    """The colour of `count` on a scale up to `maximum`: grey for 0, then five steps."""
    if count <= 0 or maximum <= 0:
        return GRADES[0]
    step = math.ceil(count / maximum * (len(GRADES) - 1))
    return GRADES[max(1, min(step, len(GRADES) - 1))]


def grade_legend(maximum: int) -> list[tuple[str, str]]:
    """Legend entries for `graded`: "0", then the count range of each step ("1–2", …)."""
    entries = [("0", GRADES[0])]
    steps = len(GRADES) - 1
    low = 1
    for step in range(1, steps + 1):
        high = math.floor(maximum * step / steps)
        if high < low:
            continue
        entries.append((str(low) if low == high else f"{low}–{high}", GRADES[step]))
        low = high + 1
    return entries


def fmt(value: float, decimals: int = 1) -> str:
    return number_format(round(value, decimals), decimal_pos=decimals)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (Heckbert's nice numbers)."""
    if high <= low:
        high = low + 1
    raw_step = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


class _Frame:
    """Plot area and y-scale shared by the line and bar charts."""

    def __init__(self, values: list[float], y_min, y_max, width=WIDTH, height=HEIGHT):
        values = [v for v in values if v is not None] or [0.0, 1.0]
        low = min(values) if y_min is None else y_min
        high = max(values) if y_max is None else y_max
        if y_min is None and y_max is None and high > low:
            pad = (high - low) * 0.1
            low, high = low - pad, high + pad
        self.ticks = nice_ticks(low, high)
        self.low, self.high = self.ticks[0], self.ticks[-1]
        self.width, self.height = width, height
        self.plot_w = width - LEFT - RIGHT
        self.plot_h = height - TOP - BOTTOM

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1
        return TOP + self.plot_h * (1 - (value - self.low) / span)

    def grid(self, unit: str) -> list[str]:
        decimals = 0 if all(float(t).is_integer() for t in self.ticks) else 1
        parts = []
        for tick in self.ticks:
            y = self.y(tick)
            parts.append(
                f'<line x1="{LEFT}" x2="{self.width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{GRID}" stroke-width="1"/>'
                f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{TEXT_SIZE}" '
                f'fill="{TEXT}" {FONT}>{escape(fmt(tick, decimals))}{escape(unit)}</text>'
            )
        return parts

    def target(self, target: float | None, unit: str) -> list[str]:
        if target is None:
            return []
        y = self.y(target)
        label = _("target %(value)s") % {"value": fmt(target, 2).rstrip("0").rstrip(",.") + unit}
        return [
            f'<line x1="{LEFT}" x2="{self.width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{STATE_COLOURS["bad"]}" stroke-width="1.5" stroke-dasharray="6 4"/>'
            f'<text x="{self.width - RIGHT}" y="{y - 5:.1f}" text-anchor="end" '
            f'font-size="{TEXT_SIZE}" fill="{STATE_COLOURS["bad"]}" {FONT}>{escape(label)}</text>'
        ]


def _svg(title: str, body: list[str], width=WIDTH, height=HEIGHT) -> SafeString:
    return mark_safe(  # noqa: S308 - every text above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _x_labels(labels: list[str], xs: list[float], height: int) -> list[str]:
    # Thin out labels so they do not overlap: at most ~12 shown.
    every = max(1, math.ceil(len(labels) / 12))
    return [
        f'<text x="{x:.1f}" y="{height - BOTTOM + 16}" text-anchor="middle" '
        f'font-size="{TEXT_SIZE}" fill="{TEXT}" {FONT}>{escape(label)}</text>'
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % every == 0 or i == len(labels) - 1
    ]


def _legend(names: list[tuple[str, str]]) -> list[str]:
    parts, x = [], LEFT
    for name, colour in names:
        parts.append(
            f'<rect x="{x}" y="8" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="17" font-size="{TEXT_SIZE}" fill="{TEXT}" {FONT}>'
            f"{escape(name)}</text>"
        )
        x += 28 + 8 * len(name)
    return parts


def line_chart(
    *,
    x_labels: list[str],
    series: list[Series],
    target: float | None = None,
    y_min: float | None = None,
    y_max: float | None = None,
    unit: str = "",
    title: str = "",
    partial_last: bool = False,
) -> SafeString:
    """Values over time, one line per series, with an optional dashed target line.

    `partial_last`: the last period is still running (this month): its label gets a "*", the
    line into it is dashed and its points hollow, and a note says so, so a month just begun
    does not read as a steep drop."""
    if partial_last and x_labels:
        x_labels = [*x_labels[:-1], f"{x_labels[-1]}*"]
    values = [v for s in series for v in s.values if v is not None]
    frame = _Frame([*values, *([target] if target is not None else [])], y_min, y_max)
    count = max(len(x_labels), 1)
    step = frame.plot_w / max(count - 1, 1)
    xs = [LEFT + (i * step if count > 1 else frame.plot_w / 2) for i in range(count)]
    body = frame.grid(unit) + frame.target(target, unit)
    for index, one in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        segment: list[str] = []
        segments = [segment]
        for x, value in zip(xs, one.values, strict=False):
            if value is None:
                segment = []
                segments.append(segment)
                continue
            segment.append(f"{x:.1f},{frame.y(value):.1f}")
        last = len(one.values) - 1
        if partial_last and segment and len(one.values) == count and one.values[last] is not None:
            # The running period is drawn apart, dashed.
            tail = segment.pop()
            if segment:
                body.append(
                    f'<polyline points="{segment[-1]} {tail}" fill="none" stroke="{colour}" '
                    f'stroke-width="2" stroke-dasharray="4 4"/>'
                )
        for points in segments:
            if len(points) > 1:
                body.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"/>'
                )
        for i, (x, label, value) in enumerate(zip(xs, x_labels, one.values, strict=False)):
            if value is None:
                continue
            tip = f"{one.name} · {label}: {fmt(value, 2)}{unit}"
            hollow = partial_last and i == count - 1
            fill = "#fff" if hollow else colour
            body.append(
                f'<circle cx="{x:.1f}" cy="{frame.y(value):.1f}" r="3.5" fill="{fill}" '
                f'stroke="{colour}" stroke-width="1.5"><title>{escape(tip)}</title></circle>'
            )
    body += _x_labels(x_labels, xs, HEIGHT)
    if partial_last:
        note = _("* %(period)s: still running") % {"period": x_labels[-1].rstrip("*")}
        body.append(
            f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 6}" text-anchor="end" '
            f'font-size="{SMALL_SIZE}" fill="{TEXT}" {FONT}>{escape(note)}</text>'
        )
    if len(series) > 1:
        body += _legend(
            [(s.name, SERIES_COLOURS[i % len(SERIES_COLOURS)]) for i, s in enumerate(series)]
        )
    return _svg(title or ", ".join(s.name for s in series), body)


def bar_chart(
    *,
    bars: list[Bar],
    target: float | None = None,
    y_min: float | None = None,
    y_max: float | None = None,
    unit: str = "",
    title: str = "",
) -> SafeString:
    """One bar per item, with an optional confidence whisker (low–high) and target line."""
    values = [v for b in bars for v in (b.value, b.low, b.high) if v is not None]
    if target is not None:
        values.append(target)
    frame = _Frame(values, y_min, y_max)
    slot = frame.plot_w / max(len(bars), 1)
    width = min(48.0, slot * 0.6)
    body = frame.grid(unit)
    base = frame.y(max(frame.low, 0) if frame.low <= 0 <= frame.high else frame.low)
    xs = []
    for index, bar in enumerate(bars):
        centre = LEFT + slot * (index + 0.5)
        xs.append(centre)
        if bar.value is None:
            body.append(
                f'<text x="{centre:.1f}" y="{base - 6:.1f}" text-anchor="middle" '
                f'font-size="{TEXT_SIZE}" fill="{TEXT}" {FONT}>'
                f"{escape(bar.missing or _('hidden'))}</text>"
            )
            continue
        top = frame.y(bar.value)
        tip = f"{bar.label}: {fmt(bar.value, 2)}{unit}"
        if bar.low is not None and bar.high is not None:
            tip += f" [{fmt(bar.low, 2)} – {fmt(bar.high, 2)}]"
        body.append(
            f'<rect x="{centre - width / 2:.1f}" y="{min(top, base):.1f}" width="{width:.1f}" '
            f'height="{abs(base - top):.1f}" fill="{STATE_COLOURS.get(bar.state, "#1565c0")}">'
            f"<title>{escape(tip)}</title></rect>"
        )
        if bar.low is not None and bar.high is not None:
            y_low, y_high = frame.y(bar.low), frame.y(bar.high)
            body.append(
                f'<path d="M{centre:.1f},{y_low:.1f}V{y_high:.1f}M{centre - 6:.1f},{y_low:.1f}'
                f'h12M{centre - 6:.1f},{y_high:.1f}h12" stroke="{TEXT}" stroke-width="1.5"/>'
            )
    body += frame.target(target, unit)
    body += _x_labels([b.label for b in bars], xs, HEIGHT)
    return _svg(title or ", ".join(b.label for b in bars), body)


def _dark(colour: str) -> bool:
    """Whether white text reads better than black on `colour` ("#rrggbb")."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b < 150


def heatmap(
    *,
    rows: list[str],
    columns: list[str],
    cells: dict[tuple[str, str], Cell],
    title: str = "",
    legend: list[tuple[str, str]] | None = None,
    outline_legend: tuple[str, str] | None = None,
) -> SafeString:
    """A grid of coloured cells (rows × columns), e.g. service levels × months.

    `legend`: (label, colour) swatches below the grid; `outline_legend`: (label, colour) for
    the cells drawn with that outline."""
    label_w, cell_h = 170, 26
    cell_w = max(34.0, min(64.0, (WIDTH - label_w - RIGHT) / max(len(columns), 1)))
    # Column labels wider than their cell are set at an angle.
    slanted = max((len(c) for c in columns), default=0) * 7 > cell_w
    head_h = 62 if slanted else 40
    legend_h = 30 if legend or outline_legend else 0
    width = int(label_w + cell_w * len(columns) + RIGHT)
    height = int(head_h + cell_h * len(rows) + 8 + legend_h)
    body = []
    for c, column in enumerate(columns):
        x = label_w + cell_w * (c + 0.5)
        y = head_h - 8
        angle = f' transform="rotate(-40 {x:.1f} {y})"' if slanted else ""
        anchor = "start" if slanted else "middle"
        body.append(
            f'<text x="{x:.1f}" y="{y}" text-anchor="{anchor}" font-size="{SMALL_SIZE}" '
            f'fill="{TEXT}" {FONT}{angle}>{escape(column)}</text>'
        )
    for r, row in enumerate(rows):
        y = head_h + cell_h * r
        body.append(
            f'<text x="{label_w - 8}" y="{y + cell_h / 2 + 4:.1f}" text-anchor="end" '
            f'font-size="{TEXT_SIZE}" fill="{TEXT}" {FONT}>{escape(row)}</text>'
        )
        for c, column in enumerate(columns):
            cell = cells.get((row, column), Cell("", "none"))
            x = label_w + cell_w * c
            fill = cell.fill or STATE_COLOURS.get(cell.state, STATE_COLOURS["none"])
            text_colour = "#fff" if _dark(fill) else "#000"
            stroke = f' stroke="{cell.outline}" stroke-width="3"' if cell.outline else ""
            tip = f"{row} · {column}: {cell.text}" if cell.text else f"{row} · {column}"
            body.append(
                f'<g><title>{escape(tip)}</title><rect x="{x + 2:.1f}" y="{y + 2:.1f}" '
                f'width="{cell_w - 4:.1f}" height="{cell_h - 4}" fill="{fill}" rx="2"{stroke}/>'
                f'<text x="{x + cell_w / 2:.1f}" y="{y + cell_h / 2 + 4:.1f}" '
                f'text-anchor="middle" font-size="{SMALL_SIZE}" fill="{text_colour}" {FONT}>'
                f"{escape(cell.text)}</text></g>"
            )
    if legend_h:
        body += _heat_legend(legend or [], outline_legend, height - legend_h + 8)
    return _svg(title or ", ".join(rows), body, width, height)


def _heat_legend(entries, outline, y: float) -> list[str]:
    parts, x = [], 8.0
    for label, colour in entries:
        parts.append(
            f'<g class="legend"><rect x="{x:.1f}" y="{y}" width="14" height="14" fill="{colour}" '
            f'stroke="{GRID}"/><text x="{x + 18:.1f}" y="{y + 12}" font-size="{SMALL_SIZE}" '
            f'fill="{TEXT}" {FONT}>{escape(label)}</text></g>'
        )
        x += 30 + 7.5 * len(label)
    if outline:
        label, colour = outline
        parts.append(
            f'<g class="legend"><rect x="{x:.1f}" y="{y}" width="14" height="14" fill="#fff" '
            f'stroke="{colour}" stroke-width="3"/><text x="{x + 18:.1f}" y="{y + 12}" '
            f'font-size="{SMALL_SIZE}" fill="{TEXT}" {FONT}>{escape(label)}</text></g>'
        )
    return parts
