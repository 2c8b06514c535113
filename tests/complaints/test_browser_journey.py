"""The complaint journey in a real browser: an anonymous end user files a complaint in Dutch
and gets a reference; the manager assigns it to the supplier; the supplier resolves it; the
complainant gives its verdict through the private link; the manager sees it in the figures."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from complaints.models import Complaint, Verdict
from contracts.models import Contract, Service, ServiceHours
from governance.platform.models import Membership, Organisation, Role, Supplier, SupplierMembership
from tests.browser_fixtures import DEMO_PASSWORD, SCREENSHOTS, dutch, log_in, switch_language

pytestmark = pytest.mark.browser

MANAGER = "manager@kustwacht.example"
SUPPLIER = "support@zeelicht.example"


def shot(browser_page, step: str) -> None:
    """A full-page screenshot of one actor's page at one step of the journey."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=str(SCREENSHOTS / f"complaint-journey-{step}.png"), full_page=True)


def make_world():
    with scopes_disabled():
        organisation = Organisation.objects.create(name="Gemeente Kustwacht", slug="kustwacht")
        supplier = Supplier.objects.create(name="Zeelicht IT")
        contract = Contract.objects.create(
            organisation=organisation, supplier=supplier, reference="KW-1", title="Servicedesk"
        )
        desk = Service.objects.create(
            organisation=organisation, contract=contract, name="Servicedesk"
        )
        for day in range(5):
            ServiceHours.objects.create(
                organisation=organisation, service=desk, weekday=day, opens=time(8), closes=time(18)
            )
        users = get_user_model().objects
        manager = users.create_user(
            username=MANAGER,
            email=MANAGER,
            password=DEMO_PASSWORD,
            first_name="Mila",
            last_name="Manager",
        )
        Membership.objects.create(
            user=manager, organisation=organisation, role=Role.CONTRACT_MANAGER
        )
        support = users.create_user(username=SUPPLIER, email=SUPPLIER, password=DEMO_PASSWORD)
        SupplierMembership.objects.create(user=support, supplier=supplier)
    return organisation


def test_complaint_journey_from_form_to_verdict(
    chromium_browser, live_server, transactional_db, page, settings
):
    settings.COMPLAINTS_MIN_FILL_SECONDS = 0  # the browser fills the form faster than a person
    organisation = make_world()

    # An anonymous end user files a complaint in Dutch.
    page.goto(live_server.url + reverse("complaints_public:form", kwargs={"org_slug": "kustwacht"}))
    switch_language(page, "nl")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_contain_text("Gemeente Kustwacht")
    page.get_by_label(dutch("Which service is it about?")).select_option(label="Servicedesk")
    page.get_by_label(dutch("What kind of complaint?")).select_option(label="Bereikbaarheid")
    page.get_by_label(dutch("What happened?")).fill(
        "Om 20:00 wilde ik een storing melden, maar de servicedesk was niet bereikbaar."
    )
    page.get_by_label(dutch("On which day?")).fill("2026-03-04")
    page.get_by_label(dutch("At what time?")).fill("20:00")
    page.get_by_label(dutch("Phone"), exact=True).check()
    page.get_by_label(dutch("I could not work at all")).check()
    shot(page, "01-form-filled")
    page.get_by_role("button", name=dutch("Send complaint")).click()
    reference = page.get_by_test_id("reference")
    expect(reference).to_have_text(re.compile(r"^KL-\d{4}-000001$"))
    tracking_url = page.url.split("?")[0]
    assert re.fullmatch(re.escape(live_server.url) + r"/k/t/[A-Za-z0-9_-]{32}/", tracking_url)
    shot(page, "02-reference")

    # The manager assigns it to the supplier.
    manager = chromium_browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    manager_page = manager.new_page()
    log_in(manager_page, live_server, MANAGER)
    manager_page.goto(
        live_server.url + reverse("complaints:complaint_list", kwargs={"org_slug": "kustwacht"})
    )
    manager_page.get_by_role("link", name=reference.inner_text()).click()
    manager_page.get_by_label(dutch("Assign to")).select_option(label="Zeelicht IT")
    manager_page.get_by_role("button", name=dutch("Assign"), exact=True).click()
    expect(manager_page.get_by_test_id("assignee")).to_have_text("Zeelicht IT")
    shot(manager_page, "03-manager-assigned")

    # The supplier resolves it.
    supplier = chromium_browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    supplier_page = supplier.new_page()
    log_in(supplier_page, live_server, SUPPLIER)
    with scopes_disabled():
        pk = Complaint.objects.get().pk
    supplier_page.goto(
        live_server.url
        + reverse("complaints:complaint_detail", kwargs={"org_slug": "kustwacht", "pk": pk})
    )
    expect(supplier_page.get_by_test_id("contact")).to_contain_text(
        dutch(
            "Shown only to contract managers and, when the complainant consented, to the "
            "supplier handling the complaint."
        )
    )
    supplier_page.locator("#id_to").select_option("resolved")
    supplier_page.locator("#id_transition_text").fill(
        "Tot de uitbreiding van de servicetijden kunt u na 18:00 het storingsnummer bellen."
    )
    supplier_page.get_by_role("button", name=dutch("Save step")).click()
    expect(supplier_page.get_by_test_id("status")).to_have_text(dutch("Resolved"))
    shot(supplier_page, "04-supplier-resolved")

    # The complainant gives its verdict through the private link.
    page.goto(tracking_url)
    expect(page.get_by_test_id("status")).to_have_text(dutch("Resolved"))
    page.get_by_label(dutch("No"), exact=True).check()
    page.locator("input[name=handling_score][value='2']").check()
    page.get_by_label(dutch("Anything to add? (optional)")).fill(
        "Na 18:00 is er nog steeds niemand."
    )
    shot(page, "05-verdict-form")
    page.get_by_role("button", name=dutch("Send my verdict")).click()
    expect(page.get_by_test_id("verdict")).to_contain_text(dutch("Not resolved for me"))
    shot(page, "06-verdict-given")
    with scopes_disabled():
        assert list(Verdict.objects.values_list("resolved_for_me", "handling_score")) == [
            (False, 2)
        ]

    # The manager closes it and sees it in the figures: closed, yet not resolved for them.
    manager_page.reload()
    expect(manager_page.get_by_test_id("verdict")).to_contain_text(
        dutch("Not resolved for the complainant")
    )
    manager_page.locator("#id_to").select_option("closed")
    manager_page.get_by_role("button", name=dutch("Save step")).click()
    manager_page.goto(
        live_server.url + reverse("complaints:analysis", kwargs={"org_slug": "kustwacht"})
    )
    expect(manager_page.get_by_test_id("closed-not-resolved")).to_have_text("1")
    expect(manager_page.get_by_test_id("verdict-count")).to_have_text("1")
    shot(manager_page, "07-manager-figures")
    manager.close()
    supplier.close()
    assert organisation.slug == "kustwacht"


