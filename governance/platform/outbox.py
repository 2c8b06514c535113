"""The mail outbox: write in the caller's transaction, send from a relay task exactly once."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from governance.platform.models import Organisation, OutboxAttachment, OutboxMessage

logger = logging.getLogger(__name__)

# A message claimed longer ago than this was interrupted mid-send (worker lost).
STALE_CLAIM = timedelta(minutes=15)
MAX_BACKOFF = timedelta(hours=6)


def outbox_enqueue(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    organisation: Organisation | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> OutboxMessage:
    """Store a message for sending. Call inside the transaction of the change that causes it:
    if that transaction rolls back, the message is gone with it. After commit the relay is
    nudged; a broker outage only delays the message until the next scheduled relay."""
    message = OutboxMessage(
        organisation=organisation,
        to=list(to),
        subject=subject[:300],
        body_text=text,
        body_html=html,
        next_attempt_at=timezone.now(),
    )
    message.full_clean()
    message.save()
    for filename, content, mime_type in attachments:
        OutboxAttachment.objects.create(
            message=message, filename=filename, content=content, mime_type=mime_type
        )
    transaction.on_commit(_nudge_relay)
    return message


def _nudge_relay() -> None:
    from governance.platform.tasks import task_relay_outbox

    try:
        task_relay_outbox.apply_async(retry=False)
    except Exception:  # noqa: BLE001 - the beat schedule picks the message up anyway
        logger.warning("Outbox relay nudge not published; the schedule will send it.")


def outbox_relay(*, limit: int = 100) -> dict[str, int]:
    """Send due messages. Each message is claimed with a conditional update before it is sent,
    so two relays (or a retried one) never send the same message twice."""
    now = timezone.now()
    abandoned = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(
        status=OutboxMessage.Status.FAILED,
        last_error="Interrupted while sending; not resent to avoid a duplicate.",
    )
    due = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"sent": 0, "retrying": 0, "failed": 0, "abandoned": abandoned}
    for pk in due:
        claimed = OutboxMessage.objects.filter(pk=pk, status=OutboxMessage.Status.PENDING).update(
            status=OutboxMessage.Status.SENDING, claimed_at=timezone.now()
        )
        if claimed:
            counts[_send_claimed(OutboxMessage.objects.get(pk=pk))] += 1
    return counts


def _send_claimed(message: OutboxMessage) -> str:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=message.to,
        headers={"Message-ID": f"<{message.uuid}@regie>"},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments.all():
        email.attach(attachment.filename, bytes(attachment.content), attachment.mime_type)
    message.attempts += 1
    try:
        email.send(using="default")
    except Exception as error:  # noqa: BLE001 - every failure is recorded and retried
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            message.status = OutboxMessage.Status.FAILED
        else:
            message.status = OutboxMessage.Status.PENDING
            backoff = min(timedelta(minutes=2**message.attempts), MAX_BACKOFF)
            message.next_attempt_at = timezone.now() + backoff
        message.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
        logger.warning("Outbox message %s not sent: %s", message.pk, message.last_error)
        return "failed" if message.status == OutboxMessage.Status.FAILED else "retrying"
    message.status = OutboxMessage.Status.SENT
    message.sent_at = timezone.now()
    message.last_error = ""
    message.save(update_fields=["status", "attempts", "sent_at", "last_error"])
    return "sent"
