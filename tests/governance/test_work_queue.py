"""The supplier's work queue on /supplier/: every item due from it across the organisations it
serves, nothing of another supplier or of an organisation it does not serve, and a number of
queries that does not grow with the contracts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from complaints.models import Complaint
from contracts.models import Contract
from governance.platform.models import Organisation
from meetings import services as meeting_services
from tests.audits.helpers import make_setup
from tests.complaints.helpers import route_samples as complaint_samples
from tests.contracts.test_reporting import report
from tests.meetings.helpers import make_meetings

TODAY = date(2026, 11, 16)


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr("governance.roof.dashboard.today", lambda: TODAY)


def copy_complaint(complaint, **changes):
    complaint.pk = complaint.id = None
    for name, value in changes.items():
        setattr(complaint, name, value)
    complaint.save()
    return complaint


@pytest.fixture
def queue_world(world, fixed_today):
    """Northwind's work in Alpha and Beta, and data that must not reach it: Southwind's in Beta,
    and a complaint in Gamma (where Northwind has no contract) wrongly assigned to it."""
    with scopes_disabled():
        Contract.objects.filter(pk=world.alpha_contract.pk).update(
            status=Contract.Status.ACTIVE, start_date=date(2026, 10, 1)
        )
        world.alpha_contract.refresh_from_db()
    make_setup(world)
    make_setup(world, world.beta, world.beta_northwind_contract, prefix="Beta desk ")
    alpha_complaint = complaint_samples(world)["complaint"]
    beta = make_meetings(world, world.beta, world.beta_northwind_contract, title="Beta tactical")
    with scopes_disabled():
        Complaint.objects.filter(pk=alpha_complaint.pk).update(
            status="received", acknowledge_due=date(2026, 11, 10), resolve_due=date(2026, 12, 1)
        )
        alpha_complaint.refresh_from_db()
        meeting_services.agenda_item_add(
            meeting=beta.upcoming, title="Beta desk availability", needs_preparation=True
        )
        report(world.beta_northwind_contract, date(2026, 9, 1), status="disputed")
        # Must not show: Southwind's disputed report and complaint in Beta; Gamma's complaint.
        report(world.beta_southwind_contract, date(2026, 9, 1), status="disputed")
        copy_complaint(
            Complaint.objects.get(pk=alpha_complaint.pk),
            organisation=world.beta,
            reference="SOUTH-1",
            token="south-1-token",
            assigned_supplier=world.southwind,
        )
        gamma = Organisation.objects.create(name="Gamma", slug="gamma")
        Contract.objects.create(
            organisation=gamma, supplier=world.southwind, reference="G-1", title="Gamma desk"
        )
        copy_complaint(
            Complaint.objects.get(pk=alpha_complaint.pk),
            organisation=gamma,
            reference="GAMMA-1",
            token="gamma-1-token",
            assigned_supplier=world.northwind,
        )
    world.alpha_complaint = alpha_complaint
    return world


def rows(response):
    return [
        (
            i.due.isoformat() if i.due else None,
            str(i.kind),
            i.organisation,
            i.contract,
            i.title,
            i.overdue,
        )
        for i in response.context["queue"]
    ]


def test_supplier_queue_lists_every_item_due_across_its_clients(queue_world, client_as):
    world = queue_world
    client = client_as(world.bob)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(reverse("supplier_home"))
    reference = world.alpha_complaint.reference
    prep_due = response.context["queue"][-1].due.isoformat()
    assert rows(response) == [
        ("2026-11-09", "Disputed report: correct or appeal", "Beta", "B-1", "2026-09", True),
        ("2026-11-10", "Complaint assigned to you", "Alpha", "", reference, True),
        (
            "2026-11-16",
            "Audit by your QA expected",
            "Beta",
            "B-1",
            "Beta desk Operational audit Q4",
            False,
        ),
        ("2026-11-16", "Audit by your QA expected", "Alpha", "A-1", "Operational audit Q4", False),
        (
            "2026-11-30",
            "Corrective action",
            "Beta",
            "B-1",
            "Beta desk Escalation not followed",
            False,
        ),
        ("2026-11-30", "Corrective action", "Alpha", "A-1", "Escalation not followed", False),
        # October's window closed on 10 November; late reports until 10 December.
        ("2026-12-10", "SLA report late", "Alpha", "A-1", "2026-10", True),
        ("2026-12-31", "Audit programme to propose", "Alpha", "A-1", "2027", False),
        (prep_due, "Pre-read due", "Beta", "B-1", "Beta desk availability", False),
    ]
    assert prep_due.startswith("2099-03")
    assert response.context["overdue_count"] == 3
    body = response.content.decode()
    for leak in ("SOUTH-1", "GAMMA-1", "Gamma", "B-2", "Beta hosting"):
        assert leak not in body
    # On time: A-1's October window closed without a report: 0 of 1; B-1 is a draft contract.
    rates = response.context["rates"]
    assert (rates["total"].on_time, rates["total"].due) == (0, 1)
    assert [(o.name, r.due) for o, r in rates["per_organisation"]] == [("Alpha", 1), ("Beta", 0)]


def test_another_supplier_sees_only_its_own_work(queue_world, client_as):
    client = client_as(queue_world.dave)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(reverse("supplier_home"))
    assert [(i.kind, i.organisation, i.contract, i.title) for i in response.context["queue"]] == [
        ("Disputed report: correct or appeal", "Beta", "B-2", "2026-09"),
        ("Complaint assigned to you", "Beta", "", "SOUTH-1"),
    ]


def test_a_client_user_has_no_supplier_queue(queue_world, client_as):
    assert client_as(queue_world.alice).get(reverse("supplier_home")).status_code == 404


SUPPLIER_HOME_QUERIES = 17


@pytest.mark.parametrize("count", [1, 4])
def test_supplier_queue_queries_do_not_grow_with_contracts(world, client_as, fixed_today, count):
    with scopes_disabled():
        for organisation in (world.alpha, world.beta):
            for n in range(count):
                contract = Contract.objects.create(
                    organisation=organisation,
                    supplier=world.northwind,
                    reference=f"Q-{n}",
                    title=f"Queue {n}",
                    status=Contract.Status.ACTIVE,
                    start_date=date(2026, 6, 1),
                )
                report(contract, date(2026, 7, 1))
                report(contract, date(2026, 8, 1), status="disputed")
    client = client_as(world.bob)
    url = reverse("supplier_home")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    disputed = [i for i in response.context["queue"] if i.title == "2026-08"]
    assert len(disputed) == 2 * count
    assert len(queries) == SUPPLIER_HOME_QUERIES
