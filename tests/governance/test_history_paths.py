"""Bulk, task and API (PUT/PATCH/DELETE) write paths leave exactly one history row per changed
record, with the values before and after. The browser and API POST routes are walked in
`tests/test_history_write_paths.py`."""

from datetime import date, time

from django.urls import reverse
from django_scopes import scopes_disabled

from contracts import services as contract_services
from contracts.models import ServiceHours
from governance.platform.access import access_for
from governance.platform.history import Side
from kto.gaps.models import GapSettings, GapThreshold
from meetings import services as meeting_services
from tests.contracts.samples import contract_samples
from tests.meetings.test_meetings import reminder_setup


def history(record):
    with scopes_disabled():
        return list(type(record).history.filter(id=record.pk).order_by("history_id"))


def test_dispute_updates_measurements_in_bulk_with_one_row_each(world):
    samples = contract_samples(world)
    measurement = samples["measurement"]
    with scopes_disabled():
        contract_services.sla_report_dispute(
            access=access_for(world.alice, world.alpha),
            report=samples["sla_report"],
            reasons={measurement.pk: "Figures differ from our switchboard"},
        )
    rows = history(measurement)
    assert [(r.history_type, r.dispute_reason) for r in rows] == [
        ("+", ""),
        ("~", "Figures differ from our switchboard"),
    ]
    report_rows = history(samples["sla_report"])
    assert [(r.history_type, r.status) for r in report_rows] == [
        ("+", "submitted"),
        ("~", "disputed"),
    ]
    assert report_rows[-1].reviewed_by_id == world.alice.pk


def test_service_window_replaced_through_bulk_create_is_in_the_trail(world):
    service = contract_samples(world)["service"]
    with scopes_disabled():
        contract_services.service_update(
            service=service,
            name=service.name,
            description="",
            criticality=service.criticality,
            open_on_holidays=False,
            hours=[(0, time(8), time(18))],
        )
        first = ServiceHours.objects.get(service=service)
        contract_services.service_update(
            service=service,
            name=service.name,
            description="",
            criticality=service.criticality,
            open_on_holidays=False,
            hours=[(0, time(9), time(17))],
        )
        second = ServiceHours.objects.get(service=service)
        rows = list(ServiceHours.history.filter(service_id=service.pk).order_by("history_id"))
    assert [(r.history_type, r.id, str(r.opens), str(r.closes)) for r in rows] == [
        ("+", first.pk, "08:00:00", "18:00:00"),
        ("-", first.pk, "08:00:00", "18:00:00"),
        ("+", second.pk, "09:00:00", "17:00:00"),
    ]


def test_reminder_task_marks_agenda_items_with_one_system_row(world):
    meeting, item = reminder_setup(world)
    before = len(history(item))
    with scopes_disabled():
        meeting_services.preparation_reminders_send(
            organisation=world.alpha, today=date(2099, 6, 8)
        )
    rows = history(item)[before:]
    assert len(rows) == 2  # one per side reminded
    assert [r.history_side for r in rows] == [Side.SYSTEM, Side.SYSTEM]
    assert [r.history_user_id for r in rows] == [None, None]
    assert rows[0].client_reminded_at is None or rows[0].supplier_reminded_at is None
    assert rows[-1].client_reminded_at is not None and rows[-1].supplier_reminded_at is not None


def test_api_put_of_gap_settings_leaves_one_row(world, client):
    client.force_login(world.alice)
    url = reverse("api:gap-settings", kwargs={"org_slug": "alpha"})
    with scopes_disabled():
        settings = GapSettings.objects.create(organisation=world.alpha)
        before = len(history(settings))
    response = client.put(url, {"amber_margin": "0.0200"}, content_type="application/json")
    assert response.status_code == 200
    rows = history(settings)[before:]
    assert [(r.history_type, str(r.amber_margin)) for r in rows] == [("~", "0.0200")]
    assert (rows[0].history_user_id, rows[0].history_side) == (world.alice.pk, Side.CLIENT)
    body = client.get(reverse("api:gap-settings-history", kwargs={"org_slug": "alpha"})).json()
    assert [c["name"] for c in body[0]["changes"]] == ["amber_margin"]
    assert body[0]["changes"][0]["after"] == "0.0200"


def test_api_patch_and_delete_of_a_threshold_leave_one_row_each(world, client):
    client.force_login(world.alice)
    with scopes_disabled():
        threshold = GapThreshold.objects.create(organisation=world.alpha, target="3.80")
    url = reverse("api:gap-threshold-detail", kwargs={"org_slug": "alpha", "pk": threshold.pk})
    response = client.patch(url, {"target": "4.00"}, content_type="application/json")
    assert response.status_code == 200
    assert client.delete(url).status_code == 204
    rows = history(threshold)
    assert [(r.history_type, str(r.target)) for r in rows] == [
        ("+", "3.80"),
        ("~", "4.00"),
        ("-", "4.00"),
    ]
    assert [r.history_user_id for r in rows] == [None, world.alice.pk, world.alice.pk]


def test_complaint_reminder_bookkeeping_adds_no_row(world):
    """A save of fields the trail leaves out (the reminder's bookkeeping) adds no empty row."""
    from tests.complaints.helpers import route_samples

    complaint = route_samples(world)["complaint"]
    before = len(history(complaint))
    with scopes_disabled():
        complaint.reminded_for = "resolve"
        complaint.save(update_fields=["reminded_for"])
    assert len(history(complaint)) == before
