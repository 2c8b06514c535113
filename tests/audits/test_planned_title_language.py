"""A planned audit's title is Regie's sentence, so it reads in each reader's language until
someone renames the audit (issue 19, generated text in the reader's language)."""

import importlib
from datetime import date

from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from audits import services
from audits.models import Audit
from tests.audits.helpers import manager


def plan_in_dutch(world):
    with translation.override("nl"), scopes_disabled():
        services.programme_create(
            access=manager(world),
            contract=world.alpha_contract,
            year=2026,
            recurrence="half_yearly",
        )
        return list(Audit.objects.order_by("planned_date"))


def test_a_planned_title_written_in_dutch_reads_in_english(client_as, world):
    first, second = plan_in_dutch(world)
    assert first.title == "Operationele audit 1/2 2026 · A-1"  # the fallback, as generated
    with translation.override("en"):
        assert first.display_title == "Operational audit 1/2 2026 · A-1"
        assert str(second) == "Operational audit 2/2 2026 · A-1"
    client = client_as(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(reverse("audits:audit_detail", args=["alpha", first.pk])).content.decode()
    assert "<h1>Operational audit 1/2 2026 · A-1</h1>" in page
    assert "<title>Operational audit 1/2 2026 · A-1 ·" in page
    api = client.get(reverse("api:audit-detail", args=["alpha", first.pk])).json()
    assert api["title"] == "Operational audit 1/2 2026 · A-1"


def test_a_renamed_audit_keeps_the_name_it_was_given(world):
    first, _second = plan_in_dutch(world)
    with scopes_disabled():
        services.audit_update(access=manager(world), audit=first, title="Servicedesk-audit")
        first.refresh_from_db()
    assert (first.title_key, first.title_params) == ("", {})
    with translation.override("en"):
        assert first.display_title == "Servicedesk-audit"


def test_titles_planned_before_get_their_kind(world):
    first, second = plan_in_dutch(world)
    with scopes_disabled():
        Audit.objects.filter(pk=first.pk).update(title_key="", title_params={})
        Audit.objects.filter(pk=second.pk).update(
            title_key="", title_params={}, title="Our own name"
        )
    migration = importlib.import_module("audits.migrations.0010_audit_title_kinds")
    migration.titles_as_kinds(django_apps, None)
    with scopes_disabled():
        first.refresh_from_db()
        second.refresh_from_db()
    assert first.title_key == "audits.planned_title"
    assert first.title_params == {"number": 1, "count": 2, "year": 2026, "contract": "A-1"}
    assert second.title_key == ""  # typed by someone: left alone
    with translation.override("en"):
        assert first.display_title == "Operational audit 1/2 2026 · A-1"
    assert first.planned_date.year == 2026 and isinstance(first.planned_date, date)
