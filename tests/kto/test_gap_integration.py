"""The gap analysis end to end: what beat sends, a real worker on Redis runs; the digest
reaches a real SMTP server with the report PDF attached."""

import email
import email.policy

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from kombu import Connection

from kto.gaps.engine import latest_closed_period
from kto.gaps.models import GapAnalysisRun, GapReport
from kto.gaps.tasks import task_dispatch_gap_runs, task_send_gap_digest
from tests.governance.test_integration import (
    DELIVERY_TIMEOUT,
    celery_worker,
    postgres,
    postgres_db,
    redis_url,
    smtp_server,
    wait_for,
)

__all__ = ["celery_worker", "postgres", "postgres_db", "redis_url", "smtp_server"]
pytestmark = pytest.mark.integration
RUN_TIMEOUT = 90


def publish(task, redis_url, queue, **kwargs):
    with Connection(redis_url) as conn:
        task.apply_async(kwargs=kwargs, connection=conn, queue=queue)


def test_beat_dispatched_run_completes_and_the_digest_reaches_smtp(
    redis_url, postgres, postgres_db, world, smtp_server, celery_worker
):
    publish(task_dispatch_gap_runs, redis_url, celery_worker.queue)

    def runs_done():
        with scopes_disabled():
            runs = list(GapAnalysisRun.objects.all())
            reports = GapReport.objects.count()
        return len(runs) == 2 and all(r.is_done for r in runs) and reports == 2

    assert wait_for(runs_done, RUN_TIMEOUT), celery_worker.output()
    with scopes_disabled():
        statuses = sorted(GapAnalysisRun.objects.values_list("trigger", "status"))
    assert statuses == [("nightly", "succeeded"), ("nightly", "succeeded")]

    period = latest_closed_period(timezone.localdate())[0]
    publish(
        task_send_gap_digest,
        redis_url,
        celery_worker.queue,
        organisation_id=world.alpha.pk,
        period_start=period.isoformat(),
        schedule_key="monthly",
    )
    envelopes = smtp_server.handler.envelopes
    assert wait_for(lambda: len(envelopes) >= 1, DELIVERY_TIMEOUT), celery_worker.output()
    [envelope] = envelopes
    assert envelope.rcpt_tos == ["alice@example.test"]
    parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    attachments = list(parsed.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_content().startswith(b"%PDF-")
