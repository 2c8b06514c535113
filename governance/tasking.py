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
