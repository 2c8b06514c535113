"""Webhooks: Regie's events as signed JSON to an organisation's or a supplier's own systems.

An app announces an event with `webhook_emit` inside the transaction of the change (like the
mail outbox): one `WebhookDelivery` per active endpoint that asked for the event and may see it
— the organisation's own endpoints see every event of the organisation, a supplier's endpoint
only the events of its own contracts (`supplier_id`). If the change rolls back, so do its
deliveries. A relay task posts them, each claimed first so two relays never post it twice.

Signing (like Stripe's): the body is signed with the endpoint's secret, HMAC-SHA256 over
"<unix time>.<body>", sent as ``Regie-Signature: t=<unix time>,v1=<hex>`` beside
``Regie-Event`` and ``Regie-Delivery`` (the delivery's id, the same on every retry, so the
receiver can drop duplicates). A receiver checks the signature with `signature_valid` and
refuses a timestamp older than five minutes.

A failed post (no answer within the timeout, or a status outside 2xx) is retried after
2, 4, 8 … minutes (at most six hours apart) up to `WEBHOOK_MAX_ATTEMPTS`; after
`WEBHOOK_DISABLE_AFTER` failures in a row the endpoint is disabled and its owner told by mail.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.platform.access import Access
from governance.platform.models import Organisation, Role, WebhookDelivery, WebhookEndpoint
from governance.platform.outbox import outbox_enqueue

logger = logging.getLogger(__name__)

Event = WebhookEndpoint.Event
SIGNATURE_HEADER = "Regie-Signature"
TOLERANCE_SECONDS = 300
MAX_BACKOFF = timedelta(hours=6)
STALE_CLAIM = timedelta(minutes=15)
TIMEOUT_SECONDS = 10


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" under `secret`."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def signature_valid(secret: str, header: str, body: bytes, now: int | None = None) -> bool:
    """What a receiver checks: the header's signature matches and is at most five minutes old."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, timestamp, body))


# --- announcing -------------------------------------------------------------------------------


def webhook_emit(
    *, organisation: Organisation, event: str, data: dict, supplier_id: int | None = None
) -> int:
    """Queue `event` with `data` for every active endpoint of the organisation that asked for it
    and may see it: the organisation's own endpoints always, a supplier's only when the event
    concerns that supplier (`supplier_id`). Call inside the change's transaction. Returns the
    number of deliveries queued."""
    return webhook_emit_many(organisation=organisation, event=event, items=[(data, supplier_id)])


def webhook_emit_many(
    *, organisation: Organisation, event: str, items: list[tuple[dict, int | None]]
) -> int:
    """`webhook_emit` for many (data, supplier id) of one event, in their order, reading the
    endpoints once: a run that confirms a thousand flags does not ask a thousand times."""
    Event(event)  # an unknown event is a programming error
    if not items:
        return 0
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.with_scopes_disabled().filter(
            organisation=organisation, active=True
        )
        if event in endpoint.events
    ]
    now = timezone.now()
    queued = 0
    for data, supplier_id in items:
        for endpoint in endpoints:
            if endpoint.supplier_id is not None and endpoint.supplier_id != supplier_id:
                continue
            delivery = WebhookDelivery(
                endpoint=endpoint, event=event, next_attempt_at=now, payload={}
            )
            delivery.payload = {
                "id": str(delivery.uuid),
                "event": event,
                "created": now.isoformat(),
                "organisation": organisation.slug,
                "data": json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
            }
            delivery.save()
            queued += 1
    if queued:
        transaction.on_commit(_nudge_relay)
    return queued


def _nudge_relay() -> None:
    from governance.platform.tasks import task_relay_webhooks

    try:
        task_relay_webhooks.apply_async(retry=False)
    except Exception:  # noqa: BLE001 - the beat schedule picks the delivery up anyway
        logger.warning("Webhook relay nudge not published; the schedule will send it.")


# --- managing endpoints -----------------------------------------------------------------------


def _may_manage(access: Access) -> bool:
    """Each side its own endpoints: the organisation's contract managers, a supplier's users."""
    return not access.is_system and access.may("integrations.manage")


def webhook_endpoints_for(*, access: Access):
    """The endpoints of the viewer's side: the organisation's own, or the supplier's."""
    access.require(_may_manage(access))
    endpoints = WebhookEndpoint.objects.all()
    if access.is_supplier:
        return endpoints.filter(supplier=access.supplier)
    return endpoints.filter(supplier__isnull=True)


