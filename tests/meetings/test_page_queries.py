"""The meeting page reads a fixed number of queries, however long its agenda (issue 18: a
generated agenda of a large client has fifty items and as many history entries)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from governance.platform.access import system_access
from meetings import services

MEETING_PAGE_QUERIES = 23


def meeting_with_items(world, count):
    with scopes_disabled():
        series = services.series_create(
            access=system_access(world.alpha),
            contract=world.alpha_contract,
            tier="tactical",
            title="Tactical A-1",
        )
        starts = datetime.combine(
            timezone.localdate() + timedelta(days=10), datetime.min.time()
        ).replace(hour=10, tzinfo=ZoneInfo("Europe/Amsterdam"))
        meeting = services.meeting_schedule(series=series, starts_at=starts)
        for n in range(count):
            services.agenda_item_add(
                meeting=meeting, title=f"Item {n}", needs_preparation=n % 2 == 0
            )
    return meeting


@pytest.mark.parametrize("count", [1, 6])
def test_meeting_page_queries_do_not_grow_with_agenda_items(world, client_as, count):
    meeting = meeting_with_items(world, count)
    client = client_as(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = reverse("meetings:meeting_detail", args=["alpha", meeting.pk])
    client.get(page)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    body = response.content.decode()
    assert body.count('data-testid="agenda-item"') == count
    assert body.count('data-testid="history-line"') > count
    assert len(queries) == MEETING_PAGE_QUERIES
