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
SERIES_COLOURS = ["#1565c0", "#6a1b9a", "#00838f", "#ef6c00", "#4e342e", "#ad1457"]
TEXT = "#37474f"
GRID = "#e0e0e0"
FONT = 'font-family="sans-serif"'

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


@dataclass(frozen=True)
class Cell:
    text: str
    state: str


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
                f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
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
            f'<text x="{self.width - RIGHT}" y="{y - 5:.1f}" text-anchor="end" font-size="11" '
            f'fill="{STATE_COLOURS["bad"]}" {FONT}>{escape(label)}</text>'
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
        f'<text x="{x:.1f}" y="{height - BOTTOM + 16}" text-anchor="middle" font-size="11" '
        f'fill="{TEXT}" {FONT}>{escape(label)}</text>'
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % every == 0 or i == len(labels) - 1
    ]


def _legend(names: list[tuple[str, str]]) -> list[str]:
    parts, x = [], LEFT
    for name, colour in names:
        parts.append(
            f'<rect x="{x}" y="8" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="17" font-size="11" fill="{TEXT}" {FONT}>{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
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
) -> SafeString:
    """Values over time, one line per series, with an optional dashed target line."""
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
        for points in segments:
            if len(points) > 1:
                body.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"/>'
                )
        for x, label, value in zip(xs, x_labels, one.values, strict=False):
            if value is None:
                continue
            tip = f"{one.name} · {label}: {fmt(value, 2)}{unit}"
            body.append(
                f'<circle cx="{x:.1f}" cy="{frame.y(value):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(tip)}</title></circle>"
            )
    body += _x_labels(x_labels, xs, HEIGHT)
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
                f'<text x="{centre:.1f}" y="{base - 6:.1f}" text-anchor="middle" font-size="11" '
                f'fill="{TEXT}" {FONT}>{escape(_("hidden"))}</text>'
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


def heatmap(
    *,
    rows: list[str],
    columns: list[str],
    cells: dict[tuple[str, str], Cell],
    title: str = "",
) -> SafeString:
    """A grid of coloured cells (rows × columns), e.g. service levels × months."""
    label_w, cell_h = 170, 26
    cell_w = max(34.0, min(64.0, (WIDTH - label_w - RIGHT) / max(len(columns), 1)))
    # Column labels wider than their cell are set at an angle.
    slanted = max((len(c) for c in columns), default=0) * 6 > cell_w
    head_h = 58 if slanted else 40
    width = int(label_w + cell_w * len(columns) + RIGHT)
    height = int(head_h + cell_h * len(rows) + 8)
    body = []
    for c, column in enumerate(columns):
        x = label_w + cell_w * (c + 0.5)
        y = head_h - 8
        angle = f' transform="rotate(-40 {x:.1f} {y})"' if slanted else ""
        anchor = "start" if slanted else "middle"
        body.append(
            f'<text x="{x:.1f}" y="{y}" text-anchor="{anchor}" font-size="10" '
            f'fill="{TEXT}" {FONT}{angle}>{escape(column)}</text>'
        )
    for r, row in enumerate(rows):
        y = head_h + cell_h * r
        body.append(
            f'<text x="{label_w - 8}" y="{y + cell_h / 2 + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="{TEXT}" {FONT}>{escape(row)}</text>'
        )
        for c, column in enumerate(columns):
            cell = cells.get((row, column), Cell("", "none"))
            x = label_w + cell_w * c
            fill = STATE_COLOURS.get(cell.state, STATE_COLOURS["none"])
            text_colour = "#000" if cell.state in ("warn", "none") else "#fff"
            tip = f"{row} · {column}: {cell.text}" if cell.text else f"{row} · {column}"
            body.append(
                f'<g><title>{escape(tip)}</title><rect x="{x + 1:.1f}" y="{y + 1:.1f}" '
                f'width="{cell_w - 2:.1f}" height="{cell_h - 2}" fill="{fill}" rx="2"/>'
                f'<text x="{x + cell_w / 2:.1f}" y="{y + cell_h / 2 + 4:.1f}" '
                f'text-anchor="middle" font-size="10" fill="{text_colour}" {FONT}>'
                f"{escape(cell.text)}</text></g>"
            )
    return _svg(title or ", ".join(rows), body, width, height)
