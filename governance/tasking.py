"""Task base classes: every job run is a TaskRun row; tenant jobs take ids and enter the scope.

Tasks are thin: ids in, load, enter scope, call one service, log.
"""

import logging

from celery import Task
from django.utils import timezone

from governance.access import platform_scope, system_access, tenant_scope
from governance.models import Organisation, TaskRun

logger = logging.getLogger(__name__)


class RecordedTask(Task):
    """A platform job (no tenant): recorded as a TaskRun, run with the guard lifted."""

    abstract = True

    def __call__(self, *args, **kwargs):
        run = TaskRun.objects.create(
            name=self.name,
            task_id=getattr(self.request, "id", "") or "",
            organisation_id=kwargs.get("organisation_id"),
            status=TaskRun.Status.RUNNING,
            arguments=kwargs,
            started_at=timezone.now(),
        )
        try:
            result = self.run_recorded(*args, **kwargs)
        except Exception as error:
            run.status = TaskRun.Status.FAILED
            run.error = f"{type(error).__name__}: {error}"[:4000]
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at"])
            logger.exception("Task %s failed", self.name)
            raise
        run.status = TaskRun.Status.SUCCEEDED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        return result

    def run_recorded(self, *args, **kwargs):
        with platform_scope():
            return self.run(*args, **kwargs)


class TenantTask(RecordedTask):
    """A job for one organisation: `organisation_id` is a required keyword argument; the body
    runs inside that organisation's scope with system access."""

    abstract = True

    def run_recorded(self, *args, organisation_id: int, **kwargs):
        organisation = Organisation.objects.get(pk=organisation_id)
        with tenant_scope(system_access(organisation)):
            return self.run(*args, organisation_id=organisation_id, **kwargs)


def enqueue(task, *, kwargs: dict, what: str, on_failure=None) -> bool:
    """Send `task` once, without Celery's publish retries (a request must not hang on a broker
    that is down). When the broker cannot take it, log `what` and call `on_failure()` so the
    waiting record can say so instead of waiting for ever. Returns whether it was sent."""
    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except Exception:  # noqa: BLE001 - the caller decides what a lost message means
        logger.warning("%s not queued: the broker is unreachable.", what, exc_info=True)
        if on_failure is not None:
            on_failure()
        return False
    return True


def enqueue_on_commit(task_name: str, *, kwargs: dict, what: str | None = None) -> None:
    """Send the task registered as `task_name` once the current transaction commits (at once
    outside one). Services name the task instead of importing its module, so tasks may import
    services without a loop. With `what`, it is sent as `enqueue` sends it: once, and a broker
    that is down is logged rather than raised; without, as `task.delay` would."""
    from django.db import transaction

    transaction.on_commit(lambda: _send_by_name(task_name, kwargs=kwargs, what=what))


def _send_by_name(task_name: str, *, kwargs: dict, what: str | None) -> None:
    task = registered_task(task_name)
    if what is None:
        task.apply_async(kwargs=kwargs)
    else:
        enqueue(task, kwargs=kwargs, what=what)


def registered_task(task_name: str) -> Task:
    """The task registered as `task_name` ("app.module.function"). Outside a worker the task
    modules have not been imported yet; importing the one that holds it registers it."""
    import importlib

    from governance.celery import app

    if task_name not in app.tasks:
        importlib.import_module(task_name.rpartition(".")[0])
    return app.tasks[task_name]
