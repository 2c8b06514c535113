import re
import xml.etree.ElementTree as ET

import pytest
from django.template import Context, Template
from django.utils import translation

from governance.platform.charts import Bar, Cell, Series, bar_chart, heatmap, line_chart, nice_ticks
from governance.platform.pdf import render_pdf, static_file_for


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own markup


def titles(svg: str) -> list[str]:
    return [t.text for t in parse(svg).iter("{http://www.w3.org/2000/svg}title")]


def test_nice_ticks_cover_the_range_with_round_steps():
    assert nice_ticks(0, 100) == [0, 25, 50, 75, 100]
    assert nice_ticks(2.7, 4.4) == [2.5, 3.0, 3.5, 4.0, 4.5]


def test_line_chart_draws_points_gaps_and_target():
    with translation.override("en"):
        svg = line_chart(
            x_labels=["jan", "feb", "mar"],
            series=[Series("Answered in 30 s", [91.5, None, 88.25])],
            target=90,
            unit="%",
            title="Answer time",
        )
    root = parse(svg)
    assert root.get("aria-label") == "Answer time"
    assert titles(svg) == [
        "Answer time",
        "Answered in 30 s · jan: 91.50%",
        "Answered in 30 s · mar: 88.25%",
    ]
    assert len(root.findall("{http://www.w3.org/2000/svg}circle")) == 2
    assert "target 90%" in svg


def test_numbers_follow_the_language():
    with translation.override("nl"):
        svg = line_chart(x_labels=["jan"], series=[Series("SL", [95.5])])
    assert "SL · jan: 95,50" in svg


def test_bar_chart_draws_confidence_whiskers_and_hides_suppressed_bars():
    with translation.override("en"):
        svg = bar_chart(
            bars=[Bar("End users", 3.2, low=2.9, high=3.5, state="bad"), Bar("IT", None)],
            target=3.5,
        )
    assert titles(svg)[1] == "End users: 3.20 [2.90 – 3.50]"
    assert svg.count("<path") == 1
    assert ">hidden<" in svg


def test_heatmap_colours_cells_by_state():
    svg = heatmap(
        rows=["SD-01"],
        columns=["2026-01", "2026-02"],
        cells={("SD-01", "2026-01"): Cell("98", "good"), ("SD-01", "2026-02"): Cell("80", "bad")},
    )
    fills = re.findall(r'<rect [^>]*fill="(#[0-9a-f]+)"', svg)
    assert fills == ["#2e7d32", "#c62828"]


def test_chart_text_is_escaped():
    svg = line_chart(x_labels=["<b>"], series=[Series("<script>", [1])])
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_pdf_renders_our_template_with_a_chart():
    chart = bar_chart(bars=[Bar("A", 1.0)])
    pdf = render_pdf("pdf/base.html", {"organisation": None, "chart": chart})
    assert pdf.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://regie.invalid/static/css/regie.css", True),
        ("https://regie.invalid/static/../governance/settings.py", False),
        ("https://evil.example/static/css/regie.css", False),
        ("file:///etc/passwd", False),
    ],
)
def test_pdf_fetcher_allows_only_our_static_files(url, allowed):
    assert (static_file_for(url) is not None) is allowed


def test_pdf_does_not_fetch_foreign_urls(tmp_path):
    template = Template('<img src="http://127.0.0.1:9/tracker.png"><p>{{ x }}</p>')
    html = template.render(Context({"x": "ok"}))
    from weasyprint import HTML

    from governance.platform.pdf import BASE_URL, _fetcher

    fetched = []
    fetcher = _fetcher()
    original = fetcher.fetch

    def spy(url, headers=None):
        fetched.append(url)
        return original(url, headers)

    fetcher.fetch = spy
    assert HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf().startswith(b"%PDF")
    assert fetched == ["http://127.0.0.1:9/tracker.png"]  # asked, and refused by the fetcher
