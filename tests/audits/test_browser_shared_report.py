"""The supplier's internal audit report in a real browser: the supplier's QA shares the PDF with
its findings typed in the form — a row with a problem first (listed, nothing stored), then
corrected — and the contract manager finds them on the ranked board and sets a priority."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from audits import services
from audits.models import Audit, Finding, SupplierReport
from contracts import services as contract_services
from governance.platform import impact
from governance.platform.access import Access
from governance.platform.models import Membership, Organisation, Role, Supplier, SupplierMembership
from tests.audits.helpers import PDF_BYTES
from tests.browser_fixtures import DEMO_PASSWORD, log_in

pytestmark = pytest.mark.browser

QA = "qa@noordlicht.example"
MANAGER = "manager@zuidrand.example"


def _user(email, first, last):
    return get_user_model().objects.create_user(
        username=email, email=email, password=DEMO_PASSWORD, first_name=first, last_name=last
    )


@pytest.fixture
def shared_audit(transactional_db, monkeypatch):
    monkeypatch.setattr(impact, "_sources", [])
    with scopes_disabled():
        org = Organisation.objects.create(name="Provincie Zuidrand", slug="zuidrand")
        supplier = Supplier.objects.create(name="Noordlicht IT")
        qa = _user(QA, "Noor", "Smit")
        SupplierMembership.objects.create(user=qa, supplier=supplier)
        Membership.objects.create(
            user=_user(MANAGER, "Marieke", "de Vries"),
            organisation=org,
            role=Role.CONTRACT_MANAGER,
        )
        contract = contract_services.contract_create(
            organisation=org, supplier=supplier, reference="ZR-1", title="Werkplekken"
        )
        contract_services.service_create(contract=contract, name="Werkplekbeheer")
        contract_services.service_create(contract=contract, name="Servicedesk")
        return services.audit_create(
            access=Access(organisation=org, user_id=qa.pk, supplier=supplier),
            contract=contract,
            title="Interne audit werkplekbeheer",
            audit_type=Audit.Type.SHARED_REPORT,
            planned_date=date.today() - timedelta(days=7),
        )


def test_supplier_shares_report_with_findings_and_manager_prioritises(
    chromium_browser, live_server, shared_audit, page, screenshot, tmp_path
):
    base = live_server.url
    report = tmp_path / "intern-auditrapport.pdf"
    report.write_bytes(PDF_BYTES)
    log_in(page, live_server, QA)
    page.goto(base + reverse("audits:audit_detail", args=["zuidrand", shared_audit.pk]))
    page.get_by_role("button", name="Share the report and its findings").click()
    page.get_by_label("Internal audit report (PDF)").set_input_files(str(report))
    first = page.get_by_test_id("finding-row-1")
    first.get_by_label("Reference").fill("IA-04")
    first.get_by_label("Title").fill("Werkinstructie uitgifte laptops verouderd")
    first.get_by_label("Grade").select_option("minor_nc")
    first.get_by_label("ISO 9001 clause").select_option("7.5")
    first.get_by_role("checkbox", name="Werkplekbeheer").check()
    # The root cause is there, the description is forgotten.
    first.get_by_label("Root cause").fill("Niemand is eigenaar van de instructie")
    second = page.get_by_test_id("finding-row-2")
    second.get_by_label("Reference").fill("IA-06")
    second.get_by_label("Title").fill("Inname laptops koppelen aan de servicedesk")
    second.get_by_label("Grade").select_option("improvement")
    second.get_by_label("Description").fill("Eén telefoontje minder voor de medewerker")
    second.get_by_role("checkbox", name="Servicedesk").check()
    page.get_by_test_id("share-report").click()

    expect(page.get_by_test_id("problem")).to_have_count(1)
    expect(page.get_by_test_id("problems")).to_contain_text("The description is missing.")
    expect(page.get_by_test_id("finding-row-1")).to_contain_text(
        "Description: The description is missing."
    )
    screenshot("shared-report-problem")
    with scopes_disabled():
        assert (SupplierReport.objects.count(), Finding.objects.count()) == (0, 0)

    # The typed rows came back; the file is chosen again and the description added.
    first = page.get_by_test_id("finding-row-1")
    expect(first.get_by_label("Title")).to_have_value("Werkinstructie uitgifte laptops verouderd")
    first.get_by_label("Description").fill("Beschrijft nog het oude image")
    page.get_by_label("Internal audit report (PDF)").set_input_files(str(report))
    page.get_by_test_id("share-report").click()
    expect(page.get_by_test_id("audit-status")).to_have_text("Reported")
    expect(page.get_by_test_id("from-supplier-report")).to_have_count(2)
    expect(page.get_by_test_id("report-findings")).to_have_text("2 findings")
    screenshot("shared-report-stored")

    # The manager sees them ranked with the other findings and sets a priority.
    manager_context = chromium_browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 900}
    )
    manager = manager_context.new_page()
    log_in(manager, live_server, MANAGER)
    manager.goto(base + reverse("audits:finding_board", args=["zuidrand"]))
    expect(manager.get_by_test_id("rank-row")).to_have_count(2)
    manager.get_by_role("link", name="Werkinstructie uitgifte laptops verouderd").click()
    expect(manager.get_by_test_id("finding-source")).to_contain_text("intern-auditrapport.pdf")
    form = manager.get_by_test_id("priority-form")
    form.get_by_label("Client's priority").select_option("4")
    form.get_by_role("button", name="Set priority").click()
    expect(manager.get_by_test_id("finding-priority")).to_have_text("4")
    manager.goto(base + reverse("audits:finding_board", args=["zuidrand"]))
    expect(manager.get_by_test_id("rank-row").first).to_contain_text(
        "Werkinstructie uitgifte laptops verouderd"
    )
    expect(manager.get_by_test_id("priority").first).to_have_text("4")
    manager_context.close()
    with scopes_disabled():
        findings = list(
            Finding.objects.order_by("reference").values_list(
                "reference", "grade", "clause", "client_priority"
            )
        )
    assert findings == [("IA-04", "minor_nc", "7.5", 4), ("IA-06", "improvement", "", None)]
