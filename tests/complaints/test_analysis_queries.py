"""The complaint analysis counts in SQL: its figures match hand-counted complaints, and its
queries do not grow with the complaints, services or categories it aggregates."""

from datetime import datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.complaints.conftest import AMSTERDAM, categories, file_complaint, office_service


def _file(world, services_, category_list, count):
    """`count` complaints this month, over the services and categories in turn, on Tuesdays
    at 20:00 local time."""
    now = timezone.now().astimezone(AMSTERDAM)
    tuesday = now - timedelta(days=(now.weekday() - 1) % 7 or 7)
    moment = datetime(tuesday.year, tuesday.month, tuesday.day, 20, 0, tzinfo=AMSTERDAM)
    for n in range(count):
        file_complaint(
            world.alpha,
            service=services_[n % len(services_)],
            category=category_list[n % len(category_list)],
            occurred_at=moment,
            now=moment,
        )
    return moment


def _analysis(client, moment):
    day = moment.date().isoformat()
    url = reverse("complaints:analysis", kwargs={"org_slug": "alpha"})
    client.get(url, {"since": day, "until": day})  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"since": day, "until": day})
    assert response.status_code == 200
    return len(queries), response.context


def test_analysis_figures_are_the_hand_counted_ones(world, client_as):
    desk = office_service(world.alpha_contract, name="Desk")
    hosting = office_service(world.alpha_contract, name="Hosting")
    first, second = categories(world.alpha)[:2]
    moment = _file(world, [desk, desk, hosting], [first, second], 6)
    _count, context = _analysis(client_as(world.alice), moment)
    # Complaints 0–5: services desk, desk, hosting, desk, desk, hosting; categories alternate.
    assert dict(context["parts"]["service"]) == {"Desk": 4, "Hosting": 2}
    assert sorted(n for _label, n in context["parts"]["category"]) == [3, 3]
    figures = context["figures"]
    assert (figures.total, figures.grid) == (6, {(1, 20): 6})


def test_analysis_queries_do_not_grow_with_complaints_services_or_categories(world, client_as):
    client = client_as(world.alice)
    desk = office_service(world.alpha_contract, name="Desk")
    first = categories(world.alpha)[0]
    moment = _file(world, [desk], [first], 1)
    few, _context = _analysis(client, moment)

    more = [office_service(world.alpha_contract, name=f"Service {n}") for n in range(3)]
    _file(world, [desk, *more], categories(world.alpha)[:3], 12)
    many, context = _analysis(client, moment)
    assert context["figures"].total == 13
    assert many == few
