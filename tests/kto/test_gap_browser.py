"""The gap analysis in a real browser: the manager follows a watermelon from the matrix to its
reason and the figures behind it, then starts a rerun and watches it finish. The worker's part
is played by the test: it runs the queued tasks while the page polls."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from kto.gaps.models import GapAnalysisRun
from kto.gaps.tasks import task_render_gap_report, task_run_gap_analysis
from tests.browser_fixtures import log_in

pytestmark = pytest.mark.browser

MANAGER = "manager@zuidrand.example"


def work_off_queue() -> int:
    with scopes_disabled():
        queued = list(GapAnalysisRun.objects.filter(status=GapAnalysisRun.Status.QUEUED))
    for run in queued:
        kwargs = {"organisation_id": run.organisation_id, "run_id": run.pk}
        task_run_gap_analysis.apply(kwargs=kwargs)
        task_render_gap_report.apply(kwargs=kwargs)
    return len(queued)


def test_manager_follows_a_watermelon_and_reruns_the_analysis(
    chromium_executable, live_server, transactional_db, page, screenshot
):
    call_command("seed_demo", stdout=io.StringIO())
    log_in(page, live_server, MANAGER)
    page.goto(live_server.url + reverse("kto_gap:matrix", kwargs={"org_slug": "zuidrand"}))
    matrix = page.locator("table.gap-matrix")
    expect(matrix).to_be_visible()
    screenshot("matrix")

    # Only the watermelons, then the first one.
    page.get_by_label(re.compile("^(Flag|Signaal)")).select_option("watermelon")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^(Show|Toon)$")).click()
    watermelons = matrix.locator("a.flag-watermelon")
    expect(watermelons.first).to_be_visible()
    rows = matrix.locator("tbody tr")
    for index in range(rows.count()):  # the filter keeps contracts with a watermelon
        expect(rows.nth(index).locator("a.flag-watermelon").first).to_be_visible()
    with page.expect_navigation():
        watermelons.first.click()

    # The reason names the figures; the service levels and the report behind them are there.
    reason = page.get_by_test_id("reason")
    expect(reason).to_contain_text(re.compile("(Watermelon|Watermeloen)"))
    expect(reason).to_contain_text(re.compile(r"n = \d+"))
    sources = page.get_by_test_id("sources")
    expect(sources.get_by_role("link").first).to_be_visible()
    expect(page.locator("main table tbody tr").first).to_be_visible()
    screenshot("flag")
    with page.expect_navigation():
        sources.get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text(re.compile("(SLA report|SLA-rapport)"))
    screenshot("report-behind-the-flag")

    # A rerun of the matrix's month: queued, then finished once the worker has run it.
    page.goto(live_server.url + reverse("kto_gap:matrix", kwargs={"org_slug": "zuidrand"}))
    with page.expect_navigation():
        page.locator("form.inline-run button[type=submit]").click()
    status = page.get_by_test_id("run-status")
    expect(status).to_have_attribute("data-status", "queued")
    screenshot("run-queued")
    assert work_off_queue() == 1
    expect(status).to_have_attribute("data-status", "succeeded", timeout=15_000)
    expect(status.locator("a[href$='/report.pdf']")).to_be_visible(timeout=15_000)
    expect(status.locator("span.flag-watermelon")).to_be_visible()
    screenshot("run-finished")
