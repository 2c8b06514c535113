"""The manager builds a small chain, runs a scenario, watches progress and compares two
scenarios — in a real browser. The worker's part is played by the test: it runs the queued
task while the page polls."""

import re

import pytest
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from contracts.models import Contract
from governance.platform.models import Membership, Organisation, Role, Supplier
from simulations.models import SimulationRun
from simulations.tasks import task_simulation_run
from tests.browser_fixtures import DEMO_PASSWORD, log_in

pytestmark = pytest.mark.browser
MANAGER = "manager@keten.example"


def setup_data():
    with scopes_disabled():
        organisation = Organisation.objects.create(
            name="Provincie Keten", slug="keten", default_language="en"
        )
        supplier = Supplier.objects.create(name="Ketenlicht")
        Contract.objects.create(
            organisation=organisation, supplier=supplier, reference="K-1", title="Servicedesk"
        )
        user = get_user_model().objects.create_user(
            username=MANAGER, email=MANAGER, password=DEMO_PASSWORD
        )
        Membership.objects.create(user=user, organisation=organisation, role=Role.CONTRACT_MANAGER)
    return organisation


def fill_step(page, name, capacity, mean, hours=""):
    page.get_by_label("Name").fill(name)
    page.get_by_label("Party").select_option("client")
    page.get_by_label("Capacity (staff)").fill(str(capacity))
    page.get_by_label("Mean service time (s)").fill(str(mean))
    page.get_by_label("Opening hours").fill(hours)


def work_off_queue(organisation):
    with scopes_disabled():
        queued = list(SimulationRun.objects.filter(status=SimulationRun.Status.QUEUED))
    for run in queued:
        task_simulation_run.apply(kwargs={"organisation_id": organisation.pk, "run_id": run.pk})
    return len(queued)


def simulate(page, scenario_label):
    page.get_by_role("button", name="Simulate", exact=True).click()
    page.get_by_label("Scenario").select_option(label=scenario_label)
    page.get_by_label("Replications").fill("3")
    page.get_by_label("Days simulated per replication").fill("3")
    page.get_by_label("Warm-up (hours)").fill("2")
    page.get_by_role("button", name="Start simulation").click()
    expect(page.get_by_test_id("run-status")).to_have_text("Queued")


def test_manager_builds_runs_watches_and_compares(
    chromium_executable, live_server, transactional_db, page, screenshot
):
    organisation = setup_data()
    log_in(page, live_server, MANAGER)
    screenshot("landing")
    page.get_by_role("link", name="Simulations", exact=True).click()
    expect(page.locator("h1")).to_have_text("Delivery chains")
    page.get_by_role("button", name="New chain").click()
    page.get_by_label("Contract").select_option(label="K-1 Servicedesk")
    page.get_by_label("Name").fill("Meldingenketen")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text("Meldingenketen")

    page.get_by_role("link", name="Add step").click()
    fill_step(page, "Servicedesk", 3, 120, "mon-fri 08:00-18:00")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add step").click()
    fill_step(page, "Tweede lijn", 2, 600)
    page.get_by_role("button", name="Save").click()
    page.get_by_test_id("steps").get_by_role("link", name="Edit").first.click()
    page.get_by_label("Escalates to Tweede lijn (probability)").fill("0.2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("steps")).to_contain_text("Tweede lijn (0.20)")

    page.get_by_role("link", name="Arrival profile").first.click()
    page.get_by_label("Contacts per hour").fill("\n".join([" ".join(["40"] * 24)] * 7))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("problems")).to_have_count(0)

    page.get_by_role("link", name="New scenario").click()
    page.get_by_label("Name").fill("Eén extra")
    page.get_by_label("Servicedesk: extra staff").fill("1")
    page.get_by_role("button", name="Save").click()
    screenshot("chain")

    # Run the current chain: the page shows the queued run and polls for progress.
    simulate(page, "Current chain")
    expect(page.locator("progress")).to_be_visible()
    screenshot("queued")
    assert work_off_queue(organisation) == 1
    expect(page.get_by_test_id("run-status")).to_have_text("Succeeded")  # htmx reloads
    expect(page.get_by_test_id("step-results")).to_contain_text("Servicedesk")
    expect(page.get_by_test_id("unreachable")).not_to_have_text("0")
    screenshot("results")

    page.get_by_role("link", name=re.compile("Meldingenketen")).click()
    simulate(page, "Eén extra")
    assert work_off_queue(organisation) == 1
    expect(page.get_by_test_id("run-status")).to_have_text("Succeeded")

    page.get_by_role("link", name=re.compile("Meldingenketen")).click()
    page.get_by_role("link", name="Compare scenarios side by side").click()
    rows = page.get_by_test_id("comparison").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Current chain")
    expect(rows.nth(1)).to_contain_text("Eén extra")
    expect(page.locator("figure.chart svg")).to_have_count(4)
    screenshot("compare")


def test_manager_proposes_a_finding_and_prepares_the_exercise_report(
    chromium_executable, live_server, transactional_db, page, screenshot
):
    """A run's bottleneck becomes a proposal for the tactical meeting; the exercise report is
    prepared by the worker while the page shows it as being prepared, then offers it."""
    from datetime import date

    from governance.platform.access import system_access
    from simulations import services
    from simulations.models import Exercise, ExerciseReport, Party
    from simulations.tasks import task_render_exercise_report

    organisation = setup_data()
    with scopes_disabled():
        access = system_access(organisation)
        chain = services.chain_create(
            access=access, contract=Contract.objects.get(reference="K-1"), name="Meldingenketen"
        )
        services.chain_set_profile(chain=chain, rates=[30.0] * 168, source="entered")
        services.step_create(
            chain=chain, name="Servicedesk", party=Party.SUPPLIER, capacity=2, mean_seconds=180.0
        )
        run = services.simulation_run_execute(
            run=services.simulation_run_start(
                access=access,
                chain=chain,
                queue=False,
                replications=2,
                horizon_days=1,
                warmup_hours=0,
            )
        )
        exercise = services.exercise_save(
            chain=chain,
            title="Avondstoring",
            kind=Exercise.Kind.TABLETOP,
            scenario="P1 om 20:00",
            scheduled_for=date(2025, 11, 14),
        )
    log_in(page, live_server, MANAGER)
    page.goto(f"{live_server.url}/o/keten/simulations/runs/{run.pk}/")
    page.get_by_test_id("propose").get_by_role("link", name="the bottleneck").click()
    expect(page.get_by_label("Title")).to_have_value("Relieve the bottleneck at Servicedesk")
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_test_id("proposal-status")).to_have_text("Proposed")
    expect(page.get_by_test_id("rationale")).to_contain_text("Servicedesk is the bottleneck")
    page.get_by_label("New status").select_option(label="On the agenda")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("proposal-status")).to_have_text("On the agenda")
    screenshot("proposal")

    page.goto(f"{live_server.url}/o/keten/simulations/exercises/{exercise.pk}/")
    page.get_by_test_id("report-request").click()
    status = page.get_by_test_id("report-status")
    expect(status).to_have_attribute("data-status", "queued")
    expect(status).to_contain_text("being prepared")
    screenshot("report-queued")
    with scopes_disabled():
        report = ExerciseReport.objects.get()
    task_render_exercise_report.apply(
        kwargs={"organisation_id": organisation.pk, "report_id": report.pk}
    )
    expect(status).to_have_attribute("data-status", "ready", timeout=10000)  # htmx polls
    expect(page.get_by_test_id("report-download")).to_be_visible()
    screenshot("report-ready")
