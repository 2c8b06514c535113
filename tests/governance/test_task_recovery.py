"""A job whose worker died: the TaskRun row is the truth, a redelivery claims it exactly once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from governance.celery import app
from governance.platform.models import TaskRun
from governance.platform.tasking import RecordedTask, task_runs_recover

CALLS: list[int] = []
ABANDONED: list[int] = []


class CountingTask(RecordedTask):
    name = "tests.counting"

    def run(self, *, n: int) -> int:
        CALLS.append(n)
        return n

    def on_abandoned(self, *, n: int) -> None:
        ABANDONED.append(n)


counting = app.register_task(CountingTask())


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    ABANDONED.clear()
    yield
    CALLS.clear()
    ABANDONED.clear()


def stale_row(*, task_id="msg-1", attempts=1, requeued_at=None, seconds_ago=600) -> TaskRun:
    then = timezone.now() - timedelta(seconds=seconds_ago)
    return TaskRun.objects.create(
        name=counting.name,
        task_id=task_id,
        status=TaskRun.Status.RUNNING,
        arguments={"n": 7},
        started_at=then,
        heartbeat_at=then,
        attempts=attempts,
        requeued_at=requeued_at,
    )


def test_a_message_delivered_again_after_it_finished_does_nothing(db):
    counting.apply(kwargs={"n": 1}, task_id="msg-1")
    counting.apply(kwargs={"n": 1}, task_id="msg-1")
    assert CALLS == [1]
    assert list(TaskRun.objects.values_list("task_id", "status", "attempts")) == [
        ("msg-1", "succeeded", 1)
    ]


def test_a_running_job_with_a_stale_heartbeat_is_claimed_and_finished(db):
    run = stale_row()
    counting.apply(kwargs={"n": 7}, task_id="msg-1")
    run.refresh_from_db()
    assert CALLS == [7]
    assert (run.status, run.attempts, run.requeued_at) == ("succeeded", 2, None)
    assert run.finished_at is not None


def test_a_running_job_with_a_fresh_heartbeat_is_looked_at_again_after_the_lease(db, settings):
    stale_row(seconds_ago=5)
    with mock.patch.object(CountingTask, "apply_async") as resend:
        counting.apply(kwargs={"n": 7}, task_id="msg-1")
    assert CALLS == []
    resend.assert_called_once_with(
        kwargs={"n": 7}, task_id="msg-1", countdown=settings.REGIE_TASK_LEASE_SECONDS
    )
    assert TaskRun.objects.get().status == "running"


def test_recovery_resends_a_lost_job_once_per_lease_with_its_own_id(db):
    stale_row()
    stale_row(task_id="msg-alive", seconds_ago=5)
    with mock.patch.object(CountingTask, "apply_async") as send:
        assert task_runs_recover() == {"resent": 1, "abandoned": 0}
        assert task_runs_recover() == {"resent": 0, "abandoned": 0}
    send.assert_called_once_with(kwargs={"n": 7}, retry=False, task_id="msg-1")
    assert TaskRun.objects.get(task_id="msg-1").requeued_at is not None


def test_a_resent_job_that_never_arrived_is_sent_again_after_another_lease(db):
    stale_row(requeued_at=timezone.now() - timedelta(seconds=600))
    with mock.patch.object(CountingTask, "apply_async") as send:
        assert task_runs_recover() == {"resent": 1, "abandoned": 0}
    assert send.call_count == 1


def test_a_job_that_keeps_losing_its_worker_is_failed_and_abandoned_once(db, settings):
    stale_row(attempts=settings.REGIE_TASK_MAX_ATTEMPTS)
    with mock.patch.object(CountingTask, "apply_async") as send:
        assert task_runs_recover() == {"resent": 0, "abandoned": 1}
        assert task_runs_recover() == {"resent": 0, "abandoned": 0}
    send.assert_not_called()
    run = TaskRun.objects.get()
    assert (run.status, run.error) == ("failed", "Worker lost 3 time(s); not run again.")
    assert ABANDONED == [7]


def test_the_heartbeat_is_renewed_while_a_job_runs(transactional_db, settings):
    settings.REGIE_TASK_HEARTBEAT_SECONDS = 0.05
    seen = []

    class SlowTask(RecordedTask):
        name = "tests.slow"

        def run(self):
            import time

            row = TaskRun.objects.get(task_id="msg-slow")
            first = row.heartbeat_at
            time.sleep(0.5)
            row.refresh_from_db()
            seen.append(row.heartbeat_at > first)

    slow = app.register_task(SlowTask())
    slow.apply(task_id="msg-slow")
    assert seen == [True]
