"""The complaints demo: an evening cluster outside the service desk's window, verdicts (some
closed but not resolved for the complainant), an overdue complaint and one proposal; loading
it twice changes nothing."""

from datetime import date

from django_scopes import scopes_disabled

from complaints import demo, selectors
from complaints.models import Complaint, ImprovementProposal
from contracts.models import Contract
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import Organisation, Supplier
from tests.complaints.conftest import office_service


def test_demo_has_the_evening_cluster_and_is_idempotent(db):
    with scopes_disabled():
        zuidrand = Organisation.objects.create(name="Provincie Zuidrand", slug="zuidrand")
        supplier = Supplier.objects.create(name="Noordlicht IT")
        contract = Contract.objects.create(
            organisation=zuidrand, supplier=supplier, reference="ZR-1", title="Servicedesk"
        )
        desk = office_service(contract)
        demo.seed(today=date(2026, 11, 27))
        demo.seed(today=date(2026, 11, 27))
        count = Complaint.objects.count()
        proposals = list(ImprovementProposal.objects.values_list("status", flat=True))
    access = system_access(zuidrand)
    with tenant_scope(access):
        evening = selectors.hour_analysis(
            access=access, since=date(2025, 11, 27), until=date(2026, 11, 27), service_id=desk.pk
        )
        after_six = sum(n for (day, hour), n in evening.grid.items() if day < 5 and hour >= 18)
        headline = selectors.headline(access=access, today=date(2026, 11, 27))
    assert count == 150
    assert proposals == ["on_agenda"]
    assert evening.outside_share > 30
    assert after_six >= 40
    assert headline.overdue >= 1
    assert headline.closed_not_resolved >= 10
