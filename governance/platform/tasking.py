"""Task base classes: every job run is a TaskRun row; tenant jobs take ids and enter the scope.

Tasks are thin: ids in, load, enter scope, call one service, log.
"""

import logging
import threading
from datetime import timedelta

from celery import Task
from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone

from governance.platform.access import platform_scope, system_access, tenant_scope
from governance.platform.models import Organisation, TaskRun

logger = logging.getLogger(__name__)


def _lease() -> timedelta:
    return timedelta(seconds=settings.REGIE_TASK_LEASE_SECONDS)


class Heartbeat(threading.Thread):
    """Renews a running TaskRun's heartbeat until stopped; when the worker dies, it stops too."""

    def __init__(self, run_pk: int):
        super().__init__(name=f"heartbeat-{run_pk}", daemon=True)
        self.run_pk = run_pk
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.REGIE_TASK_HEARTBEAT_SECONDS):
                try:
                    TaskRun.objects.filter(pk=self.run_pk, status=TaskRun.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # noqa: BLE001 - a missed beat is retried at the next one
                    logger.warning("Heartbeat of task run %s not written.", self.run_pk)
                    close_old_connections()
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.join()


class RecordedTask(Task):
    """A platform job (no tenant): recorded as a TaskRun, run with the guard lifted.

    One row per Celery message (its task id). A delivery of a message whose row is finished
    does nothing; one whose row is running with a fresh heartbeat comes back after a lease (the
    first worker may still be at it); one whose heartbeat went stale claims the row and runs.
    A task that holds state of its own (a run row) marks it failed in `on_abandoned`."""

    abstract = True

    def __call__(self, *args, **kwargs):
        run = self._claim(kwargs)
        if run is None:
            return None
        try:
            with Heartbeat(run.pk):
                result = self.run_recorded(*args, **kwargs)
        except Exception as error:
            self._finish(run, TaskRun.Status.FAILED, f"{type(error).__name__}: {error}")
            logger.exception("Task %s failed", self.name)
            raise
        self._finish(run, TaskRun.Status.SUCCEEDED)
        return result

    def _claim(self, kwargs: dict) -> TaskRun | None:
        now = timezone.now()
        task_id = getattr(self.request, "id", "") or ""
        fields = {
            "name": self.name,
            "organisation_id": kwargs.get("organisation_id"),
            "status": TaskRun.Status.RUNNING,
            "arguments": kwargs,
            "started_at": now,
            "heartbeat_at": now,
        }
        if not task_id:  # called in-process, not through the broker
            return TaskRun.objects.create(**fields)
        try:
            with transaction.atomic():
                return TaskRun.objects.create(task_id=task_id, **fields)
        except IntegrityError:
            pass  # this message was delivered before
        earlier = TaskRun.objects.get(task_id=task_id)
        if earlier.status != TaskRun.Status.RUNNING:
            logger.info(
                "Task %s %s was already %s; not run again.", self.name, task_id, earlier.status
            )
            return None
        claimed = TaskRun.objects.filter(
            pk=earlier.pk, status=TaskRun.Status.RUNNING, heartbeat_at__lt=now - _lease()
        ).update(heartbeat_at=now, requeued_at=None, attempts=F("attempts") + 1)
        if claimed:
            logger.warning("Task %s %s lost its worker; running it again.", self.name, task_id)
            return TaskRun.objects.get(pk=earlier.pk)
        # Its first worker may still be running it (a redelivery, or a child process killed
        # a moment ago): look again once the lease has run out.
        self.apply_async(
            kwargs=kwargs, task_id=task_id, countdown=settings.REGIE_TASK_LEASE_SECONDS
        )
        return None

    def _finish(self, run: TaskRun, status: str, error: str = "") -> None:
        TaskRun.objects.filter(pk=run.pk, status=TaskRun.Status.RUNNING).update(
            status=status, error=error[:4000], finished_at=timezone.now()
        )

    def run_recorded(self, *args, **kwargs):
        with platform_scope():
            return self.run(*args, **kwargs)

    def on_abandoned(self, **kwargs) -> None:
        """Called once when the job lost its worker too often; tasks with a run row of their
        own mark it failed here."""


class TenantTask(RecordedTask):
    """A job for one organisation: `organisation_id` is a required keyword argument; the body
    runs inside that organisation's scope with system access."""

    abstract = True

    def run_recorded(self, *args, organisation_id: int, **kwargs):
        organisation = Organisation.objects.get(pk=organisation_id)
        with tenant_scope(system_access(organisation)):
            return self.run(*args, organisation_id=organisation_id, **kwargs)


def task_runs_recover() -> dict[str, int]:
    """Re-send every job whose worker died (heartbeat older than the lease), at most once per
    lease; a job that lost its worker REGIE_TASK_MAX_ATTEMPTS times is marked failed instead.
    Safe to run anywhere, any number of times: the next delivery claims the row."""
    from governance.celery import app

    now = timezone.now()
    stale = TaskRun.objects.filter(
        status=TaskRun.Status.RUNNING, heartbeat_at__lt=now - _lease()
    ).exclude(task_id="")
    counts = {"resent": 0, "abandoned": 0}
    for run in stale.exclude(requeued_at__gte=now - _lease()).order_by("pk"):
        task = app.tasks.get(run.name)
        if task is None or run.attempts >= settings.REGIE_TASK_MAX_ATTEMPTS:
            abandoned = TaskRun.objects.filter(pk=run.pk, status=TaskRun.Status.RUNNING).update(
                status=TaskRun.Status.FAILED,
                finished_at=now,
                error=f"Worker lost {run.attempts} time(s); not run again.",
            )
            if abandoned and task is not None:
                with platform_scope():
                    task.on_abandoned(**run.arguments)
            counts["abandoned"] += abandoned
            continue
        marked = TaskRun.objects.filter(
            pk=run.pk, status=TaskRun.Status.RUNNING, requeued_at=run.requeued_at
        ).update(requeued_at=now)
        if marked and enqueue(
            task, kwargs=run.arguments, what=f"Recovery of {run.name}", task_id=run.task_id
        ):
            logger.warning("Task %s %s lost its worker; re-sent.", run.name, run.task_id)
            counts["resent"] += 1
    return counts


def enqueue(task, *, kwargs: dict, what: str, on_failure=None, task_id: str | None = None) -> bool:
    """Send `task` once, without Celery's publish retries (a request must not hang on a broker
    that is down). When the broker cannot take it, log `what` and call `on_failure()` so the
    waiting record can say so instead of waiting for ever. Returns whether it was sent."""
    try:
        options = {"task_id": task_id} if task_id else {}
        task.apply_async(kwargs=kwargs, retry=False, **options)
    except Exception:  # noqa: BLE001 - the caller decides what a lost message means
        logger.warning("%s not queued: the broker is unreachable.", what, exc_info=True)
        if on_failure is not None:
            on_failure()
        return False
    return True


def enqueue_on_commit(task_name: str, *, kwargs: dict, what: str, on_failure=None) -> None:
    """Send the task registered as `task_name` once the current transaction commits (at once
    outside one), as `enqueue` sends it: once, and a broker that is down is logged and handed to
    `on_failure` rather than raised into a request whose change is already committed. Services
    name the task instead of importing its module, so tasks may import services without a loop."""
    from django.db import transaction

    transaction.on_commit(
        lambda: enqueue(registered_task(task_name), kwargs=kwargs, what=what, on_failure=on_failure)
    )


def registered_task(task_name: str) -> Task:
    """The task registered as `task_name` ("app.module.function"). Outside a worker the task
    modules have not been imported yet; Celery's autodiscovery imports them once."""
    from governance.celery import app

    if task_name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[task_name]
