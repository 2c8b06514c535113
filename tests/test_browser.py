"""The portal in a real browser: log in, read the overview, switch language, log out.

Drives the system Chromium through Playwright's sync API against pytest-django's live server.
Without /usr/bin/chromium the test is skipped, unless REGIE_REQUIRE_INTEGRATION=1 demands it.
Screenshots of every step land in test-artifacts/screenshots/.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_fixtures import DEMO_PASSWORD, dutch, switch_language

pytestmark = pytest.mark.browser

MANAGER = "manager@zuidrand.example"
ZUIDRAND_CONTRACTS = 2


def test_login_overview_language_and_logout(
    chromium_executable, live_server, transactional_db, page, screenshot
):
    call_command("seed_demo", stdout=io.StringIO())
    login_path = reverse("login")
    home_path = reverse("organisation_home", kwargs={"org_slug": "zuidrand"})

    # Log in.
    page.goto(live_server.url + login_path)
    expect(page.locator("input[name=password]")).to_be_visible()
    screenshot("login-page")
    page.locator("input[name=username]").fill(MANAGER)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation(url=re.compile(re.escape(home_path) + "$")):
        page.locator("main form button[type=submit]").click()

    # The manager lands on the overview of Zuidrand.
    assert page.url == live_server.url + home_path
    expect(page.locator("h1")).to_have_text("Provincie Zuidrand")
    expect(page.get_by_test_id("contract-count")).to_have_text(str(ZUIDRAND_CONTRACTS))
    screenshot("overview")

    # English.
    switch_language(page, "en")
    assert page.url == live_server.url + home_path
    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav = page.locator("header nav")
    expect(nav.get_by_role("link", name="Contracts", exact=True)).to_be_visible()
    screenshot("overview-en")

    # Dutch.
    switch_language(page, "nl")
    assert page.url == live_server.url + home_path
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_test_id("contract-count")).to_have_text(str(ZUIDRAND_CONTRACTS))
    contracts_nl = dutch("Contracts")
    if contracts_nl != "Contracts":  # only once the Dutch catalog translates it
        expect(nav.get_by_role("link", name=contracts_nl, exact=True)).to_be_visible()
        expect(nav.get_by_role("link", name="Contracts", exact=True)).to_have_count(0)
    screenshot("overview-nl")

    # Log out through the user menu.
    page.locator("header details.dropdown > summary", has_text=MANAGER).click()
    logout = page.locator(f'header form[action="{reverse("logout")}"] button[type=submit]')
    expect(logout).to_be_visible()
    screenshot("user-menu")
    with page.expect_navigation(url=re.compile(re.escape(login_path) + "$")):
        logout.click()

    assert page.url == live_server.url + login_path
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("input[name=password]")).to_be_visible()
    expect(page.locator("main h1")).to_have_text(dutch("Log in"))
    expect(page.locator("header details.dropdown > summary", has_text=MANAGER)).to_have_count(0)
    screenshot("logged-out")