def _clean(*, name: str, url: str, events: list[str]) -> None:
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the endpoint a name.")
    if not url.startswith("https://") and not settings.DEBUG:
        errors["url"] = _("The address must start with https://.")
    unknown = sorted(set(events) - set(Event.values))
    if unknown:
        errors["events"] = _("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}
    elif not events:
        errors["events"] = _("Choose at least one event.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def webhook_create(
    *, access: Access, name: str, url: str, events: list[str]
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of the viewer's side and its secret, which is shown this once."""
    access.require(_may_manage(access))
    _clean(name=name, url=url, events=events)
    endpoint = WebhookEndpoint(
        organisation=access.organisation,
        supplier=access.supplier,
        name=name.strip(),
        url=url,
        events=sorted(set(events)),
        secret=new_secret(),
        created_by_id=access.user_id,
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint, endpoint.secret


def webhook_rotate(*, access: Access, endpoint: WebhookEndpoint) -> str:
    """A new secret for the endpoint, shown this once; the old one stops signing at once."""
    access.require(_may_manage(access))
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint.secret


def webhook_enable(*, access: Access, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Switch a disabled endpoint back on; its waiting deliveries go out at the next relay."""
    access.require(_may_manage(access))
    endpoint.consecutive_failures = 0
    if endpoint.active and not endpoint.disabled_reason:
        # Already on: only the failure count (bookkeeping, out of the trail) starts again.
        endpoint.save(update_fields=["consecutive_failures"])
    else:
        endpoint.active = True
        endpoint.disabled_reason = ""
        endpoint.save(update_fields=["active", "consecutive_failures", "disabled_reason"])
    endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).update(
        next_attempt_at=timezone.now()
    )
    return endpoint


def webhook_delete(*, access: Access, endpoint: WebhookEndpoint) -> None:
    access.require(_may_manage(access))
    endpoint.delete()


# --- delivering -------------------------------------------------------------------------------


def webhook_relay(*, limit: int = 100) -> dict[str, int]:
    """Post due deliveries of active endpoints, each claimed first (pending → sending)."""
    now = timezone.now()
    abandoned = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=WebhookDelivery.Status.PENDING, next_attempt_at=now)
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now, endpoint__active=True
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"delivered": 0, "retrying": 0, "failed": 0, "requeued": abandoned}
    for pk in due:
        claimed = WebhookDelivery.objects.filter(
            pk=pk, status=WebhookDelivery.Status.PENDING
        ).update(status=WebhookDelivery.Status.SENDING, claimed_at=timezone.now())
        if claimed:
            delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=pk)
            counts[_post_claimed(delivery)] += 1
    return counts


def _check_address(url: str) -> None:
    """Refuse what is not http(s) or resolves to a private, loopback or link-local address
    (Regie's own network: the database, Redis), unless `WEBHOOK_ALLOW_PRIVATE` (development)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OSError(f"not an http(s) address: {url}")
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return
    for *_rest, address in socket.getaddrinfo(parts.hostname, parts.port or 443):
        if not ipaddress.ip_address(address[0]).is_global:
            raise OSError(f"{parts.hostname} resolves to a non-public address")


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the status; raises OSError (URLError, timeout, a refused address) when
    nothing answers."""
    _check_address(url)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _post_claimed(delivery: WebhookDelivery) -> str:
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Regie-Webhooks/1",
        "Regie-Event": delivery.event,
        "Regie-Delivery": str(delivery.uuid),
        SIGNATURE_HEADER: signature_header(endpoint.secret, body),
    }
    delivery.attempts += 1
    try:
        status = _post(endpoint.url, body, headers)
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except OSError as failure:
        status, error = None, f"{type(failure).__name__}: {failure}"[:500]
    delivery.response_status = status
    delivery.last_error = error
    if not error:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.save()
        WebhookEndpoint.objects.with_scopes_disabled().filter(pk=endpoint.pk).update(
            consecutive_failures=0
        )
        return "delivered"
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
    else:
        delivery.status = WebhookDelivery.Status.PENDING
        backoff = min(timedelta(minutes=2**delivery.attempts), MAX_BACKOFF)
        delivery.next_attempt_at = timezone.now() + backoff
    delivery.save()
    logger.warning("Webhook delivery %s to %s failed: %s", delivery.pk, endpoint.url, error)
    _count_failure(endpoint)
    return "failed" if delivery.status == WebhookDelivery.Status.FAILED else "retrying"


def _count_failure(endpoint: WebhookEndpoint) -> None:
    with transaction.atomic():
        endpoint = (
            WebhookEndpoint.objects.with_scopes_disabled()
            .select_for_update()
            .select_related("organisation")
            .get(pk=endpoint.pk)
        )
        endpoint.consecutive_failures += 1
        if not endpoint.active or endpoint.consecutive_failures < settings.WEBHOOK_DISABLE_AFTER:
            endpoint.save(update_fields=["consecutive_failures"])
            return
        endpoint.active = False
        endpoint.disabled_reason = (
            f"{endpoint.consecutive_failures} failed deliveries in a row; "
            f"last: {timezone.now():%Y-%m-%d %H:%M} UTC"
        )
        endpoint.save(update_fields=["consecutive_failures", "active", "disabled_reason"])
        _tell_owner(endpoint)
        logger.warning("Webhook endpoint %s disabled after repeated failures", endpoint.pk)


def _owners(endpoint: WebhookEndpoint) -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if endpoint.supplier_id:
        users = users.filter(supplier_membership__supplier_id=endpoint.supplier_id)
    else:
        users = users.filter(
            memberships__organisation_id=endpoint.organisation_id,
            memberships__role=Role.CONTRACT_MANAGER,
        )
    return sorted(set(users.values_list("email", flat=True)))


def _tell_owner(endpoint: WebhookEndpoint) -> None:
    to = _owners(endpoint)
    if not to:
        return
    with translation.override(endpoint.organisation.default_language):
        subject = _("Regie stopped sending to webhook %(name)s") % {"name": endpoint.name}
        text = _(
            "Regie could not deliver events to %(url)s %(count)s times in a row and has "
            "switched the endpoint off. Events keep waiting for it. When the address answers "
            "again, switch it back on from the webhooks page of %(organisation)s."
        ) % {
            "url": endpoint.url,
            "count": endpoint.consecutive_failures,
            "organisation": endpoint.organisation.name,
        }
    outbox_enqueue(to=to, subject=subject, text=text, organisation=endpoint.organisation)
