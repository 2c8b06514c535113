"""axe-core (vendored from npm in tests/vendor/axe-core) over the portal's pages: no serious or
critical violation, in Dutch, on a desk and on a phone; and the checks axe cannot make."""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from tests.browser_fixtures import log_in
from tests.browser_pages import axe_violations, crawl

pytestmark = pytest.mark.browser

ROLES = {
    "manager@zuidrand.example": 70,
    "supplier@noordlicht.example": 25,
}


def _dutch(context, base_url):
    context.add_cookies([{"name": "django_language", "value": "nl", "url": base_url}])


def test_no_serious_or_critical_axe_violation_on_any_page(
    chromium_browser, live_server, transactional_db
):
    call_command("seed_demo", stdout=io.StringIO())
    from complaints.models import Complaint

    with scopes_disabled():
        token = Complaint.objects.filter(organisation__slug="zuidrand").first().token
    problems, checked = [], 0
    for email, limit in ROLES.items():
        context = chromium_browser.new_context(
            viewport={"width": 1366, "height": 900}, bypass_csp=True
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        log_in(page, live_server, email)
        _dutch(context, live_server.url)
        paths = crawl(page, live_server.url, ["/o/zuidrand/"], prefix="/o/", limit=limit)
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for path in paths if width == 1366 else paths[:10]:
                page.goto(live_server.url + path)
                problems += [f"{email} {width}px {path}: {v}" for v in axe_violations(page)]
                checked += 1
        context.close()
    context = chromium_browser.new_context(bypass_csp=True)
    page = context.new_page()
    _dutch(context, live_server.url)
    for path in [
        reverse("complaints_public:form", kwargs={"org_slug": "zuidrand"}),
        reverse("complaints_public:register", kwargs={"org_slug": "zuidrand"}),
        reverse("complaints_public:track", kwargs={"token": token}),
        reverse("login"),
    ]:
        page.goto(live_server.url + path)
        problems += [f"public {path}: {v}" for v in axe_violations(page)]
        checked += 1
    context.close()
    assert checked >= 80
    assert problems == [], "\n".join(problems)


def test_a_skip_link_leads_past_the_navigation(page, live_server, transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    log_in(page, live_server, "manager@zuidrand.example")
    page.goto(live_server.url + "/o/zuidrand/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    skip.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate("document.activeElement.id") == "main"


def test_phone_navigation_collapses_into_a_menu(page, live_server, transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    log_in(page, live_server, "manager@zuidrand.example")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/o/zuidrand/")
    sections = page.locator("nav.sections")
    expect(sections.locator(".section-links")).to_be_hidden()
    menu = sections.locator("details.section-menu")
    menu.locator("summary").click()
    link = menu.get_by_role("link", name=re.compile("^(Complaints|Klachten)$"))
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()
    assert page.url.endswith("/o/zuidrand/complaints/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1366, "height": 800})
    expect(sections.locator(".section-links")).to_be_visible()
    expect(sections.locator("details.section-menu")).to_be_hidden()


def test_dutch_public_complaint_form_shows_todays_date(page, live_server, transactional_db):
    """Chromium drops a Dutch-formatted value ("02-12-2026") from a date input."""
    call_command("seed_demo", stdout=io.StringIO())
    page.context.add_cookies([{"name": "django_language", "value": "nl", "url": live_server.url}])
    page.goto(live_server.url + reverse("complaints_public:form", kwargs={"org_slug": "zuidrand"}))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    day = page.locator("input[name=occurred_date]")
    today = timezone.localdate()
    assert day.input_value() in {today.isoformat(), (today.replace(day=1)).isoformat()} or (
        date.fromisoformat(day.input_value()) <= today
    )
    assert re.fullmatch(r"\d{2}:\d{2}", page.locator("input[name=occurred_time]").input_value())


def test_dutch_extension_case_dates_show(page, live_server, transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    log_in(page, live_server, "manager@zuidrand.example")
    page.context.add_cookies([{"name": "django_language", "value": "nl", "url": live_server.url}])
    page.goto(live_server.url + reverse("complaints:extension", kwargs={"org_slug": "zuidrand"}))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    since = page.locator("input[name=period_start]").input_value()
    until = page.locator("input[name=period_end]").input_value()
    assert (date.fromisoformat(until) - date.fromisoformat(since)).days == 364


def test_complaint_chart_type_is_readable_on_a_desk(page, live_server, transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    log_in(page, live_server, "manager@zuidrand.example")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + reverse("complaints:analysis", kwargs={"org_slug": "zuidrand"}))
    heights = page.evaluate(
        """Array.from(document.querySelectorAll('figure.chart svg text'))
             .map(t => t.getBoundingClientRect().height).filter(h => h > 0)"""
    )
    assert heights and min(heights) >= 10, sorted(heights)[:5]
