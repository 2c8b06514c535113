"""Celery tasks of the gap analysis: thin — ids in, load, scope, one service, log.

Imported by kto/tasks.py so Celery's autodiscovery registers them.
"""

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from governance.celery import app
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import Organisation
from governance.platform.tasking import RecordedTask, TenantTask
from kto.gaps.digest import (
    digest_due_key,
    digest_schedule,
    gap_digest_send,
    gap_digest_send_test,
)
from kto.gaps.engine import latest_closed_period
from kto.gaps.models import GapAnalysisRun, GapReport
from kto.gaps.report import gap_report_pdf
from kto.gaps.services import gap_analysis_execute, gap_run_create

logger = logging.getLogger(__name__)


class GapRunTask(TenantTask):
    abstract = True

    def on_abandoned(self, *, organisation_id: int, run_id: int) -> None:
        GapAnalysisRun.objects.filter(
            pk=run_id,
            organisation_id=organisation_id,
            status__in=[GapAnalysisRun.Status.QUEUED, GapAnalysisRun.Status.RUNNING],
        ).update(
            status=GapAnalysisRun.Status.FAILED,
            finished_at=timezone.now(),
            error="The worker running it was lost repeatedly; start the run again.",
        )


@app.task(base=GapRunTask)
def task_run_gap_analysis(*, organisation_id: int, run_id: int) -> dict:
    run = GapAnalysisRun.objects.get(pk=run_id, organisation_id=organisation_id)
    run = gap_analysis_execute(run=run)
    task_render_gap_report.delay(organisation_id=organisation_id, run_id=run.pk)
    return run.counts


@app.task(base=TenantTask)
def task_render_gap_report(*, organisation_id: int, run_id: int) -> int:
    from contracts import selectors as contract_selectors

    run = GapAnalysisRun.objects.get(pk=run_id, organisation_id=organisation_id)
    existing = GapReport.objects.filter(run=run).values_list("pk", flat=True).first()
    if existing is not None:  # rendered by an earlier delivery of this or the run's task
        return existing
    access = system_access(run.organisation)
    contracts = list(contract_selectors.contract_list(access=access))
    pdf, pages = gap_report_pdf(
        access=access,
        contracts=contracts,
        period_start=run.last_month,
        language=run.organisation.default_language,
    )
    try:
        with transaction.atomic():
            report = GapReport.objects.create(
                organisation=run.organisation, run=run, pdf=pdf, pages=pages
            )
    except IntegrityError:  # a second worker rendered it at the same time
        return GapReport.objects.get(run=run).pk
    return report.pk


@app.task(base=RecordedTask)
def task_dispatch_gap_runs() -> int:
    """Nightly: one run per organisation for the latest closed period."""
    start, _end = latest_closed_period(timezone.localdate())
    count = 0
    for organisation in Organisation.objects.all():
        with tenant_scope(system_access(organisation)):
            gap_run_create(
                organisation=organisation,
                period_start=start,
                trigger=GapAnalysisRun.Trigger.NIGHTLY,
            )
        count += 1
    return count


@app.task(base=RecordedTask)
def task_dispatch_gap_digests() -> int:
    """Daily: queue the digest of every organisation whose schedule is due today."""
    today = timezone.localdate()
    start, _end = latest_closed_period(today)
    queued = 0
    for organisation in Organisation.objects.all():
        with tenant_scope(system_access(organisation)):
            schedule = digest_schedule(organisation=organisation)
            key = digest_due_key(schedule=schedule, today=today)
        if key:
            task_send_gap_digest.delay(
                organisation_id=organisation.pk, period_start=start.isoformat(), schedule_key=key
            )
            queued += 1
    return queued


@app.task(base=TenantTask)
def task_send_gap_digest(*, organisation_id: int, period_start: str, schedule_key: str) -> int:
    organisation = Organisation.objects.get(pk=organisation_id)
    digest = gap_digest_send(
        organisation=organisation,
        period_start=date.fromisoformat(period_start),
        schedule_key=schedule_key,
    )
    return digest.recipients if digest else 0


@app.task(base=TenantTask)
def task_send_gap_digest_test(*, organisation_id: int, user_id: int, period_start: str) -> bool:
    """A contract manager's test digest: one outbox message to that manager, no marker."""
    organisation = Organisation.objects.get(pk=organisation_id)
    message = gap_digest_send_test(
        organisation=organisation, user_id=user_id, period_start=date.fromisoformat(period_start)
    )
    return message is not None
