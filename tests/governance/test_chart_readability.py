"""Charts people can read: type size, distinct colours, the running month, graded scales with
legends, and bars without a survey that say so."""

import re

from django.utils import translation

from governance.platform.charts import (
    GRADES,
    Bar,
    Cell,
    Series,
    bar_chart,
    grade_legend,
    graded,
    heatmap,
    line_chart,
)

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def test_seven_weekday_lines_get_seven_colours():
    svg = line_chart(
        x_labels=["00", "01", "02"], series=[Series(d, [1.0, 2.0, 3.0]) for d in WEEKDAYS]
    )
    strokes = re.findall(r'<polyline [^>]*stroke="(#[0-9a-f]{6})"', svg)
    assert len(strokes) == 7 and len(set(strokes)) == 7


def test_chart_type_is_at_least_twelve_units():
    svg = line_chart(x_labels=["a", "b"], series=[Series("x", [1.0, 2.0])], target=1.5)
    sizes = {int(size) for size in re.findall(r'font-size="(\d+)"', svg)}
    assert min(sizes) >= 12


def test_the_running_month_is_marked_not_drawn_as_a_drop():
    with translation.override("en"):
        svg = line_chart(
            x_labels=["Oct 2026", "Nov 2026", "Dec 2026"],
            series=[Series("All", [12.0, 14.0, 1.0])],
            partial_last=True,
        )
    assert ">Dec 2026*</text>" in svg
    assert "* Dec 2026: still running" in svg
    solid = re.findall(
        r'<polyline points="([^"]+)" fill="none" stroke="[^"]+" stroke-width="2"/>', svg
    )
    dashed = re.findall(r'<polyline points="([^"]+)"[^>]*stroke-dasharray="4 4"', svg)
    assert len(solid) == 1 and len(solid[0].split()) == 2  # October to November only
    assert len(dashed) == 1
    assert svg.count('fill="#fff"') == 1  # the December point is hollow


def test_graded_scale_and_its_legend():
    assert graded(0, 6) == GRADES[0]
    assert graded(1, 6) == GRADES[1]
    assert graded(6, 6) == GRADES[-1]
    assert len({graded(n, 6) for n in range(7)}) == 6  # 1 and 6 complaints differ
    assert grade_legend(10) == [
        ("0", GRADES[0]),
        ("1–2", GRADES[1]),
        ("3–4", GRADES[2]),
        ("5–6", GRADES[3]),
        ("7–8", GRADES[4]),
        ("9–10", GRADES[5]),
    ]
    assert grade_legend(1) == [("0", GRADES[0]), ("1", GRADES[5])]


def test_heatmap_draws_its_legend_and_outlines():
    svg = heatmap(
        rows=["Mon"],
        columns=["08", "09"],
        cells={("Mon", "08"): Cell("3", "none", fill=GRADES[5], outline="#2e7d32")},
        legend=[("met", "#2e7d32"), ("missed", "#c62828")],
        outline_legend=("inside the window", "#2e7d32"),
    )
    assert svg.count('<g class="legend">') == 3
    assert ">met</text>" in svg and ">inside the window</text>" in svg
    assert 'stroke="#2e7d32" stroke-width="3"' in svg
    # White figures on the dark red, black on the light grey.
    assert 'fill="#fff" font-family="sans-serif">3</text>' in svg.replace('font-size="12" ', "")


def test_a_bar_without_a_survey_says_so():
    with translation.override("en"):
        svg = bar_chart(
            bars=[Bar("Oct", None, missing="no survey"), Bar("Nov", None), Bar("Dec", 3.1)],
            y_min=1,
            y_max=5,
        )
    assert ">no survey</text>" in svg and ">hidden</text>" in svg
