"""The account journey in a real browser: set up two-factor authentication, log in with a
code, make an API token and see it once."""

import base64
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.browser_fixtures import log_in

pytestmark = pytest.mark.browser

EMAIL = "manager@alpha.example"
PASSWORD = "correct-horse-battery"


def code_from_key(key_text: str, offset: int = 0) -> str:
    key = base64.b32decode(key_text.replace(" ", "") + "=" * (-len(key_text.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time() + offset * 30
    return f"{totp.token():06d}"


def test_set_up_mfa_log_in_with_a_code_and_make_a_token(
    chromium_executable, live_server, transactional_db, page, screenshot
):
    from governance.platform.models import Membership, Organisation, Role

    alpha = Organisation.objects.create(name="Alpha", slug="alpha")
    user = get_user_model().objects.create_user(username=EMAIL, email=EMAIL, password=PASSWORD)
    Membership.objects.create(user=user, organisation=alpha, role=Role.CONTRACT_MANAGER)

    log_in(page, live_server, EMAIL, PASSWORD)
    page.goto(live_server.url + reverse("mfa_setup"))
    expect(page.locator("img[src^='data:image/svg+xml']")).to_be_visible()
    key = page.locator("main code").first.inner_text()
    screenshot("mfa-setup")
    page.locator("input[name=code]").fill(code_from_key(key))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("ul.recovery-codes li")).to_have_count(10)
    screenshot("recovery-codes")

    page.context.clear_cookies()
    page.goto(live_server.url + reverse("login"))
    page.locator("input[name=username]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation(url=re.compile(re.escape(reverse("login_code")) + "$")):
        page.locator("main form button[type=submit]").click()
    screenshot("login-code")
    page.locator("input[name=code]").fill(code_from_key(key, offset=1))
    with page.expect_navigation(url=re.compile(r"/o/alpha/$")):
        page.locator("main form button[type=submit]").click()

    page.goto(live_server.url + reverse("account"))
    page.locator("input[name=name]").fill("Reporting")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    secret = page.locator("code.token-secret").inner_text()
    assert re.fullmatch(r"rg_[0-9a-f]{12}_[-\w]{43}", secret)
    screenshot("token-once")
    page.goto(live_server.url + reverse("account"))
    expect(page.locator("main table tbody tr")).to_have_count(1)
    assert secret not in page.content()
