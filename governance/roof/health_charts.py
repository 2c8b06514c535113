"""The charts of the contract health page and the organisation home's rows, drawn with the
platform's chart helpers (the same SVG on the page and in the PDF)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.models import Result
from governance.platform.charts import (
    FONT,
    GRID,
    SERIES_COLOURS,
    SMALL_SIZE,
    STATE_COLOURS,
    TEXT,
    Bar,
    Cell,
    Series,
    bar_chart,
    fmt,
    heatmap,
    line_chart,
)
from governance.platform.dimensions import Dimension
from governance.roof.health import Health, complaint_months, grade_counts
from kto.gaps.rules import Flag

STATE_TONE = {"met": "good", "near_miss": "warn", "missed": "bad"}
FLAG_TONE = {
    Flag.ALIGNED: "good",
    Flag.HIDDEN_SUCCESS: "",
    Flag.WATCH: "warn",
    Flag.WATERMELON: "bad",
    Flag.BOTH_RED: "bad",
    Flag.INSUFFICIENT_DATA: "none",
}
# Flags sharing a tone get a colour of their own in the perception grid.
FLAG_FILL = {Flag.WATERMELON: "#e65100", Flag.BOTH_RED: "#b71c1c"}
GRADE_LABELS = {
    Result.MINOR: gettext_lazy("Minor NC"),
    Result.MAJOR: gettext_lazy("Major NC"),
    Result.OBSERVATION: gettext_lazy("Observation"),
    Result.IMPROVEMENT: gettext_lazy("Improvement"),
    Result.STRENGTH: gettext_lazy("Strength"),
}
GRADE_STATE = {
    Result.MAJOR: "bad",
    Result.MINOR: "warn",
    Result.OBSERVATION: "warn",
    Result.IMPROVEMENT: "",
    Result.STRENGTH: "good",
}


def _months(health: Health) -> list[str]:
    return [f"{p:%Y-%m}" for p in health.periods]


def sla_chart(health: Health) -> str:
    """Service levels × months, coloured by met / near miss / missed."""
    if not health.levels:
        return ""
    columns = _months(health)
    cells = {}
    for row in health.levels:
        for period, column in zip(health.periods, columns, strict=True):
            if period in row.states:
                cells[(row.code, column)] = Cell(
                    text=fmt(float(row.values[period]), 1), state=STATE_TONE[row.states[period]]
                )
    return heatmap(
        rows=[row.code for row in health.levels],
        columns=columns,
        cells=cells,
        title=_("Attainment per service level and month"),
        legend=[
            (_("Met"), STATE_COLOURS["good"]),
            (_("Near miss"), STATE_COLOURS["warn"]),
            (_("Missed"), STATE_COLOURS["bad"]),
            (_("no figure"), STATE_COLOURS["none"]),
        ],
    )


def _flag_colour(flag: str) -> str:
    return FLAG_FILL.get(flag) or STATE_COLOURS[FLAG_TONE.get(flag, "none")]


def perception_chart(health: Health) -> str:
    """Dimensions × months: the perception mean, coloured by the gap flag of the month."""
    if not health.perception:
        return ""
    columns = _months(health)
    cells = {}
    for row in health.perception:
        for period, column in zip(health.periods, columns, strict=True):
            cell = row.cells.get(period)
            if cell is not None:
                cells[(row.label, column)] = Cell(
                    text=fmt(cell.mean, 1) if cell.mean is not None else "–",
                    state="",
                    fill=_flag_colour(cell.flag),
                )
    return heatmap(
        rows=[row.label for row in health.perception],
        columns=columns,
        cells=cells,
        title=_("Perception per dimension and month, coloured by gap flag"),
        legend=[(str(Flag(flag).label), _flag_colour(flag)) for flag in FLAG_TONE],
    )


def interval_chart(health: Health) -> str:
    """The newest perception mean of each dimension with its 95% interval."""
    bars = []
    for row in health.perception:
        latest = row.latest
        if latest is None:
            continue
        _period, cell = latest
        bars.append(
            Bar(
                label=str(Dimension(row.dimension).label)[:14],
                value=cell.mean,
                low=cell.low,
                high=cell.high,
                state=FLAG_TONE.get(cell.flag, ""),
            )
        )
    if not bars:
        return ""
    return bar_chart(
        bars=bars, y_min=1, y_max=5, title=_("Latest perception per dimension (95% interval)")
    )


def complaint_chart(health: Health) -> str:
    """Complaints received per month."""
    counts = complaint_months(health)
    if not any(counts):
        return ""
    bars = [Bar(label=f"{p:%m}", value=n) for p, n in zip(health.periods, counts, strict=True)]
    return bar_chart(bars=bars, y_min=0, y_max=max(5, max(counts)), title=_("Complaints per month"))


def findings_chart(health: Health) -> str:
    """Open findings per grade."""
    counts = grade_counts(health.findings_by_grade)
    if not any(n for _grade, n in counts):
        return ""
    bars = [
        Bar(label=str(GRADE_LABELS[grade]), value=n, state=GRADE_STATE[grade])
        for grade, n in counts
    ]
    top = max(5, max(n for _grade, n in counts))
    return bar_chart(bars=bars, y_min=0, y_max=top, title=_("Open findings per grade"))


def attainment_chart(health: Health) -> str:
    """The share of service levels met per month, against the whole (100%)."""
    values = health.attainment
    if not any(v is not None for v in values):
        return ""
    return line_chart(
        x_labels=_months(health),
        series=[Series(_("Service levels met"), values)],
        y_min=0,
        y_max=100,
        unit="%",
        title=_("Share of service levels met per month"),
    )


SPARK_W, SPARK_H, SPARK_PAD = 120, 28, 3


def sparkline(
    values: list[float | None], *, title: str, low: float, high: float, colour_index: int = 0
) -> SafeString:
    """A small line without axes for a table row; its title names the last value."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if not points:
        return SafeString("")
    count = max(len(values) - 1, 1)
    span = (high - low) or 1

    def xy(i, v):
        x = SPARK_PAD + (SPARK_W - 2 * SPARK_PAD) * i / count
        y = SPARK_H - SPARK_PAD - (SPARK_H - 2 * SPARK_PAD) * (v - low) / span
        return f"{x:.1f},{y:.1f}"

    colour = SERIES_COLOURS[colour_index % len(SERIES_COLOURS)]
    line = " ".join(xy(i, v) for i, v in points)
    last_i, last_v = points[-1]
    last_x, last_y = xy(last_i, last_v).split(",")
    label = f"{title}: {fmt(last_v, 1)}"
    body = (
        f'<line x1="0" y1="{SPARK_H - 1}" x2="{SPARK_W}" y2="{SPARK_H - 1}" stroke="{GRID}"/>'
        f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="2.5" fill="{colour}"/>'
        f'<text x="{SPARK_W + 4}" y="{SPARK_H / 2 + 4}" font-size="{SMALL_SIZE}" fill="{TEXT}" '
        f"{FONT}>{escape(fmt(last_v, 1))}</text>"
    )
    return mark_safe(  # noqa: S308 - every text above went through escape()
        f'<svg class="sparkline" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {SPARK_W + 40} {SPARK_H}" '
        f'width="{SPARK_W + 40}" height="{SPARK_H}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>{body}</svg>"
    )


def health_charts(health: Health) -> dict[str, str]:
    """Every chart of the health page, by block."""
    return {
        "sla": sla_chart(health),
        "attainment": attainment_chart(health),
        "perception": perception_chart(health),
        "intervals": interval_chart(health),
        "complaints": complaint_chart(health),
        "findings": findings_chart(health),
    }


def row_sparklines(health: Health) -> dict[str, str]:
    """The two sparklines of the organisation home's contract row."""
    return {
        "sla": sparkline(health.attainment, title=_("Service levels met (%)"), low=0, high=100),
        "perception": sparkline(
            health.perception_trend, title=_("Perception (mean)"), low=1, high=5, colour_index=2
        ),
    }
