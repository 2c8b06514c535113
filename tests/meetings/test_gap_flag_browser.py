"""Acting from a gap flag in a real browser: the manager goes from the matrix to a watermelon,
puts it on the next tactical meeting, sees that on the flag and finds the item on the meeting's
agenda, with its link back to the flag."""

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from governance.platform.access import system_access
from meetings import services
from tests.browser_fixtures import log_in
from tests.conftest import PASSWORD
from tests.kto.flags import make_flag
from tests.meetings.helpers import at
from tests.meetings.test_browser import make_world

pytestmark = pytest.mark.browser

ITEM = "Gap: Watermelon on Responsiveness (2026-10)"
FOLLOW_UP = "On the agenda of Tactisch overleg A-1, 16 March 2099"


def test_manager_puts_a_flag_from_the_matrix_on_the_next_tactical_meeting(
    chromium_executable, live_server, transactional_db, page, screenshot
):
    world = make_world()
    flag = make_flag(world)
    with scopes_disabled():
        series = services.series_create(
            access=system_access(world.alpha),
            contract=world.alpha_contract,
            tier="tactical",
            title="Tactisch overleg A-1",
        )
        meeting = services.meeting_schedule(series=series, starts_at=at(2099, 3, 16))
    flag_path = reverse("kto_gap:flag", args=["alpha", flag.pk])

    log_in(page, live_server, world.alice.email, PASSWORD)
    page.goto(live_server.url + reverse("kto_gap:matrix", args=["alpha"]))
    watermelon = page.locator("table.gap-matrix a.flag-watermelon")
    expect(watermelon).to_have_count(1)
    screenshot("matrix")
    with page.expect_navigation():
        watermelon.click()
    expect(page.get_by_test_id("reason")).to_contain_text("Watermelon")
    expect(page.get_by_test_id("follow-up")).to_have_count(0)
    screenshot("flag")

    with page.expect_navigation():
        page.get_by_test_id("put-on-agenda").click()
    assert page.url == live_server.url + flag_path
    expect(page.locator(".message.success")).to_have_text(
        "The flag is on the agenda of Tactisch overleg A-1, 16 March 2099."
    )
    follow_up = page.get_by_test_id("follow-up")
    expect(follow_up).to_have_text(FOLLOW_UP)
    screenshot("on-the-agenda")

    # Once more: still one item.
    with page.expect_navigation():
        page.get_by_test_id("put-on-agenda").click()
    expect(page.get_by_test_id("follow-up")).to_have_count(1)

    with page.expect_navigation():
        page.get_by_test_id("follow-up").get_by_role("link").click()
    assert page.url.startswith(
        live_server.url + reverse("meetings:meeting_detail", args=["alpha", meeting.pk])
    )
    items = page.locator('[data-testid=agenda-item][data-source="gap_flag"]')
    expect(items).to_have_count(1)
    expect(items.locator("strong")).to_have_text(
        re.compile(r"^[0-9.]+ " + re.escape(ITEM) + "$")
    )  # numbered
    expect(items.get_by_role("link", name="data")).to_have_attribute("href", flag_path)
    screenshot("meeting")
