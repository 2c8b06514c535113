"""The tactical agenda carries each supplier's SLA reporting on time as a stored sentence."""

from datetime import date

from django.utils import translation
from django_scopes import scopes_disabled

from contracts.models import Contract
from meetings import services
from meetings.models import Source
from tests.contracts.test_reporting import report
from tests.meetings.helpers import make_meetings


def test_tactical_agenda_shows_the_suppliers_reports_on_time(world):
    meetings = make_meetings(world)
    with scopes_disabled():
        Contract.objects.filter(pk=world.alpha_contract.pk).update(
            status=Contract.Status.ACTIVE, start_date=date(2026, 1, 1)
        )
        report(world.alpha_contract, date(2026, 1, 1))
        report(world.alpha_contract, date(2026, 2, 1), is_late=False, status="draft")
        services.agenda_generate(meeting=meetings.upcoming, today=date(2026, 4, 5))
        item = meetings.upcoming.items.get(source=Source.REPORTING)
    assert item.key == f"reporting:{world.northwind.pk}:{world.alpha_contract.pk}"
    assert item.text_key == "meetings.reporting_on_time"
    assert item.text_params == {"supplier": "Northwind", "on_time": 1, "due": 2}
    with translation.override("en"):
        assert item.display_title == "SLA reports on time from Northwind: 1 of 2 periods"
        # Six closed months (October–March): January on time, February without a report,
        # which is also outstanding now (its late limit is 9 April); March's window is open.
        assert item.display_detail == (
            "2026-01: 1/1 · 2026-02: 0/1\nReports outstanding now: A-1 2026-02"
        )
    assert item.link == f"/o/alpha/contracts/{world.alpha_contract.pk}/"
