"""Many-to-many sets in the audit trail: an audit's services and observers, a finding's
affected services, a survey's contracts and services. A change of the set is one history row
and reads as before → after on the record's history and in the trail export."""

import csv
import io

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from simple_history.models import HistoricalRecords

from audits import services as audit_services
from audits.models import Audit, Finding
from governance.platform.access import access_for
from governance.platform.history import Side, tracked_bulk_update, tracked_update
from governance.platform.trail import record_history
from tests.audits.helpers import TODAY, agreed_way_of_working, manager


@pytest.fixture
def planned(world, as_user):
    """A planned audit of Alpha's contract with the service desk in scope, made by alice."""
    as_user(world.alice)
    with scopes_disabled():
        desk, hosting = agreed_way_of_working(world.alpha_contract)
        audit = audit_services.audit_create(
            access=manager(world),
            contract=world.alpha_contract,
            title="Scope audit",
            planned_date=TODAY,
            services=[desk],
        )
    return audit.pk, desk, hosting


def rows_of(pk):
    with scopes_disabled():
        return list(Audit.history.filter(id=pk).order_by("history_id"))


def changes(entry):
    return {c.name: (c.before, c.after) for c in entry.changes}


def test_create_with_a_set_is_one_row_holding_the_set(world, planned):
    pk, desk, _ = planned
    (created,) = rows_of(pk)
    assert created.history_type == "+"
    assert [r.service_id for r in created.services.all()] == [desk.pk]
    with scopes_disabled():
        audit = Audit.objects.get(pk=pk)
        (entry,) = record_history(audit, access=access_for(world.alice, world.alpha))
    assert changes(entry)["services"] == ("", str(desk))


def test_changing_fields_and_set_together_is_one_row_with_before_and_after(world, planned):
    pk, desk, hosting = planned
    with scopes_disabled():
        audit = Audit.objects.get(pk=pk)
        audit_services.audit_update(
            access=manager(world),
            audit=audit,
            title="Wider audit",
            services=[desk, hosting],
            observers=[world.victor],
        )
        created, changed = rows_of(pk)
        assert (changed.history_type, changed.history_user, changed.history_side) == (
            "~",
            world.alice,
            Side.CLIENT,
        )
        assert sorted(r.service_id for r in changed.services.all()) == sorted([desk.pk, hosting.pk])
        entry = record_history(
            Audit.objects.get(pk=pk), access=access_for(world.alice, world.alpha)
        )[0]
    assert changes(entry) == {
        "title": ("Scope audit", "Wider audit"),
        "services": (str(desk), ", ".join(sorted([str(desk), str(hosting)]))),
        "observers": ("", "victor@example.test"),
    }


def test_a_set_change_alone_is_one_changed_row(world, planned):
    pk, desk, hosting = planned
    with scopes_disabled(), transaction.atomic():
        audit = Audit.objects.get(pk=pk)
        # `set()` removes the desk and adds hosting: two signals, one row.
        audit.services.set([hosting])
    created, changed = rows_of(pk)
    assert changed.history_type == "~"
    assert [r.service_id for r in changed.services.all()] == [hosting.pk]
    with scopes_disabled():
        entry = record_history(audit, access=access_for(world.alice, world.alpha))[0]
    assert changes(entry) == {"services": (str(desk), str(hosting))}


def test_a_change_from_the_other_side_is_recorded_on_the_audit(world, planned):
    pk, desk, hosting = planned
    with scopes_disabled():
        hosting.audits.add(Audit.objects.get(pk=pk))
        created, changed = rows_of(pk)
        assert sorted(r.service_id for r in changed.services.all()) == sorted([desk.pk, hosting.pk])
        hosting.audits.clear()
        assert [r.service_id for r in rows_of(pk)[-1].services.all()] == [desk.pk]
    assert len(rows_of(pk)) == 3


def test_bulk_paths_keep_the_set_so_no_false_change_shows(world, planned):
    pk, desk, _ = planned
    with scopes_disabled():
        tracked_update(Audit.objects.filter(pk=pk), summary="Bulk summary")
        audit = Audit.objects.get(pk=pk)
        audit.processes = "Incidents"
        tracked_bulk_update(Audit, [audit], ["processes"])
        rows = rows_of(pk)
        assert [r.history_type for r in rows] == ["+", "~", "~"]
        assert [[s.service_id for s in r.services.all()] for r in rows] == [[desk.pk]] * 3
        entries = record_history(audit, access=access_for(world.alice, world.alpha))
    assert [changes(e) for e in entries[:2]] == [
        {"processes": ("", "Incidents")},
        {"summary": ("", "Bulk summary")},
    ]


def test_finding_services_change_by_the_supplier_through_the_api(world, client):
    from tests.audits.helpers import make_setup

    setup = make_setup(world)
    with scopes_disabled():
        before = Finding.history.filter(id=setup.finding.pk).count()
        old = ", ".join(sorted(str(s) for s in setup.finding.services.all()))
    client.force_login(world.bob)
    url = reverse("api:audit-finding-detail", kwargs={"org_slug": "alpha", "pk": setup.finding.pk})
    response = client.patch(
        url,
        {"root_cause": "Roster gap", "services": [setup.hosting.pk]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    with scopes_disabled():
        rows = list(Finding.history.filter(id=setup.finding.pk).order_by("history_id"))
        assert len(rows) == before + 1
        assert [s.service_id for s in rows[-1].services.all()] == [setup.hosting.pk]
        entry = record_history(
            Finding.objects.get(pk=setup.finding.pk), access=access_for(world.bob, world.alpha)
        )[0]
    assert changes(entry)["services"] == (old, str(setup.hosting))
    assert entry.side == Side.SUPPLIER


def test_the_export_shows_the_set_change(world, planned, client):
    pk, desk, hosting = planned
    with scopes_disabled():
        audit_services.audit_update(
            access=manager(world), audit=Audit.objects.get(pk=pk), services=[hosting]
        )
    del HistoricalRecords.context.request
    client.force_login(world.alice)
    today = timezone.localdate().isoformat()
    export = client.get(
        reverse("history_export", kwargs={"org_slug": "alpha"}),
        {"start": today, "end": today},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert export.status_code == 200
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    set_lines = [
        line[3:] for line in lines if line[1] == "audit" and line[6] == "services in scope"
    ]
    assert set_lines == [
        ["changed", "alice@example.test", "client", "services in scope", str(desk), str(hosting)],
        ["created", "alice@example.test", "client", "services in scope", "", str(desk)],
    ]
