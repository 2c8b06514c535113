"""A stale edit in a real browser: the manager's form is refused with the other person's change
shown, the record keeps that change, and saving again puts the manager's value in."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from contracts.models import Contract
from governance.platform.models import Membership, Role
from tests.conftest import make_user
from tests.governance.test_concurrency import _other_change

pytestmark = pytest.mark.browser


def test_stale_contract_edit_shows_the_other_change(
    chromium_executable, live_server, transactional_db, world, page, screenshot
):
    with scopes_disabled():
        anna = make_user("anna")
        anna.first_name, anna.last_name = "Anna", "Berg"
        anna.save()
        Membership.objects.create(user=anna, organisation=world.alpha, role=Role.CONTRACT_MANAGER)
    contract = world.alpha_contract
    # Alice's session, made by the test client (the login form has browser tests of its own).
    session = Client()
    session.force_login(world.alice)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )
    page.goto(live_server.url + reverse("contracts:contract_edit", args=["alpha", contract.pk]))
    page.locator("input[name=title]").fill("Alice's desk")

    # While the form is open, Anna saves another title.
    _other_change(contract, anna, title="Anna's desk")

    with page.expect_navigation():
        page.get_by_test_id("terms-form").locator("button[type=submit]").click()
    errors = page.locator(".form-errors")
    expect(errors).to_contain_text("Someone else saved this record after you opened it")
    expect(errors).to_contain_text("Title: Anna Berg changed it to “Anna's desk”")
    expect(errors).to_contain_text("you entered “Alice's desk”")
    expect(page.locator("input[name=title]")).to_have_value("Alice's desk")
    screenshot("stale-edit-refused")
    with scopes_disabled():
        assert Contract.objects.get(pk=contract.pk).title == "Anna's desk"

    # Saving again, knowing the other change, stores the manager's value.
    with page.expect_navigation():
        page.get_by_test_id("terms-form").locator("button[type=submit]").click()
    expect(page.locator(".form-errors")).to_have_count(0)
    with scopes_disabled():
        assert Contract.objects.get(pk=contract.pk).title == "Alice's desk"
