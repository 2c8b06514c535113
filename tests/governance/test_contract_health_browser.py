"""The contract health journey in a real browser, on the demo: from the organisation home's
contract row to the health page, into a block's data and back, and the PDF asked for."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from contracts.models import Contract
from governance.platform.access import system_access, tenant_scope
from governance.roof.health import contract_health
from tests.browser_fixtures import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    with scopes_disabled():
        return Contract.objects.select_related("organisation").get(reference="ZR-2024-001")


def test_manager_reads_a_contracts_health_and_asks_for_its_pdf(
    chromium_executable, live_server, demo, page, screenshot
):
    access = system_access(demo.organisation)
    with tenant_scope(access):
        health = contract_health(access=access, contract=demo)
    log_in(page, live_server, "manager@zuidrand.example")
    page.goto(live_server.url + reverse("organisation_home", args=["zuidrand"]))
    row = page.get_by_test_id(f"contract-row-{demo.pk}")
    expect(row.get_by_test_id("row-findings")).to_have_text(str(health.findings_open))
    expect(row.get_by_test_id("row-complaints")).to_have_text(str(health.complaints_open))
    expect(row.locator("svg.sparkline")).to_have_count(2)
    screenshot("home")

    with page.expect_navigation(url=re.compile(rf"/contracts/{demo.pk}/health/$")):
        row.get_by_test_id("health-link").click()
    for block in ("terms", "sla", "perception", "complaints", "audits", "meetings", "sips"):
        expect(page.get_by_test_id(f"health-{block}")).to_be_visible()
    expect(page.get_by_test_id("health-sla").locator("svg")).to_have_count(2)
    totals = health.state_totals
    expect(page.get_by_test_id("sla-totals")).to_have_text(
        f"Over the 12 months: {totals['met']} met, {totals['near_miss']} near misses, "
        f"{totals['missed']} missed."
    )
    expect(page.get_by_test_id("complaint-volume")).to_have_text(str(health.complaint_volume))
    expect(page.get_by_test_id("closed-not-resolved")).to_have_text(str(health.closed_not_resolved))
    expect(page.get_by_test_id("perception-latest").locator("tbody tr")).to_have_count(
        len(health.perception)
    )
    screenshot("health")

    # Each block leads to its data: the perception block's flag opens the flag's evidence.
    with page.expect_navigation(url=re.compile(r"/gaps/flags/\d+/$")):
        page.get_by_test_id("perception-latest").locator("tbody a").first.click()
    page.go_back()
    with page.expect_navigation(url=re.compile(r"/audits/findings/")):
        page.get_by_test_id("health-audits").locator("h2 a").click()
    page.go_back()

    with page.expect_navigation(url=re.compile(rf"/contracts/{demo.pk}/health/$")):
        page.get_by_test_id("summary-request").click()
    expect(page.locator(".message")).to_contain_text("The PDF is being prepared")
    screenshot("pdf-requested")
