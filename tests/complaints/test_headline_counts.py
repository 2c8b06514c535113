"""The headline figures, the verdict summary and the list's length come from fewer queries (the
verdicts by their own organisation key, the unfiltered list's length from the headline): the
figures are still the hand-counted ones, per organisation and per supplier, and the queries do
not grow with the complaints."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints import selectors, services
from complaints.models import Status
from governance.platform.access import system_access, tenant_scope
from tests.complaints.conftest import AMSTERDAM, file_complaint, handle
from tests.complaints.test_supplier_and_isolation import assign

MARCH = datetime(2026, 3, 4, 10, tzinfo=AMSTERDAM)


def _move(complaint, to, text="Klaar."):
    access = system_access(complaint.organisation)
    with tenant_scope(access):
        return services.complaint_transition(access=access, complaint=complaint, to=to, text=text)


@pytest.fixture
def counted(world, alpha_desk):
    """Seven complaints of Alpha in known states, and one of Beta that must count nowhere.

    c1 resolved, verdict (resolved, 5)        — assigned to Northwind
    c2 closed, verdict (not resolved, 2)      — assigned to Northwind
    c3 closed, verdict (resolved, 4)
    c4 resolved, verdict (not resolved, 1)
    c5 received in March: open and overdue
    c6 received now: open, not overdue
    c7 rejected
    """
    c = [file_complaint(world.alpha, service=alpha_desk) for _n in range(5)]
    assign(c[0], world.northwind)
    assign(c[1], world.northwind)
    resolved_at = datetime(2026, 3, 10, 12, tzinfo=AMSTERDAM)
    for complaint, verdict in zip(
        c[:4], [(True, 5), (False, 2), (True, 4), (False, 1)], strict=True
    ):
        handle(complaint, resolved_at, verdict)
    _move(c[1], Status.CLOSED)
    _move(c[2], Status.CLOSED)
    now = timezone.now()
    c.append(file_complaint(world.alpha, occurred_at=now, now=now))
    c.append(_move(file_complaint(world.alpha), Status.REJECTED, text="Geen klacht."))
    beta = file_complaint(world.beta)
    assign(beta, world.northwind)
    handle(beta, resolved_at, (False, 3))
    _move(beta, Status.CLOSED)
    return c


HAND_COUNTED = {
    "handled": 4,
    "verdicts": 4,
    "closed_not_resolved": 1,
    "not_resolved": 2,
    "mean_handling_score": 3.0,  # (5 + 2 + 4 + 1) / 4
    "open": 2,
    "overdue": 1,
    "total": 7,
}
HAND_SUMMARY = {
    "total": 4,
    "by_score": {"1": 1, "2": 1, "3": 0, "4": 1, "5": 1},
    "resolved_for_me": 2,
    "not_resolved_for_me": 2,
    "closed_not_resolved": 1,
    "mean_handling_score": 3.0,
}


def test_headline_and_verdict_summary_are_the_hand_counted_ones(world, counted):
    access = system_access(world.alpha)
    with tenant_scope(access):
        figures, summary = selectors.headline_with_verdicts(access=access)
        assert vars(figures) == HAND_COUNTED
        assert summary == HAND_SUMMARY
        # The separate selectors (home, API) give the same figures.
        assert selectors.headline(access=access) == figures
        assert selectors.verdict_summary(access=access) == HAND_SUMMARY


def test_a_supplier_counts_only_the_verdicts_of_its_assigned_complaints(world, client_as, counted):
    url = reverse("api:complaint-verdicts", kwargs={"org_slug": "alpha"})
    data = client_as(world.bob).get(url).json()
    # c1 (resolved, 5) and c2 (closed, not resolved, 2); Beta's verdict is not Alpha's.
    assert data == {
        "total": 2,
        "by_score": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1},
        "resolved_for_me": 1,
        "not_resolved_for_me": 1,
        "closed_not_resolved": 1,
        "mean_handling_score": 3.5,
    }


def _list(client, **query):
    url = reverse("complaints:complaint_list", kwargs={"org_slug": "alpha"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    assert response.status_code == 200
    return response.context, len(queries)


def test_the_list_shows_the_hand_counted_headline_and_pages(world, client_as, counted):
    client = client_as(world.alice)
    context, few = _list(client)
    assert vars(context["headline"]) == HAND_COUNTED
    assert context["page_obj"].paginator.count == 7
    assert len(context["complaints"]) == 7
    assert {c.pk for c in context["complaints"]} == {c.pk for c in counted}

    # Filtered lists are counted as filtered; the headline stays the organisation's.
    context, _queries = _list(client, status=Status.CLOSED)
    assert context["page_obj"].paginator.count == 2
    assert vars(context["headline"]) == HAND_COUNTED
    context, _queries = _list(client, overdue="on")
    assert [c.pk for c in context["complaints"]] == [counted[4].pk]
    assert context["page_obj"].paginator.count == 1

    for _n in range(24):  # 31 in all: two pages of 25
        file_complaint(world.alpha, occurred_at=MARCH, now=MARCH)
    context, many = _list(client)
    assert context["headline"].total == 31
    assert context["headline"].open == 26 and context["headline"].overdue == 25
    assert (context["page_obj"].paginator.count, context["page_obj"].paginator.num_pages) == (31, 2)
    assert len(context["complaints"]) == 25
    context, _queries = _list(client, page=2)
    assert len(context["complaints"]) == 6
    assert many == few


def test_a_supplier_list_is_counted_as_its_own(world, client_as, counted):
    context, _queries = _list(client_as(world.bob))
    assert context["headline"] is None
    assert context["page_obj"].paginator.count == 2
    assert {c.pk for c in context["complaints"]} == {counted[0].pk, counted[1].pk}


def test_the_analysis_shows_the_hand_counted_headline_and_verdicts(world, client_as, counted):
    url = reverse("complaints:analysis", kwargs={"org_slug": "alpha"})
    response = client_as(world.alice).get(url)
    assert vars(response.context["headline"]) == HAND_COUNTED
    assert response.context["verdicts"] == HAND_SUMMARY


def test_trends_and_breakdown_are_hand_counted_with_labels_read_once_or_not(world, counted):
    access = system_access(world.alpha)
    with tenant_scope(access):
        labels = selectors.complaint_labels(organisation=world.alpha)
        today = date(2026, 3, 31)
        trends = selectors.complaint_trends(access=access, months=12, today=today)
        assert (
            selectors.complaint_trends(access=access, months=12, today=today, labels=labels)
            == trends
        )
        # c1–c5 received in March (c7 rejected, c6 received later, Beta not Alpha's); the
        # verdicts "not resolved" of c2 and c4 given in March (Beta's not counted).
        assert trends.months[-1] == date(2026, 3, 1)
        assert (trends.total[-1], sum(trends.total)) == (5, 5)
        assert trends.by_service == {"Servicedesk": [0] * 11 + [5]}
        assert [sum(v) for v in trends.by_category.values()] == [5]
        assert trends.not_resolved_for_complainant == [0] * 11 + [2]
        since, until = date(2026, 3, 1), date(2026, 3, 31)
        parts = selectors.breakdown(access=access, since=since, until=until)
        assert parts == selectors.breakdown(access=access, since=since, until=until, labels=labels)
        assert parts["service"] == [("Servicedesk", 5)]
        assert [n for _label, n in parts["category"]] == [5]
