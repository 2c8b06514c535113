"""SLA report journeys in a real browser: the supplier uploads, the manager reviews and
amends a service level."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from contracts.models import Contract, ServiceLevel, SLAReport, add_months
from tests.browser_fixtures import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    with scopes_disabled():
        return Contract.objects.get(reference="ZR-2024-001")


def as_upload(rows: list[list[str]]) -> dict:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return {"name": "rapportage.csv", "mimeType": "text/csv", "buffer": buffer.getvalue().encode()}


def test_supplier_downloads_template_fixes_an_error_and_submits(
    chromium_executable, live_server, demo, page, screenshot
):
    with scopes_disabled():
        reports_before = SLAReport.objects.filter(contract=demo).count()
    log_in(page, live_server, "supplier@noordlicht.example")
    page.goto(live_server.url + reverse("contracts:contract_detail", args=["zuidrand", demo.pk]))
    screenshot("contract")

    with page.expect_download() as download:
        page.get_by_test_id("template-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    template = list(csv.reader(io.StringIO(text)))
    header, rows = template[0], template[1:]
    assert header[:2] == ["code", "value"]
    # Report every level exactly on target (met), except one typo.
    filled = [[row[0], row[7], "", "", "", *row[5:]] for row in rows]
    filled[0][1] = "9O"

    page.get_by_test_id("upload-link").click()
    page.locator("input[type=file]").set_input_files(as_upload([header, *filled]))
    page.get_by_role("button", name="Check the file").click()
    problems = page.get_by_test_id("problems")
    expect(problems).to_contain_text("The value is not a number.")
    expect(problems.locator("tbody tr")).to_have_count(1)
    expect(problems.locator("tbody tr td").first).to_have_text("2")
    screenshot("problems")
    with scopes_disabled():
        assert SLAReport.objects.filter(contract=demo).count() == reports_before

    filled[0][1] = rows[0][7]
    page.locator("input[type=file]").set_input_files(as_upload([header, *filled]))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("preview")).to_contain_text("no problems")
    expect(page.get_by_test_id("preview").locator("tbody tr")).to_have_count(len(rows))
    screenshot("preview")

    with page.expect_navigation(url=re.compile(r"/contracts/reports/\d+/$")):
        page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("report-status")).to_have_text("Submitted")
    expect(page.locator(".message")).to_contain_text("Version 1 of the report")
    screenshot("stored")
    with scopes_disabled():
        assert SLAReport.objects.filter(contract=demo).count() == reports_before + 1


def test_manager_reads_report_and_chart_then_disputes(
    chromium_executable, live_server, demo, page, screenshot
):
    with scopes_disabled():
        report = SLAReport.objects.get(contract=demo, status="submitted")
    log_in(page, live_server, "manager@zuidrand.example")
    # The latest reports of both Zuidrand contracts await review.
    expect(page.get_by_test_id("awaiting-review")).to_have_text("2")
    screenshot("home")
    page.goto(live_server.url + reverse("contracts:contract_detail", args=["zuidrand", demo.pk]))
    expect(page.locator("figure.chart svg")).to_have_count(1)
    screenshot("contract")
    page.get_by_role("link", name=report.period_label).click()
    expect(page.get_by_test_id("report-status")).to_have_text("Submitted")
    screenshot("report")

    page.get_by_test_id("measurements").get_by_role("link", name="SD-ANS30").click()
    expect(page.get_by_test_id("level-chart").locator("svg")).to_have_count(1)
    screenshot("chart")
    page.go_back()

    page.get_by_test_id("dispute").click()
    page.get_by_label("Reason for disputing SD-ANS30").fill(
        "Onze telefooncentrale meet 71 %; graag de weekcijfers."
    )
    with page.expect_navigation(url=re.compile(rf"/contracts/reports/{report.pk}/$")):
        page.get_by_test_id("send-dispute").click()
    expect(page.get_by_test_id("report-status")).to_have_text("Disputed")
    expect(page.get_by_test_id("measurements")).to_contain_text("Onze telefooncentrale meet 71 %")
    screenshot("disputed")
    with scopes_disabled():
        report.refresh_from_db()
    assert report.status == "disputed"


def test_manager_amends_a_service_level_from_next_month(
    chromium_executable, live_server, demo, page, screenshot
):
    next_month = add_months(date.today().replace(day=1), 1)
    log_in(page, live_server, "manager@zuidrand.example")
    page.goto(live_server.url + reverse("contracts:contract_detail", args=["zuidrand", demo.pk]))
    page.get_by_test_id("amend-SD-FCR").click()
    expect(page.get_by_test_id("level-versions").locator("tbody tr")).to_have_count(1)
    page.locator("input[name=valid_from]").fill(next_month.isoformat())
    page.locator("input[name=target]").fill("72")
    screenshot("amend")
    with page.expect_navigation(url=re.compile(rf"/contracts/{demo.pk}/$")):
        page.get_by_test_id("save").click()
    expect(page.locator(".message")).to_contain_text(
        f"Service level SD-FCR is amended from {next_month.isoformat()}."
    )
    screenshot("amended")
    with scopes_disabled():
        versions = list(
            ServiceLevel.objects.filter(contract=demo, code="SD-FCR").order_by("valid_from")
        )
    assert [(v.valid_to, v.target) for v in versions] == [
        (next_month - timedelta(days=1), Decimal("70.0000")),
        (None, Decimal("72.0000")),
    ]
