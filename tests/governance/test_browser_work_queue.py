"""The supplier's work queue in a real browser, on the demo data: the supplier's user logs in,
reads what is due across its clients with the overdue items marked, follows the SLA report that
is due to its upload page, and a client's manager finds "My work" in the navigation."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope
from playwright.sync_api import expect

from governance.platform.access import organisations_for, supplier_of
from governance.platform.models import SupplierMembership
from governance.roof import work
from tests.browser_fixtures import log_in, switch_language

pytestmark = pytest.mark.browser

SUPPLIER = "supplier@noordlicht.example"
MANAGER = "manager@zuidrand.example"


def expected_queue(email):
    user = SupplierMembership.objects.select_related("user").get(user__email=email).user
    supplier = supplier_of(user)
    organisations = organisations_for(user)
    with scope(organisation=[o.pk for o in organisations], supplier=supplier.pk):
        contracts = work.supplier_contracts(supplier=supplier, organisations=organisations)
        return work.supplier_queue(
            supplier=supplier, contracts=contracts, today=timezone.localdate()
        )


def test_supplier_reads_its_work_queue_and_opens_a_due_report(
    chromium_executable, live_server, transactional_db, page, screenshot
):
    call_command("seed_demo", stdout=io.StringIO())
    # The demo leaves last month's report to the supplier and one report disputed.
    with translation.override("en"):  # the page is read in English below
        queue = expected_queue(SUPPLIER)
        kinds = {str(item.kind) for item in queue}
        assert "Disputed report: correct or appeal" in kinds
        assert kinds & {"SLA report due", "SLA report late"}

        log_in(page, live_server, SUPPLIER)
        page.goto(live_server.url + reverse("supplier_home"))
        switch_language(page, "en")
        rows = page.get_by_test_id("work-item")
        expect(rows).to_have_count(len(queue))
        expect(page.locator("tr.overdue")).to_have_count(sum(1 for i in queue if i.overdue))
        expect(page.get_by_test_id("on-time-total")).to_have_text(re.compile(r"^\d+%$"))
        screenshot("supplier-work-queue")

        report = next(i for i in queue if str(i.kind) in ("SLA report due", "SLA report late"))
        row = rows.filter(has_text=report.contract).filter(has_text=str(report.kind))
        with page.expect_navigation(url=re.compile(re.escape(report.link) + "$")):
            row.get_by_role("link", name=report.title).first.click()
        expect(page.locator("input[type=file]").first).to_be_attached()
        screenshot("supplier-report-upload")


def test_a_manager_opens_my_work_from_the_navigation(
    chromium_executable, live_server, transactional_db, page, screenshot
):
    call_command("seed_demo", stdout=io.StringIO())
    log_in(page, live_server, MANAGER)
    page.goto(live_server.url + reverse("organisation_home", args=["zuidrand"]))
    switch_language(page, "en")
    my_work = reverse("my_work", args=["zuidrand"])
    with page.expect_navigation(url=re.compile(re.escape(my_work) + "$")):
        page.locator("nav.sections ul.section-links").get_by_role("link", name="My work").click()
    expect(page.locator("main h1")).to_have_text("My work")
    screenshot("my-work")
