"""A client user's "My work": what the user owns or has to review, sorted by due date, overdue
marked; a fixed number of queries; nothing for a supplier's user."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from audits import services as audit_services
from complaints.models import Complaint
from contracts.models import Contract
from meetings import services as meeting_services
from tests.audits.helpers import make_setup, manager
from tests.complaints.helpers import route_samples as complaint_samples
from tests.contracts.test_reporting import report
from tests.governance.test_work_queue import TODAY, copy_complaint
from tests.meetings.helpers import make_meetings


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr("governance.roof.dashboard.today", lambda: TODAY)


def mine(complaint, reference, **changes):
    return copy_complaint(
        complaint,
        reference=reference,
        token=f"{reference}-token",
        assigned_supplier=None,
        assigned_user=changes.pop("user"),
        status="in_progress",
        **changes,
    )


@pytest.fixture
def alice_work(world, fixed_today):
    setup = make_setup(world)
    meetings = make_meetings(world)
    complaint = complaint_samples(world)["complaint"]
    with scopes_disabled():
        audit_services.action_create(
            access=manager(world),
            finding=setup.finding,
            description="Update the escalation card",
            owner_side="client",
            client_owner=world.alice,
            due_date=date(2026, 11, 20),
        )
        for owner, title in (("alice@example.test", "Send the budget"), ("Else", "Not mine")):
            meeting_services.action_create(
                meeting=meetings.past,
                title=title,
                owner_side="client",
                owner_name=owner,
                due_date=date(2026, 11, 1),
            )
        mine(
            Complaint.objects.get(pk=complaint.pk),
            "MINE-1",
            user=world.alice,
            resolve_due=date(2026, 11, 25),
        )
        mine(
            Complaint.objects.get(pk=complaint.pk),
            "VICTOR-1",
            user=world.victor,
            resolve_due=date(2026, 11, 25),
        )
        report(world.alpha_contract, date(2026, 10, 1))
        # Beta's report to review: never on Alpha's page.
        report(world.beta_northwind_contract, date(2026, 10, 1))
    return world


def test_my_work_lists_what_the_user_owns_by_due_date(alice_work, client_as):
    client = client_as(alice_work.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(reverse("my_work", kwargs={"org_slug": "alpha"}))
    assert [
        (i.due.isoformat(), i.kind, i.contract, i.title, i.overdue)
        for i in response.context["items"]
    ] == [
        # Review due by the close of the report window (day 10 after the period).
        ("2025-02-10", "SLA report to review", "A-1", "2025-01", True),
        ("2026-03-01", "SIP milestone", "A-1", "Evening shift", True),
        ("2026-11-01", "Meeting action", "A-1", "Send the budget", True),
        ("2026-11-10", "SLA report to review", "A-1", "2026-10", True),
        ("2026-11-20", "Corrective action", "A-1", "Escalation not followed", False),
        ("2026-11-25", "Complaint assigned to you", "", "MINE-1", False),
    ]
    assert response.context["overdue_count"] == 4
    body = response.content.decode()
    assert body.count("· overdue</mark>") == 4
    assert "VICTOR-1" not in body and "Not mine" not in body


def test_a_viewer_sees_only_its_own_items(alice_work, client_as):
    client = client_as(alice_work.victor)
    response = client.get(reverse("my_work", kwargs={"org_slug": "alpha"}))
    # No reviews for a viewer: only the complaint assigned to it.
    assert [i.title for i in response.context["items"]] == ["VICTOR-1"]


def test_a_supplier_user_has_no_my_work_page(alice_work, client_as):
    response = client_as(alice_work.bob).get(reverse("my_work", kwargs={"org_slug": "alpha"}))
    assert response.status_code == 404


def test_the_navigation_links_my_work_for_client_users_only(world, client_as):
    url = reverse("my_work", kwargs={"org_slug": "alpha"})
    alice_page = client_as(world.alice).get(reverse("organisation_home", args=["alpha"]))
    assert f'href="{url}"' in alice_page.content.decode()
    bob_page = client_as(world.bob).get(reverse("contracts:contract_list", args=["alpha"]))
    assert f'href="{url}"' not in bob_page.content.decode()


MY_WORK_QUERIES = 12


@pytest.mark.parametrize("count", [1, 4])
def test_my_work_queries_do_not_grow_with_contracts(
    world,
    client_as,
    fixed_today,
    count,
):
    complaint = complaint_samples(world)["complaint"]
    with scopes_disabled():
        for n in range(count):
            contract = Contract.objects.create(
                organisation=world.alpha,
                supplier=world.northwind,
                reference=f"W-{n}",
                title=f"Work {n}",
            )
            report(contract, date(2026, 10, 1))
            mine(
                Complaint.objects.get(pk=complaint.pk),
                f"W-{n}",
                user=world.alice,
                resolve_due=date(2026, 12, 1),
            )
    client = client_as(world.alice)
    url = reverse("my_work", kwargs={"org_slug": "alpha"})
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert len(response.context["items"]) == 2 * count
    assert len(queries) == MY_WORK_QUERIES
