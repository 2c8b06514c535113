"""KTO jobs: thin — ids in, the scope entered by the base class, one service called."""

from governance.celery import app
from governance.platform.models import Organisation
from governance.platform.tasking import RecordedTask, TenantTask
from kto import services
from kto.selectors import (
    organisations_with_campaigns,
    organisations_with_open_surveys,
    organisations_with_pools,
)


@app.task(base=TenantTask)
def task_kto_dispatch(*, organisation_id: int) -> dict:
    """Send a batch of invitations and reminders for the organisation's open surveys."""
    return services.kto_dispatch(organisation=Organisation.objects.get(pk=organisation_id))


@app.task(base=RecordedTask)
def task_kto_dispatch_all() -> int:
    """Hourly: one dispatch task per organisation with an open survey."""
    ids = organisations_with_open_surveys()
    for organisation_id in ids:
        task_kto_dispatch.delay(organisation_id=organisation_id)
    return len(ids)


@app.task(base=TenantTask)
def task_kto_release(*, organisation_id: int) -> dict:
    """Release the organisation's full batches of pending answers; flush closed surveys."""
    return services.pool_release_due(organisation=Organisation.objects.get(pk=organisation_id))


@app.task(base=RecordedTask)
def task_kto_release_all() -> int:
    """Hourly: one release task per organisation with pending answers or an unflushed closed
    survey."""
    ids = organisations_with_pools()
    for organisation_id in ids:
        task_kto_release.delay(organisation_id=organisation_id)
    return len(ids)


@app.task(base=TenantTask)
def task_kto_prepare_waves(*, organisation_id: int) -> int:
    """Prepare the next wave of the organisation's repeating campaigns that are due."""
    organisation = Organisation.objects.get(pk=organisation_id)
    return len(services.campaign_waves_prepare(organisation=organisation))


@app.task(base=RecordedTask)
def task_kto_prepare_waves_all() -> int:
    """Daily: one wave-preparing task per organisation with an active campaign."""
    ids = organisations_with_campaigns()
    for organisation_id in ids:
        task_kto_prepare_waves.delay(organisation_id=organisation_id)
    return len(ids)


# The gap analysis tasks live in kto/gaps/tasks.py; autodiscovery looks here, so import them.
from kto.gaps.tasks import (  # noqa: E402,F401
    task_dispatch_gap_digests,
    task_dispatch_gap_runs,
    task_render_gap_report,
    task_run_gap_analysis,
    task_send_gap_digest,
)
