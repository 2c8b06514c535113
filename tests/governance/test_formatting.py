"""One formatter for numbers, money and dates, in the active language."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from governance.platform.formatting import day, money, number


@pytest.mark.parametrize(
    ("language", "value", "decimals", "sign", "text"),
    [
        ("nl", Decimal("92.6900"), 2, False, "92,69"),
        ("nl", Decimal("-25.08"), 2, False, "\u221225,08"),
        ("nl", Decimal("-25.08"), 2, True, "\u221225,08"),
        ("nl", Decimal("3.5"), 2, True, "+3,50"),
        ("nl", 0, 2, True, "0,00"),
        ("nl", Decimal("4800000"), 2, False, "4.800.000,00"),
        ("en", Decimal("4800000"), 2, False, "4,800,000.00"),
        ("en", Decimal("-25.08"), 2, False, "\u221225.08"),
        ("nl", Decimal("99.5000"), None, False, "99,5"),
        ("nl", None, 2, False, "–"),
    ],
)
def test_number(language, value, decimals, sign, text):
    with translation.override(language):
        assert number(value, decimals, sign=sign) == text


def test_money_is_one_style_whatever_the_source():
    with translation.override("nl"):
        assert money(Decimal("60840")) == "€\u00a060.840,00"
        assert money(Decimal("4800000.00"), "EUR") == "€\u00a04.800.000,00"
    with translation.override("en"):
        assert money(Decimal("60840")) == "€\u00a060,840.00"


def test_dates_are_day_first_in_both_languages():
    with translation.override("en"):
        assert day(date(2026, 9, 16)) == "16 Sep 2026"
        rendered = Template('{{ d|date:"DATE_FORMAT" }}|{{ d }}').render(
            Context({"d": date(2026, 9, 16)})
        )
        assert rendered == "16 Sep 2026|16 Sep 2026"
    with translation.override("nl"):
        assert day(date(2026, 9, 16)) == "16 Sep 2026"


def test_the_template_filters():
    template = Template(
        "{% load regie_format %}{{ a|number:2 }} {{ b|signed:2 }} {{ c|money }} {{ d|day }}"
    )
    context = Context(
        {"a": Decimal("92.69"), "b": Decimal("-25.08"), "c": 60840, "d": date(2026, 12, 12)}
    )
    with translation.override("nl"):
        assert template.render(context) == "92,69 \u221225,08 €\u00a060.840,00 12 Dec 2026"


def test_the_sip_summary_on_a_dutch_agenda_uses_dutch_numbers():
    from meetings.selectors import Progress, Track

    progress = Progress(
        sla=Track(
            baseline=Decimal("92.69"),
            target=Decimal("95"),
            points=[(date(2026, 11, 1), Decimal("67.61"))],
        ),
        perception=Track(baseline=Decimal("3.2"), target=Decimal("3.8")),
    )
    with translation.override("nl"):
        text = progress.summary()
    assert "92,69" in text and "\u221225,08" in text and "67,61" in text and "95,00" in text
    assert "92.69" not in text and "-25.08" not in text
