"""Browser-test fixtures: the system Chromium through Playwright's sync API.

Without /usr/bin/chromium a browser test is skipped, unless REGIE_REQUIRE_INTEGRATION=1 (CI)
demands it. Use `page`, `screenshot("step")` and `log_in(page, live_server, email)`.
"""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect, sync_playwright

DEMO_PASSWORD = "regie-demo"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found; install the system Chromium to run the browser tests."
        if os.environ.get("REGIE_REQUIRE_INTEGRATION") == "1":
            pytest.fail(f"REGIE_REQUIRE_INTEGRATION=1 but {message}", pytrace=False)
        pytest.skip(message)
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def chromium_browser(chromium_executable):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium_browser):
    context = chromium_browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def screenshot(page, request):
    """`screenshot("step")` saves the full page as <test name>-<nn>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    steps = []

    def take(step: str) -> Path:
        steps.append(step)
        path = SCREENSHOTS / f"{request.node.name}-{len(steps):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def dutch(text: str) -> str:
    with translation.override("nl"):
        return translation.gettext(text)


def switch_language(page, code: str) -> None:
    with page.expect_navigation():
        page.locator(f'form.language-switch button[name="language"][value="{code}"]').click()
    page.wait_for_load_state()


def log_in(page, live_server, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real form and wait for the landing page."""
    page.goto(live_server.url + reverse("login"))
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation(url=re.compile(r"^(?!.*/accounts/login/).*$")):
        page.locator("main form button[type=submit]").click()
    expect(page.locator("input[name=password]")).to_have_count(0)
