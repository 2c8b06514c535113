from datetime import timedelta

from django.utils import timezone

from governance.celery import app
from governance.platform.models import TaskRun
from governance.platform.outbox import outbox_relay
from governance.platform.tasking import RecordedTask, task_runs_recover
from governance.platform.webhooks import webhook_relay

TASK_RUN_RETENTION = timedelta(days=90)


@app.task(base=RecordedTask)
def task_relay_outbox() -> dict:
    return outbox_relay()


@app.task(base=RecordedTask)
def task_relay_webhooks() -> dict:
    return webhook_relay()


@app.task(base=RecordedTask)
def task_prune_task_runs() -> int:
    cutoff = timezone.now() - TASK_RUN_RETENTION
    deleted, _ = TaskRun.objects.filter(started_at__lt=cutoff).delete()
    return deleted


@app.task(base=RecordedTask)
def task_recover_lost_tasks() -> dict:
    return task_runs_recover()