def test_register_pdf_is_prepared_while_the_visitor_waits(
    chromium_browser, live_server, transactional_db, page
):
    """The open register asks for the last quarter's PDF; the page says it is being prepared
    and, polling with htmx, offers the download once the worker has rendered it."""
    from complaints import analysis, selectors, services
    from complaints.models import RegisterReport
    from complaints.tasks import task_render_register_report
    from governance.platform.access import system_access, tenant_scope
    from tests.complaints.conftest import AMSTERDAM, file_complaint, handle

    organisation = make_world()
    quarter = analysis.closed_quarters(selectors.local_today(organisation), 1)[0]
    start, _end = analysis.quarter_bounds(quarter)
    for n in range(3):
        received = datetime.combine(start + timedelta(days=10 + n), time(10), tzinfo=AMSTERDAM)
        handle(file_complaint(organisation, now=received), received + timedelta(days=2))
    with tenant_scope(system_access(organisation)):
        services.complaint_settings_update(
            access=system_access(organisation), register_public=True, min_group_size=2
        )

    page.goto(
        live_server.url + reverse("complaints_public:register", kwargs={"org_slug": "kustwacht"})
    )
    switch_language(page, "nl")
    latest = page.get_by_test_id("register-report").first
    expect(latest).to_have_attribute("data-state", "pending")
    expect(latest).to_contain_text(dutch("the PDF is being prepared…"))
    shot(page, "08-register-preparing")

    # The worker renders it (no broker in this test: the task runs here).
    with scopes_disabled():
        report = RegisterReport.objects.get(quarter=quarter, language="nl")
    task_render_register_report(organisation_id=organisation.pk, report_id=report.pk)

    link = latest.get_by_role("link")
    expect(latest).to_have_attribute("data-state", "ready", timeout=15_000)
    expect(link).to_contain_text(re.compile(rf"{quarter} \(pdf", re.IGNORECASE))  # nl: "pdf"
    shot(page, "09-register-ready")
    download = page.request.get(live_server.url + link.get_attribute("href"))
    assert (download.status, download.headers["content-type"]) == (200, "application/pdf")
    assert download.body().startswith(b"%PDF-")
