"""Browser date, time and month inputs carry ISO values in every language: Chromium leaves a
`<input type="date" value="02-12-2026">` empty, so a Dutch user would have to type the date."""

import importlib
import inspect
from datetime import date, datetime, time

import pytest
from django import forms
from django.utils import translation

from governance.platform.forms import IsoDateInput, MonthInput, parse_month

FORM_MODULES = [
    "audits.forms",
    "complaints.forms",
    "contracts.forms",
    "kto.forms",
    "kto.gaps.forms",
    "meetings.forms",
    "simulations.forms",
    "governance.platform.forms",
    "governance.platform.history_views",
]
SAMPLE = {
    "date": (date(2026, 12, 2), "2026-12-02"),
    "time": (time(8, 5), "08:05"),
    "datetime-local": (datetime(2026, 12, 2, 8, 5), "2026-12-02T08:05"),
    "month": (date(2026, 12, 1), "2026-12"),
}


def _date_widgets():
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, form_class in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form_class, forms.BaseForm) or form_class.__module__ != module_name:
                continue
            for field_name, field in form_class.base_fields.items():
                if isinstance(field.widget, (forms.DateInput, forms.TimeInput)):
                    yield f"{module_name}.{name}.{field_name}", field.widget


WIDGETS = dict(_date_widgets())


def test_the_walk_finds_the_date_fields_it_is_about():
    assert "complaints.forms.ComplaintForm.occurred_date" in WIDGETS
    assert "complaints.forms.ComplaintForm.occurred_time" in WIDGETS
    assert "complaints.forms.ExtensionForm.period_start" in WIDGETS
    assert "governance.platform.history_views.PeriodForm.start" in WIDGETS
    assert "governance.platform.history_views.PeriodForm.end" in WIDGETS
    assert len(WIDGETS) >= 25


@pytest.mark.parametrize("path", sorted(WIDGETS))
def test_every_date_and_time_widget_renders_an_iso_value_in_dutch(path):
    widget = WIDGETS[path]
    assert widget.input_type in SAMPLE, f"{path} is a plain text input"
    value, expected = SAMPLE[widget.input_type]
    with translation.override("nl"):
        html = widget.render("x", value)
    assert f'value="{expected}"' in html, html


def test_the_platform_widgets_ignore_the_dutch_formats():
    with translation.override("nl"):
        assert 'value="2026-02-03"' in IsoDateInput().render("d", date(2026, 2, 3))
        assert 'type="month" name="m" value="2026-02"' in MonthInput().render("m", date(2026, 2, 1))


@pytest.mark.parametrize(
    ("raw", "month"),
    [
        ("2026-11", date(2026, 11, 1)),
        ("2026-11-15", date(2026, 11, 1)),
        ("2026-13", None),
        ("november", None),
        ("", None),
        ("2026-1a", None),
    ],
)
def test_parse_month(raw, month):
    assert parse_month(raw) == month


def test_the_month_to_analyse_is_a_month_picker(world, client_as):
    from django.urls import reverse

    body = client_as(world.alice).get(reverse("kto_gap:matrix", kwargs={"org_slug": "alpha"}))
    html = body.content.decode()
    assert '<input type="month" name="period"' in html
    assert '<input type="date" name="period"' not in html


def test_a_run_starts_for_the_month_the_picker_sends(
    world, client_as, django_capture_on_commit_callbacks
):
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from kto.gaps.models import GapAnalysisRun

    url = reverse("kto_gap:run_start", kwargs={"org_slug": "alpha"})
    with django_capture_on_commit_callbacks():
        client_as(world.alice).post(url, {"period": "2026-11"})
    with scopes_disabled():
        assert list(GapAnalysisRun.objects.values_list("period_start", flat=True)) == [
            date(2026, 11, 1)
        ]


def test_the_trail_period_shows_its_default_dates_in_dutch(world, client):
    """The trail's period form, unbound, shows its default dates as ISO values in Dutch."""
    from django.urls import reverse
    from django.utils import timezone

    client.force_login(world.alice)
    response = client.get(
        reverse("history", kwargs={"org_slug": "alpha"}), HTTP_ACCEPT_LANGUAGE="nl"
    )
    today = timezone.localdate().isoformat()
    assert response.status_code == 200
    assert f'name="end" value="{today}"' in response.content.decode()
