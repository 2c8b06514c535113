"""Webhooks: signing, who hears what, delivery with retries, switching off, and the pages."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from complaints import services as complaint_services
from contracts import services as contract_services
from contracts.models import SLAReport
from governance.platform.access import access_for, system_access, tenant_scope
from governance.platform.models import OutboxMessage, WebhookDelivery, WebhookEndpoint
from governance.platform.webhooks import (
    Event,
    signature,
    signature_header,
    signature_valid,
    webhook_emit,
    webhook_emit_many,
    webhook_relay,
)
from tests.complaints.helpers import route_samples as complaint_samples
from tests.contracts.samples import contract_samples

ALL = list(Event.values)


def endpoint(organisation, *, supplier=None, events=ALL, url="http://127.0.0.1:9/hook", **more):
    with scopes_disabled():
        return WebhookEndpoint.objects.create(
            organisation=organisation,
            supplier=supplier,
            name=f"{organisation.name} {supplier.name if supplier else 'own'}",
            url=url,
            secret="whsec_test",
            events=events,
            **more,
        )


def deliveries(hook):
    with scopes_disabled():
        return list(WebhookDelivery.objects.filter(endpoint=hook).order_by("pk"))


def webhook_route_samples(world) -> dict:
    """The Alpha organisation's own endpoint, with one delivery, for the route walk."""
    hook = endpoint(world.alpha)
    with scopes_disabled():
        WebhookDelivery.objects.create(
            endpoint=hook,
            event=Event.FINDING_RAISED,
            payload={"data": {}},
            next_attempt_at=timezone.now(),
        )
    endpoint(world.beta, url="http://127.0.0.1:9/beta")
    return {"webhook_endpoint": hook}


# --- signing --------------------------------------------------------------------------------


def test_signature_is_hmac_sha256_of_time_and_body():
    # openssl: echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    expected = "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
    assert signature("whsec_test", 1700000000, b'{"a":1}') == expected
    header = signature_header("whsec_test", b'{"a":1}', timestamp=1700000000)
    assert header == f"t=1700000000,v1={expected}"


def test_a_receiver_refuses_tampered_old_and_malformed_signatures():
    body = b'{"a":1}'
    header = signature_header("whsec_test", body, timestamp=1700000000)
    assert signature_valid("whsec_test", header, body, now=1700000000 + 300)
    assert not signature_valid("whsec_test", header, body, now=1700000000 + 301)
    assert not signature_valid("whsec_test", header, b'{"a":2}', now=1700000000)
    assert not signature_valid("whsec_other", header, body, now=1700000000)
    assert not signature_valid("whsec_test", "v1=abc", body, now=1700000000)
    assert not signature_valid("whsec_test", "garbage", body, now=1700000000)


# --- who hears what -------------------------------------------------------------------------


def test_each_endpoint_hears_only_what_its_owner_may_see(world):
    own = endpoint(world.alpha)
    northwind = endpoint(world.alpha, supplier=world.northwind)
    southwind = endpoint(world.alpha, supplier=world.southwind)
    beta = endpoint(world.beta)
    picky = endpoint(world.alpha, events=[Event.PRE_READ_DUE])
    off = endpoint(world.alpha, active=False)
    queued = webhook_emit(
        organisation=world.alpha,
        event=Event.FINDING_RAISED,
        supplier_id=world.northwind.pk,
        data={"finding": 1},
    )
    assert queued == 2
    assert [len(deliveries(h)) for h in (own, northwind, southwind, beta, picky, off)] == [
        1,
        1,
        0,
        0,
        0,
        0,
    ]
    # An event of the client alone (no supplier) reaches no supplier's endpoint.
    webhook_emit(organisation=world.alpha, event=Event.PRE_READ_DUE, data={})
    assert [len(deliveries(h)) for h in (own, northwind, picky)] == [2, 1, 1]
    [payload] = [d.payload for d in deliveries(northwind)]
    assert payload["event"] == "finding.raised"
    assert payload["organisation"] == "alpha"
    assert payload["data"] == {"finding": 1}
    assert payload["id"] == str(deliveries(northwind)[0].uuid)


