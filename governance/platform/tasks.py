from datetime import timedelta

from django.utils import timezone

from governance.celery import app
from governance.platform import privacy
from governance.platform.models import Organisation, TaskRun
from governance.platform.outbox import outbox_relay
from governance.platform.tasking import RecordedTask, TenantTask, task_runs_recover
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


@app.task(base=TenantTask, name="governance.platform.tasks.task_privacy_retention_for")
def task_privacy_retention_for(*, organisation_id: int) -> dict:
    """Anonymise one organisation's personal data whose retention period has passed."""
    organisation = Organisation.objects.get(pk=organisation_id)
    return privacy.retention_run(organisation=organisation)


@app.task(base=RecordedTask, name="governance.platform.tasks.task_privacy_retention")
def task_privacy_retention() -> int:
    """Nightly fan-out: one retention job per organisation, so one tenant's failure stays its
    own. Returns the number of organisations."""
    organisation_ids = list(Organisation.objects.values_list("pk", flat=True))
    for organisation_id in organisation_ids:
        task_privacy_retention_for.apply_async(kwargs={"organisation_id": organisation_id})
    return len(organisation_ids)
