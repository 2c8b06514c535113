"""The audit journey in a real browser: the supplier's QA records an audit with a major
nonconformity, the contract manager sets its priority, both add corrective actions, the
supplier records the effectiveness check and the finding closes."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from audits.models import Finding
from contracts import services as contract_services
from governance.platform import impact
from governance.platform.models import Membership, Organisation, Role, Supplier, SupplierMembership
from tests.browser_fixtures import DEMO_PASSWORD, log_in

pytestmark = pytest.mark.browser

QA = "qa@noordlicht.example"
MANAGER = "manager@zuidrand.example"


def _user(email, first, last):
    user = get_user_model().objects.create_user(
        username=email, email=email, password=DEMO_PASSWORD, first_name=first, last_name=last
    )
    return user


@pytest.fixture
def zuidrand(transactional_db, monkeypatch):
    monkeypatch.setattr(impact, "_sources", [])
    with scopes_disabled():
        org = Organisation.objects.create(name="Provincie Zuidrand", slug="zuidrand")
        supplier = Supplier.objects.create(name="Noordlicht IT")
        SupplierMembership.objects.create(user=_user(QA, "Noor", "Smit"), supplier=supplier)
        Membership.objects.create(
            user=_user(MANAGER, "Marieke", "de Vries"),
            organisation=org,
            role=Role.CONTRACT_MANAGER,
        )
        contract = contract_services.contract_create(
            organisation=org, supplier=supplier, reference="ZR-1", title="Servicedesk"
        )
        contract_services.service_create(contract=contract, name="Servicedesk")
        contract_services.expectation_create(
            contract=contract,
            statement="Bij een P1 wordt de regie binnen 30 minuten geïnformeerd",
            measured_by="Steekproef",
            owner="Regiemanager",
        )
    return org


def test_audit_journey_from_nonconformity_to_closed_finding(
    chromium_executable, chromium_browser, live_server, zuidrand, page, screenshot
):
    base = live_server.url
    # The supplier's QA plans and records its operational audit.
    log_in(page, live_server, QA)
    page.goto(base + reverse("audits:audit_create", args=["zuidrand"]))
    page.get_by_label("Contract").select_option(label="ZR-1 Servicedesk")
    page.get_by_label("Title").fill("Operationele audit servicedesk Q4")
    page.get_by_label("Planned date").fill(date.today().isoformat())
    page.get_by_role("checkbox", name="ZR-1 · Servicedesk").check()
    page.get_by_role("checkbox", name="8.5 Production and service provision").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("audit-status")).to_have_text("Planned")
    page.get_by_test_id("transition-in_progress").click()
    expect(page.get_by_test_id("audit-status")).to_have_text("In progress")
    page.get_by_test_id("generate-checklist").click()
    expect(page.locator("table.checklist")).to_contain_text(
        "Bij een P1 wordt de regie binnen 30 minuten geïnformeerd"
    )
    row = page.get_by_test_id("item-standard:followed-staff")
    row.locator("select[name=result]").select_option("major_nc")
    row.locator("textarea[name=evidence]").fill("2 van 5 P1-meldingen te laat geëscaleerd")
    row.locator("input[name=interviewee_role]").fill("servicedeskmedewerker")
    row.get_by_role("button", name="Save").click()
    screenshot("checklist")
    page.get_by_test_id("item-standard:followed-staff").get_by_role(
        "link", name="Record as finding"
    ).click()
    page.get_by_label("Title").fill("Escalatieprocedure P1 niet gevolgd")
    page.get_by_role("checkbox", name="Servicedesk", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text("Escalatieprocedure P1 niet gevolgd")
    finding_url = page.url

    # The manager sets the priority and adds a joint action.
    manager_context = chromium_browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 900}
    )
    manager = manager_context.new_page()
    log_in(manager, live_server, MANAGER)
    manager.goto(finding_url)
    form = manager.get_by_test_id("priority-form")
    form.get_by_label("Client's priority").select_option("5")
    form.get_by_label("Internal note (client only)").fill("Raakt eindgebruikers direct")
    form.get_by_role("button", name="Set priority").click()
    expect(manager.get_by_test_id("finding-priority")).to_have_text("5")
    action = manager.get_by_test_id("action-form")
    action.get_by_label("Description").fill("Escalatiematrix samen herzien")
    action.get_by_label("Owner side").select_option("joint")
    action.get_by_label("Owner at the supplier").select_option(label="Noor Smit")
    action.get_by_label("Owner at the client").select_option(label="Marieke de Vries")
    action.get_by_label("Due date").fill(date.today().isoformat())
    action.get_by_role("button", name="Add action").click()
    expect(manager.get_by_test_id("action-row")).to_have_count(1)
    screenshot_manager = manager.screenshot(full_page=True)
    assert screenshot_manager

    # The supplier adds its own action, finishes both and records the effectiveness check.
    page.goto(finding_url)
    expect(page.get_by_test_id("client-note")).to_have_count(0)
    page.locator("#actions details summary").click()
    action = page.get_by_test_id("action-form")
    action.get_by_label("Description").fill("Herinstructie voor alle medewerkers")
    action.get_by_label("Owner side").select_option("supplier")
    action.get_by_label("Owner at the supplier").select_option(label="Noor Smit")
    action.get_by_label("Due date").fill(date.today().isoformat())
    action.get_by_role("button", name="Add action").click()
    expect(page.get_by_test_id("action-row")).to_have_count(2)
    page.get_by_test_id("close-finding").click()
    expect(page.locator(".message.error")).to_contain_text(
        "A finding closes only after an effectiveness check"
    )
    for index in range(2):
        row = page.get_by_test_id("action-row").nth(index)
        row.locator("select[name=status]").select_option("done")
        row.get_by_role("button", name="Update").click()
    expect(page.get_by_test_id("awaits-check")).to_be_visible()
    check = page.get_by_test_id("check-form")
    check.get_by_label("Verdict").select_option("effective")
    check.get_by_label("Evidence").fill("Steekproef van 20 P1-meldingen: alle op tijd")
    check.get_by_role("button", name="Record the check").click()
    expect(page.get_by_test_id("finding-status")).to_have_text("Closed")
    expect(page.get_by_test_id("check-row")).to_have_count(1)
    screenshot("finding-closed")

    # The manager's ranked board no longer lists it; the home page shows no open major.
    manager.goto(base + reverse("audits:finding_board", args=["zuidrand"]))
    expect(manager.get_by_test_id("rank-row")).to_have_count(0)
    manager_context.close()
    with scopes_disabled():
        finding = Finding.objects.get()
    assert (finding.status, finding.client_priority) == ("closed", 5)
    assert re.search(r"/findings/\d+/$", finding_url)
