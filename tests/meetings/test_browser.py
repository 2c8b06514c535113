"""The meeting journey in a real browser: the manager fills and publishes the agenda, the
supplier delivers its pre-read, the meeting records a decision and an action, and the action
appears on the next meeting's agenda."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from contracts.models import Contract
from governance.platform.access import system_access
from governance.platform.models import Membership, Organisation, Role, Supplier, SupplierMembership
from meetings import services
from meetings.models import ActionItem, AgendaItem
from tests.browser_fixtures import log_in
from tests.conftest import PASSWORD
from tests.meetings.helpers import at
from tests.meetings.test_agenda import make_level, make_report

pytestmark = pytest.mark.browser


def make_world():
    """Alpha with manager alice and Northwind's bob (the `world` fixture needs the `db` wrapper,
    which a live server cannot see)."""
    with scopes_disabled():
        alpha = Organisation.objects.create(name="Alpha", slug="alpha", default_language="en")
        northwind = Supplier.objects.create(name="Northwind")
        # Regie logs in with the e-mail address as user name.
        alice, bob = (
            get_user_model().objects.create_user(username=e, email=e, password=PASSWORD)
            for e in ("alice@example.test", "bob@example.test")
        )
        Membership.objects.create(user=alice, organisation=alpha, role=Role.CONTRACT_MANAGER)
        SupplierMembership.objects.create(user=bob, supplier=northwind)
        contract = Contract.objects.create(
            organisation=alpha, supplier=northwind, reference="A-1", title="Alpha desk"
        )
    return SimpleNamespace(alpha=alpha, alpha_contract=contract, alice=alice, bob=bob)


def switch_user(page, live_server, user, screenshot):
    page.context.clear_cookies()
    try:
        log_in(page, live_server, user.email, PASSWORD)
    except Exception:
        screenshot("login-failed")
        raise


def test_agenda_preparation_minutes_and_carried_action(
    chromium_executable, live_server, transactional_db, page, screenshot
):
    world = make_world()
    with scopes_disabled():
        level = make_level(world)
        make_report(world, date(2026, 8, 1), status="disputed", values=[(level, "99.9")])
        series = services.series_create(
            access=system_access(world.alpha),
            contract=world.alpha_contract,
            tier="tactical",
            title="Tactisch overleg A-1",
            required_roles=[("supplier", "Service manager")],
        )
        meeting = services.meeting_schedule(series=series, starts_at=at(2099, 3, 16))
    meeting_url = live_server.url + reverse("meetings:meeting_detail", args=["alpha", meeting.pk])

    # The manager fills the agenda from the data and publishes it.
    log_in(page, live_server, world.alice.email, PASSWORD)
    page.goto(live_server.url + reverse("meetings:index", args=["alpha"]))
    page.get_by_role("link", name="Tactisch overleg A-1").click()
    page.get_by_role("link", name="16 Mar 2099", exact=False).click()
    page.get_by_test_id("generate").click()
    disputed = page.locator('[data-testid=agenda-item][data-source="disputed_report"]')
    expect(disputed).to_have_count(1)
    expect(page.get_by_test_id("missing-prep")).to_be_visible()
    expect(page.get_by_test_id("absent-roles")).to_be_visible()
    screenshot("agenda-generated")
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("meeting-status")).to_have_text("Agenda published")

    # The supplier delivers its results and deviation analysis.
    switch_user(page, live_server, world.bob, screenshot)
    page.goto(meeting_url)
    disputed.locator("textarea[name=supplier_results]").fill(
        "Measured on the wrong queue; corrected figures attached."
    )
    disputed.get_by_test_id("deliver-prep").click()
    expect(disputed.get_by_test_id("supplier-results")).to_have_text(
        "Measured on the wrong queue; corrected figures attached."
    )
    screenshot("supplier-delivered")

    # The meeting: a decision and an action.
    switch_user(page, live_server, world.alice, screenshot)
    page.goto(meeting_url)
    page.get_by_test_id("held").click()
    disputed.locator("details summary", has_text="Minutes").click()
    disputed.locator("textarea[name=minutes]").fill("Corrected report accepted.")
    disputed.locator("select[name=outcome]").select_option("decision")
    disputed.get_by_test_id("save-minutes").click()
    expect(disputed.get_by_test_id("item-minutes")).to_contain_text("Decision")
    form = page.get_by_test_id("action-form")
    with scopes_disabled():
        item_pk = AgendaItem.objects.get(meeting=meeting, source="disputed_report").pk
    form.locator("select[name=item]").select_option(str(item_pk))
    form.locator("input[name=title]").fill("Send the corrected queue definition")
    form.locator("select[name=owner_side]").select_option("supplier")
    form.locator("input[name=owner_name]").fill("Bob Northwind")
    form.locator("input[name=due_date]").fill("2099-04-01")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("actions")).to_contain_text("Send the corrected queue definition")
    screenshot("minutes-and-action")

    # The next meeting of the series: the open action is on its agenda.
    page.goto(live_server.url + reverse("meetings:meeting_create", args=["alpha", series.pk]))
    page.locator("input[name=starts_at]").fill("2099-06-15T10:00")
    page.locator("main form button[type=submit]").click()
    page.get_by_test_id("generate").click()
    carried = page.locator('[data-testid=agenda-item][data-source="carried_action"]')
    expect(carried).to_have_count(1)
    expect(carried).to_contain_text("Send the corrected queue definition")
    expect(page.get_by_test_id("carried-actions")).to_contain_text("Bob Northwind")
    screenshot("next-agenda")
    with scopes_disabled():
        assert list(ActionItem.objects.values_list("status", flat=True)) == ["open"]