def test_many_events_read_the_endpoints_once_and_reach_whom_each_would(
    world, django_assert_num_queries
):
    own = endpoint(world.alpha)
    northwind = endpoint(world.alpha, supplier=world.northwind)
    southwind = endpoint(world.alpha, supplier=world.southwind)
    items = [
        ({"flag": 1}, world.northwind.pk),
        ({"flag": 2}, world.southwind.pk),
        ({"flag": 3}, None),
    ]
    # One query for the endpoints, then one insert per delivery (3 + 1 + 1).
    with django_assert_num_queries(1 + 5):
        queued = webhook_emit_many(
            organisation=world.alpha, event=Event.GAP_FLAG_CONFIRMED, items=items
        )
    assert queued == 5
    assert [d.payload["data"]["flag"] for d in deliveries(own)] == [1, 2, 3]
    assert [d.payload["data"]["flag"] for d in deliveries(northwind)] == [1]
    assert [d.payload["data"]["flag"] for d in deliveries(southwind)] == [2]
    none = webhook_emit_many(organisation=world.alpha, event=Event.GAP_FLAG_CONFIRMED, items=[])
    assert none == 0


def test_a_change_that_rolls_back_takes_its_events_with_it(world):
    hook = endpoint(world.alpha)
    with pytest.raises(RuntimeError), transaction.atomic():
        webhook_emit(organisation=world.alpha, event=Event.FINDING_RAISED, data={})
        raise RuntimeError
    assert deliveries(hook) == []


def test_an_unknown_event_is_a_programming_error(world):
    with pytest.raises(ValueError):
        webhook_emit(organisation=world.alpha, event="report.eaten", data={})


def test_report_decisions_and_a_complaint_assignment_are_announced(world):
    own = endpoint(world.alpha)
    northwind = endpoint(world.alpha, supplier=world.northwind)
    report = contract_samples(world)["sla_report"]
    manager = access_for(world.alice, world.alpha)
    with tenant_scope(manager):
        report = SLAReport.objects.get(pk=report.pk)
        contract_services.sla_report_accept(access=manager, report=report)
    complaint = complaint_samples(world)["complaint"]  # assigned to Northwind on creation
    events = [d.event for d in deliveries(northwind)]
    assert events == ["sla_report.accepted", "complaint.assigned"]
    assert [d.event for d in deliveries(own)] == events
    accepted, assigned = (d.payload["data"] for d in deliveries(northwind))
    assert accepted["report"] == report.pk and accepted["status"] == "accepted"
    assert accepted["contract"] == world.alpha_contract.reference
    assert accepted["url"].endswith(f"/o/alpha/contracts/reports/{report.pk}/")
    assert assigned["reference"] == complaint.reference
    # No personal data of the complainant leaves Regie this way.
    assert set(assigned) == {
        "complaint",
        "reference",
        "service",
        "acknowledge_due",
        "resolve_due",
        "url",
    }
    # Assigning to a team member is not the supplier's business.
    with tenant_scope(system_access(world.alpha)):
        complaint_services.complaint_assign(
            access=system_access(world.alpha), complaint=complaint, user=world.alice
        )
    assert len(deliveries(northwind)) == 2


# --- delivery ---------------------------------------------------------------------------------


