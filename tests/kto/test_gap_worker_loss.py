"""A worker killed in the middle of a gap analysis: within seconds of a restart the run is
finished exactly once, its report rendered once and the digest mailed once.

The run is held mid-way by a row lock on the organisation (the run serialises on it), the
worker's whole process group is killed with SIGKILL, and a new worker with beat comes up. Its
reaper finds the run's TaskRun without a heartbeat and sends the message again under the same
id. Redis would only redeliver the original message after the visibility timeout (an hour); that
redelivery is replayed at the end and must change nothing.
"""

import email
import email.policy
import os
import signal
import sys
import time

import psycopg2
import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from kombu import Connection

from governance.platform.models import TaskRun
from kto.gaps.engine import latest_closed_period
from kto.gaps.models import GapAnalysisRun, GapReport
from kto.gaps.tasks import task_run_gap_analysis, task_send_gap_digest
from tests.governance.test_integration import (
    DELIVERY_TIMEOUT,
    delete_queue,
    postgres,
    postgres_db,
    redis_url,
    smtp_server,
    start_worker,
    stop_worker,
    wait_for,
    worker_environment,
    worker_queue,
)

__all__ = ["postgres", "postgres_db", "redis_url", "smtp_server"]
pytestmark = pytest.mark.integration
RECOVERY_TIMEOUT = 60
RECOVERY = {
    "REGIE_TASK_HEARTBEAT_SECONDS": "1",
    "REGIE_TASK_LEASE_SECONDS": "4",
    "REGIE_TASK_REAPER_SECONDS": "2",
}


def publish(task, redis_url, queue, task_id=None, **kwargs):
    with Connection(redis_url) as conn:
        task.apply_async(kwargs=kwargs, connection=conn, queue=queue, task_id=task_id)


def organisation_locked(settings_dict: dict, organisation_id: int):
    """A second connection that holds the organisation's row lock until it is rolled back: the
    run's SELECT … FOR UPDATE waits for it, inserts that only refer to the row (FOR KEY SHARE,
    like the TaskRun) do not."""
    conn = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
    )
    cursor = conn.cursor()
    cursor.execute(
        "SELECT id FROM governance_organisation WHERE id = %s FOR NO KEY UPDATE", [organisation_id]
    )
    return conn


def test_a_killed_worker_s_gap_run_finishes_once_after_a_restart(
    redis_url, postgres, postgres_db, world, smtp_server, tmp_path
):
    queue = worker_queue("regie-worker-loss")
    env = worker_environment(postgres_db, redis_url, smtp_server, tmp_path / "data", queue.name)
    env.update(RECOVERY)
    log = tmp_path / "worker.log"
    # Production's pool (prefork) with the beat that carries the reaper.
    options = ("--pool=prefork", "--concurrency=1", "--beat", f"--schedule={tmp_path / 'beat'}")
    period = latest_closed_period(timezone.localdate())[0]
    with scopes_disabled():
        run = GapAnalysisRun.objects.create(
            organisation=world.alpha,
            period_start=period,
            period_end=period.replace(day=28),
            trigger=GapAnalysisRun.Trigger.MANUAL,
        )
    worker = start_worker(env, queue, log, *options)
    lock = organisation_locked(postgres_db, world.alpha.pk)
    try:
        publish(
            task_run_gap_analysis,
            redis_url,
            queue,
            task_id="gap-run-under-test",
            organisation_id=world.alpha.pk,
            run_id=run.pk,
        )

        def held_mid_run():
            run.refresh_from_db()
            task = TaskRun.objects.filter(task_id="gap-run-under-test").first()
            return run.status == "running" and task is not None and task.status == "running"

        with scopes_disabled():
            held = wait_for(held_mid_run, DELIVERY_TIMEOUT)
            assert held, (run.status, list(TaskRun.objects.values_list("task_id", "status")))
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)
        killed_at = time.monotonic()
        lock.rollback()

        worker = start_worker(env, queue, log, *options)

        def finished():
            run.refresh_from_db()
            return run.status == "succeeded" and GapReport.objects.filter(run=run).count() == 1

        with scopes_disabled():
            assert wait_for(finished, RECOVERY_TIMEOUT), worker.output()
        recovered_in = time.monotonic() - killed_at
        sys.stderr.write(f"kill to finished run and report: {recovered_in:.1f} s\n")
        assert recovered_in < RECOVERY_TIMEOUT

        # The broker's own redelivery of the original message, much later: nothing happens.
        publish(
            task_run_gap_analysis,
            redis_url,
            queue,
            task_id="gap-run-under-test",
            organisation_id=world.alpha.pk,
            run_id=run.pk,
        )
        publish(
            task_send_gap_digest,
            redis_url,
            queue,
            organisation_id=world.alpha.pk,
            period_start=period.isoformat(),
            schedule_key="monthly",
        )
        envelopes = smtp_server.handler.envelopes
        assert wait_for(lambda: len(envelopes) >= 1, DELIVERY_TIMEOUT), worker.output()
        time.sleep(3)  # room for a duplicate to show up

        with scopes_disabled():
            task_runs = list(
                TaskRun.objects.filter(task_id="gap-run-under-test").values_list(
                    "status", "attempts"
                )
            )
            assert task_runs == [("succeeded", 2)]
            assert TaskRun.objects.filter(status="running", name__contains="gap").count() == 0
            assert GapAnalysisRun.objects.get(pk=run.pk).status == "succeeded"
            assert GapReport.objects.filter(run=run).count() == 1
        [envelope] = envelopes
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert [a.get_content_type() for a in parsed.iter_attachments()] == ["application/pdf"]
        assert "re-sent" in worker.output()
    finally:
        lock.close()
        stop_worker(worker)
        sys.stderr.write(f"--- Celery worker output ({queue.name}) ---\n{log.read_text()}\n")
        delete_queue(redis_url, queue)
