from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from governance.platform.models import OutboxMessage, TaskRun
from governance.platform.outbox import outbox_enqueue, outbox_relay
from governance.platform.tasks import task_relay_outbox


def enqueue(**overrides):
    values = {"to": ["someone@example.test"], "subject": "Hello", "text": "Body"}
    return outbox_enqueue(**(values | overrides))


def test_relay_sends_a_pending_message(db):
    message = enqueue(html="<p>Body</p>")
    assert outbox_relay() == {"sent": 1, "retrying": 0, "failed": 0, "abandoned": 0}
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 1)
    [sent] = mail.outbox
    assert (sent.to, sent.subject, sent.body) == (["someone@example.test"], "Hello", "Body")
    assert sent.alternatives[0].content == "<p>Body</p>"
    assert sent.extra_headers["Message-ID"] == f"<{message.uuid}@regie>"


def test_relay_run_twice_sends_once(db):
    enqueue()
    outbox_relay()
    outbox_relay()
    assert len(mail.outbox) == 1


def test_message_written_in_a_rolled_back_transaction_is_never_sent(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue()
        raise RuntimeError("the change that caused the message failed")
    outbox_relay()
    assert (OutboxMessage.objects.count(), len(mail.outbox)) == (0, 0)


def test_message_claimed_by_another_relay_is_not_sent_again(db):
    message = enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, claimed_at=timezone.now()
    )
    assert outbox_relay()["sent"] == 0
    assert mail.outbox == []


def test_message_interrupted_mid_send_is_failed_not_resent(db):
    message = enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    assert outbox_relay()["abandoned"] == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert mail.outbox == []


def test_smtp_failure_is_retried_with_backoff_then_failed(db, settings, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = enqueue()
    assert outbox_relay()["retrying"] == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.next_attempt_at > timezone.now() + timedelta(minutes=1)
    assert "smtp down" in message.last_error

    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox_relay()["failed"] == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.FAILED, 2)


def test_relay_task_records_a_task_run(db):
    enqueue()
    task_relay_outbox.apply()
    [run] = TaskRun.objects.all()
    assert (run.name, run.status) == ("governance.platform.tasks.task_relay_outbox", "succeeded")
    assert run.finished_at is not None
    assert len(mail.outbox) == 1


@pytest.fixture
def broker_down():
    """Point Celery at a closed port for the duration of a test."""
    from celery import current_app
    from kombu import pools as kombu_pools

    def fresh_pools():
        # Celery's pools live in kombu's process-wide registry, keyed by broker URL: closing
        # one in place would leave it closed for every later test. Reset the registry so the
        # next publish builds new pools for whatever URL is configured.
        kombu_pools.reset()
        current_app._pool = None
        current_app.amqp._producer_pool = None

    saved = current_app.conf.broker_url
    current_app.conf.broker_url = "redis://127.0.0.1:9/0"
    fresh_pools()
    yield
    current_app.conf.broker_url = saved
    fresh_pools()


def test_request_creating_a_message_succeeds_with_the_broker_down(
    world, client, broker_down, django_capture_on_commit_callbacks
):
    """Password reset writes to the outbox; the after-commit nudge meets an unreachable broker."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("password_reset"), {"email": world.alice.email})
    assert response.status_code == 302
    assert len(callbacks) == 1
    [message] = OutboxMessage.objects.all()
    assert (message.to, message.status) == ([world.alice.email], OutboxMessage.Status.PENDING)
    assert "/accounts/password/reset/" in message.body_text


def test_attachments_travel_with_the_message(db):
    enqueue(attachments=[("report.pdf", b"%PDF-1.7 test", "application/pdf")])
    outbox_relay()
    [sent] = mail.outbox
    assert sent.attachments[0].filename == "report.pdf"
    assert sent.attachments[0].content == b"%PDF-1.7 test"
    assert sent.attachments[0].mimetype == "application/pdf"
