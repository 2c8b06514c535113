"""The members journey in a real browser: a contract manager invites a colleague, the link is
opened in a fresh browser, the colleague sets a password and lands in the organisation with the
role; the manager then changes a member's role and deactivates a member."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_fixtures import log_in

pytestmark = pytest.mark.browser

MANAGER = "manager@alpha.example"
PASSWORD = "correct-horse-battery"
INVITEE = "nel@alpha.example"
INVITEE_PASSWORD = "lang-genoeg-wachtwoord"


def test_invite_accept_change_a_role_and_deactivate(
    chromium_executable, chromium_browser, live_server, transactional_db, page, screenshot
):
    from governance.platform.models import Membership, Organisation, OutboxMessage, Role

    alpha = Organisation.objects.create(name="Alpha", slug="alpha")
    users = get_user_model().objects
    manager = users.create_user(username=MANAGER, email=MANAGER, password=PASSWORD)
    Membership.objects.create(user=manager, organisation=alpha, role=Role.CONTRACT_MANAGER)
    leaver = users.create_user(
        username="lea@alpha.example", email="lea@alpha.example", password=PASSWORD
    )
    leaving = Membership.objects.create(user=leaver, organisation=alpha, role=Role.VIEWER)

    log_in(page, live_server, MANAGER, PASSWORD)
    members_url = live_server.url + reverse("members:member_list", kwargs={"org_slug": "alpha"})
    page.goto(members_url)
    page.locator("input[name=email]").fill(INVITEE)
    page.locator("select[name=role]").last.select_option(Role.AUDITOR)
    with page.expect_navigation():
        page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("[data-testid^=invitation-]")).to_have_count(1)
    screenshot("invitation-sent")

    message = OutboxMessage.objects.get(to=[INVITEE])
    link = re.search(r"https?://\S+/invitation/[^/\s]+/", message.body_text).group(0)
    path = link[link.index("/invitation/") :]

    # The colleague opens the link in a browser of their own, without an account.
    context = chromium_browser.new_context(locale="en-US")
    try:
        invitee = context.new_page()
        invitee.goto(live_server.url + path)
        invitee.locator("input[name=first_name]").fill("Nel")
        invitee.locator("input[name=last_name]").fill("Nieuw")
        invitee.locator("input[name=password1]").fill(INVITEE_PASSWORD)
        invitee.locator("input[name=password2]").fill(INVITEE_PASSWORD)
        with invitee.expect_navigation(url=re.compile(r"/o/alpha/$")):
            invitee.get_by_role("button", name="Set my password and join").click()
        expect(invitee.locator("main")).to_contain_text("Welcome to Alpha")
    finally:
        context.close()
    newcomer = users.get(email=INVITEE)
    assert Membership.objects.get(user=newcomer, organisation=alpha).role == Role.AUDITOR

    # Back with the manager: the newcomer is listed; change their role, deactivate the leaver.
    page.goto(members_url)
    joined = Membership.objects.get(user=newcomer)
    row = page.locator(f"[data-testid=member-{joined.pk}]")
    expect(row).to_contain_text(INVITEE)
    row.locator("select[name=role]").select_option(Role.BUSINESS_OWNER)
    with page.expect_navigation():
        row.get_by_role("button", name="Change role").click()
    joined.refresh_from_db()
    assert joined.role == Role.BUSINESS_OWNER
    with page.expect_navigation():
        page.locator(f"[data-testid=deactivate-{leaving.pk}]").click()
    expect(page.locator(f"[data-testid=member-{leaving.pk}]")).to_contain_text("deactivated")
    screenshot("member-deactivated")
    leaver.refresh_from_db()
    assert leaver.is_active is False