class Receiver:
    """A local HTTP endpoint answering each POST with the next status of `statuses`."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server interface
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(*statuses):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for each in made:
        each.close()


def due_now():
    with scopes_disabled():
        WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_delivery_is_signed_and_posted_once(world, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    server = receiver(200)
    hook = endpoint(world.alpha, url=server.url)
    webhook_emit(organisation=world.alpha, event=Event.GAP_FLAG_CONFIRMED, data={"flag": 7})
    assert webhook_relay() == {"delivered": 1, "retrying": 0, "failed": 0, "requeued": 0}
    assert webhook_relay()["delivered"] == 0
    [(headers, body)] = server.received
    [delivery] = deliveries(hook)
    assert headers["Regie-Event"] == "gap_flag.confirmed"
    assert headers["Regie-Delivery"] == str(delivery.uuid)
    assert signature_valid("whsec_test", headers["Regie-Signature"], body)
    assert json.loads(body)["data"] == {"flag": 7}
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)


def test_failures_are_retried_with_backoff_and_then_given_up(world, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    server = receiver(500, 503, 500, 200)
    hook = endpoint(world.alpha, url=server.url)
    webhook_emit(organisation=world.alpha, event=Event.PRE_READ_DUE, data={})
    before = timezone.now()
    assert webhook_relay()["retrying"] == 1
    [delivery] = deliveries(hook)
    assert delivery.last_error == "HTTP 500" and delivery.attempts == 1
    # 2 minutes after the first failure, 4 after the second.
    assert (
        timedelta(minutes=2) <= delivery.next_attempt_at - before <= timedelta(minutes=2, seconds=5)
    )
    assert webhook_relay()["retrying"] == 0  # not due yet
    due_now()
    assert webhook_relay()["retrying"] == 1
    due_now()
    assert webhook_relay()["failed"] == 1
    [delivery] = deliveries(hook)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 3, "HTTP 500")
    assert len(server.received) == 3
    # The same delivery id on every attempt, so a receiver can drop repeats.
    assert {headers["Regie-Delivery"] for headers, _ in server.received} == {str(delivery.uuid)}


def test_an_endpoint_failing_again_and_again_is_switched_off_and_its_owner_told(
    world, receiver, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_DISABLE_AFTER = 3
    server = receiver(500, 500, 500, 500)
    hook = endpoint(world.alpha, url=server.url)
    for _ in range(3):
        webhook_emit(organisation=world.alpha, event=Event.PRE_READ_DUE, data={})
    assert webhook_relay() == {"delivered": 0, "retrying": 3, "failed": 0, "requeued": 0}
    with scopes_disabled():
        hook.refresh_from_db()
    assert not hook.active and hook.consecutive_failures == 3
    assert hook.disabled_reason.startswith("3 failed deliveries in a row")
    [notice] = OutboxMessage.objects.all()
    assert notice.to == ["alice@example.test"]
    assert hook.url in notice.body_text
    # While off nothing is posted; switched on again, the waiting events go out.
    due_now()
    assert webhook_relay()["retrying"] == 0 and len(server.received) == 3
    server.statuses = []
    with scopes_disabled():
        WebhookEndpoint.objects.filter(pk=hook.pk).update(active=True, consecutive_failures=0)
    due_now()
    assert webhook_relay()["delivered"] == 3


def test_private_addresses_are_refused_outside_development(world, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    server = receiver(200)
    hook = endpoint(world.alpha, url=server.url)
    webhook_emit(organisation=world.alpha, event=Event.PRE_READ_DUE, data={})
    assert webhook_relay()["retrying"] == 1
    [delivery] = deliveries(hook)
    assert "non-public address" in delivery.last_error
    assert server.received == []


# --- the pages --------------------------------------------------------------------------------


def list_url(org="alpha"):
    return reverse("webhooks:list", kwargs={"org_slug": org})


def test_a_manager_adds_an_endpoint_and_sees_its_secret_once(world, client_as):
    client = client_as(world.alice)
    response = client.post(
        list_url(),
        {"name": "Ticketing", "url": "https://hooks.example/regie", "events": ALL[:2]},
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("whsec_") and secret in response.content.decode()
    with scopes_disabled():
        hook = WebhookEndpoint.objects.get(name="Ticketing")
    assert (hook.organisation, hook.supplier, hook.secret) == (world.alpha, None, secret)
    assert hook.events == sorted(ALL[:2])
    detail = client.get(reverse("webhooks:detail", kwargs={"org_slug": "alpha", "pk": hook.pk}))
    assert detail.status_code == 200 and secret not in detail.content.decode()
    rotated = client.post(reverse("webhooks:rotate", kwargs={"org_slug": "alpha", "pk": hook.pk}))
    with scopes_disabled():
        hook.refresh_from_db()
    assert hook.secret == rotated.context["secret"] != secret


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "X", "url": "https://hooks.example/x", "events": []}, "events"),
        ({"name": "X", "url": "not an address", "events": ALL[:1]}, "url"),
        ({"name": "X", "url": "https://hooks.example/x", "events": ["eaten"]}, "events"),
        ({"name": "", "url": "https://hooks.example/x", "events": ALL[:1]}, "name"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(world, client_as, data, field):
    response = client_as(world.alice).post(list_url(), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    with scopes_disabled():
        assert not WebhookEndpoint.objects.exists()


def test_production_wants_https(world, client_as, settings):
    settings.DEBUG = False
    response = client_as(world.alice).post(
        list_url(), {"name": "X", "url": "http://hooks.example/x", "events": ALL[:1]}
    )
    assert "url" in response.context["form"].errors


def test_a_supplier_manages_its_own_endpoints_only(world, client_as):
    own = endpoint(world.alpha)
    client = client_as(world.bob)
    response = client.post(
        list_url(), {"name": "Northwind desk", "url": "https://nw.example/h", "events": ALL}
    )
    assert response.status_code == 200
    with scopes_disabled():
        mine = WebhookEndpoint.objects.get(name="Northwind desk")
    assert mine.supplier == world.northwind
    listed = client.get(list_url()).context["endpoints"]
    with scopes_disabled():
        assert list(listed) == [mine]
    detail = reverse("webhooks:detail", kwargs={"org_slug": "alpha", "pk": own.pk})
    assert client.get(detail).status_code == 404
    theirs = reverse("webhooks:detail", kwargs={"org_slug": "alpha", "pk": mine.pk})
    assert client_as(world.alice).get(theirs).status_code == 404
    assert client_as(world.victor).get(list_url()).status_code == 403
