"""The audit trail: who, side, before → after; bulk helpers; pages, API and export; suppliers
see only what they may; the trail is append-only."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook
from simple_history.models import HistoricalRecords

from audits import services as audit_services
from contracts import services as contract_services
from contracts.models import Contract, Service, ServiceHours
from governance.platform.access import access_for, system_access
from governance.platform.exports import escape_cell
from governance.platform.history import (
    AppendOnlyError,
    Side,
    tracked_bulk_create,
    tracked_bulk_update,
    tracked_update,
)
from governance.platform.trail import record_history
from tests.audits.helpers import make_setup


def rows_of(record):
    with scopes_disabled():
        return list(record.history.order_by("history_date", "history_id"))


def test_change_by_a_client_member_records_user_side_and_values(world, as_user):
    as_user(world.alice)
    with scopes_disabled():
        contract_services.contract_update(contract=world.alpha_contract, title="Alpha desk 2")
    created, changed = rows_of(world.alpha_contract)
    assert (created.history_type, created.history_side, created.history_user) == (
        "+",
        Side.SYSTEM,
        None,
    )
    assert (changed.history_type, changed.history_user, changed.history_side) == (
        "~",
        world.alice,
        Side.CLIENT,
    )
    assert (created.title, changed.title) == ("Alpha desk", "Alpha desk 2")


def test_change_by_a_supplier_user_is_on_the_supplier_side(world, as_user):
    as_user(world.bob)
    with scopes_disabled():
        contract_services.contract_update(contract=world.alpha_contract, title="By bob")
    assert rows_of(world.alpha_contract)[-1].history_side == Side.SUPPLIER


def test_tracked_update_writes_one_row_per_record_with_the_new_value(world, as_user):
    as_user(world.alice)
    with scopes_disabled():
        count = tracked_update(Contract.objects.filter(organisation=world.alpha), title="Renamed")
        rows = rows_of(world.alpha_contract)
        beta_rows = rows_of(world.beta_northwind_contract)
    assert count == 1
    assert [(r.history_type, r.title) for r in rows] == [("+", "Alpha desk"), ("~", "Renamed")]
    assert rows[-1].history_user == world.alice
    assert len(beta_rows) == 1


def test_tracked_update_refuses_expressions(world):
    from django.db.models import F

    with scopes_disabled(), pytest.raises(TypeError):
        tracked_update(Contract.objects.all(), title=F("reference"))


def test_bulk_create_and_update_write_history_with_the_side(world, as_user):
    as_user(world.bob)
    with scopes_disabled():
        service = Service.objects.create(
            organisation=world.alpha, contract=world.alpha_contract, name="Desk"
        )
        hours = tracked_bulk_create(
            ServiceHours,
            [
                ServiceHours(
                    organisation=world.alpha,
                    service=service,
                    weekday=day,
                    opens="08:00",
                    closes="18:00",
                )
                for day in (0, 1)
            ],
        )
        hours[0].closes = "20:00"
        tracked_bulk_update(ServiceHours, [hours[0]], ["closes"])
        first = rows_of(hours[0])
        second = rows_of(hours[1])
    assert [(r.history_type, str(r.closes)) for r in first] == [
        ("+", "18:00:00"),
        ("~", "20:00:00"),
    ]
    assert [r.history_type for r in second] == ["+"]
    assert {r.history_side for r in first + second} == {Side.SUPPLIER}
    assert {r.history_user_id for r in first + second} == {world.bob.pk}


def test_without_a_request_the_system_is_the_actor(world):
    with scopes_disabled():
        contract_services.contract_update(contract=world.alpha_contract, title="Nightly")
    last = rows_of(world.alpha_contract)[-1]
    assert (last.history_user, last.history_side) == (None, Side.SYSTEM)


def test_history_is_append_only(world):
    with scopes_disabled():
        row = world.alpha_contract.history.get()
        history = type(row).objects
        with pytest.raises(AppendOnlyError):
            row.save()
        with pytest.raises(AppendOnlyError):
            row.delete()
        with pytest.raises(AppendOnlyError):
            history.filter(pk=row.pk).update(title="forged")
        with pytest.raises(AppendOnlyError):
            history.filter(pk=row.pk).delete()
        assert history.get(pk=row.pk).title == "Alpha desk"


def test_deleting_a_record_keeps_its_history(world, as_user):
    as_user(world.alice)
    with scopes_disabled():
        service = Service.objects.create(
            organisation=world.alpha, contract=world.alpha_contract, name="Desk"
        )
        pk = service.pk
        service.delete()
        rows = list(Service.history.filter(id=pk).order_by("history_id"))
    assert [(r.history_type, r.name) for r in rows] == [("+", "Desk"), ("-", "Desk")]


# --- what each side reads ------------------------------------------------------------------


@pytest.fixture
def finding_with_note(world, as_user):
    setup = make_setup(world)
    as_user(world.alice)
    with scopes_disabled():
        audit_services.finding_set_priority(
            access=access_for(world.alice, world.alpha),
            finding=setup.finding,
            priority=4,
            note="Board asked about this",
        )
    del HistoricalRecords.context.request
    return setup.finding


def _changes(entry):
    return {c.name: (c.before, c.after) for c in entry.changes}


def test_client_reads_the_private_note_in_the_history(world, finding_with_note):
    with scopes_disabled():
        entries = record_history(finding_with_note, access=access_for(world.alice, world.alpha))
    latest = _changes(entries[0])
    assert latest["client_priority"] == ("", "4")
    assert latest["client_note"] == ("", "Board asked about this")
    assert entries[0].user == "alice@example.test"


def test_supplier_reads_the_history_without_the_private_note(world, finding_with_note, client):
    client.force_login(world.bob)
    url = reverse(
        "api:audit-finding-history", kwargs={"org_slug": "alpha", "pk": finding_with_note.pk}
    )
    response = client.get(url)
    assert response.status_code == 200
    latest = response.json()[0]
    changes = {c["name"]: (c["before"], c["after"]) for c in latest["changes"]}
    assert set(changes) == {"client_priority", "priority_set_by", "priority_set_at"}
    assert changes["client_priority"] == ("", "4")
    assert changes["priority_set_by"] == ("", "alice@example.test")
    assert "Board asked" not in response.content.decode()
    assert latest["side"] == "client"


def test_supplier_cannot_read_the_history_of_another_suppliers_record(world, client):
    client.force_login(world.dave)
    url = reverse(
        "api:contract-history", kwargs={"org_slug": "beta", "pk": world.beta_northwind_contract.pk}
    )
    assert client.get(url).status_code == 404
    client.force_login(world.bob)
    own = reverse(
        "api:contract-history", kwargs={"org_slug": "beta", "pk": world.beta_northwind_contract.pk}
    )
    assert client.get(own).status_code == 200
    foreign = reverse(
        "api:contract-history",
        kwargs={"org_slug": "beta", "pk": world.beta_southwind_contract.pk},
    )
    assert client.get(foreign).status_code == 404


def test_api_history_gives_before_and_after(world, client):
    client.force_login(world.alice)
    with scopes_disabled():
        contract_services.contract_update(contract=world.alpha_contract, title="Alpha desk 2")
    url = reverse(
        "api:contract-history", kwargs={"org_slug": "alpha", "pk": world.alpha_contract.pk}
    )
    body = client.get(url).json()
    assert [e["action"] for e in body] == ["changed", "created"]
    assert [(c["name"], c["before"], c["after"]) for c in body[0]["changes"]] == [
        ("title", "Alpha desk", "Alpha desk 2")
    ]
    assert body[0]["side"] == "system"


def test_record_page_shows_the_history(world, client):
    client.force_login(world.alice)
    client.post(
        reverse(
            "contracts:contract_edit", kwargs={"org_slug": "alpha", "pk": world.alpha_contract.pk}
        ),
        {},
    )
    with scopes_disabled():
        contract_services.contract_update(contract=world.alpha_contract, title="Alpha desk 2")
    page = client.get(
        reverse(
            "contracts:contract_detail", kwargs={"org_slug": "alpha", "pk": world.alpha_contract.pk}
        )
    )
    body = page.content.decode()
    assert 'data-testid="history"' in body
    assert "<del>Alpha desk</del>" in body and "<ins>Alpha desk 2</ins>" in body


# --- the organisation's trail --------------------------------------------------------------


def _page_lines(response) -> list[list[str]]:
    import re
    from html import unescape

    body = response.content.decode()
    rows = re.findall(r'<tr data-testid="trail-line">(.*?)</tr>', body, re.S)
    return [[unescape(c) for c in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]


def test_export_equals_the_page(world, client, as_user):
    as_user(world.alice)
    with scopes_disabled():
        contract_services.contract_update(contract=world.alpha_contract, title="=cmd|calc")
        contract_services.contract_update(
            contract=world.beta_northwind_contract, title="Beta desk renamed"
        )
    del HistoricalRecords.context.request
    client.force_login(world.alice)
    today = timezone.localdate()
    query = {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
    page = client.get(
        reverse("history", kwargs={"org_slug": "alpha"}), query, HTTP_ACCEPT_LANGUAGE="en"
    )
    export = client.get(
        reverse("history_export", kwargs={"org_slug": "alpha"}), query, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == export.status_code == 200
    lines = _page_lines(page)
    exported = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert exported[1:] == [[str(escape_cell(cell)) for cell in line] for line in lines]
    # Hand-checked: the change, then the creation's two lines (reference, title) — no Beta.
    changed = [line for line in lines if line[3] == "changed"]
    assert [line[1:] for line in changed] == [
        [
            "contract",
            str(world.alpha_contract.pk),
            "changed",
            "alice@example.test",
            "client",
            "title",
            "Alpha desk",
            "=cmd|calc",
        ]
    ]
    assert "Beta desk renamed" not in page.content.decode()
    assert [row for row in exported if "'=cmd|calc" in row] != []
    xlsx = client.get(
        reverse("history_export", kwargs={"org_slug": "alpha"}),
        {**query, "format": "xlsx"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [
        ["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert cells == exported


def test_trail_is_for_contract_managers_only(world, client):
    for user, status in ((world.victor, 403), (world.bob, 403), (world.charlie, 404)):
        client.force_login(user)
        assert client.get(reverse("history", kwargs={"org_slug": "alpha"})).status_code == status


def test_trail_refuses_a_period_that_ends_before_it_starts(world, client):
    client.force_login(world.alice)
    backwards = {"start": "2026-03-01", "end": "2026-02-01"}
    response = client.get(
        reverse("history", kwargs={"org_slug": "alpha"}), backwards, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "The period cannot end before it starts." in response.content.decode()
    export = client.get(reverse("history_export", kwargs={"org_slug": "alpha"}), backwards)
    assert export.status_code == 400


def test_system_access_reads_like_a_client(world):
    with scopes_disabled():
        entries = record_history(world.alpha_contract, access=system_access(world.alpha))
    assert [e.action for e in entries] == ["created"]
