"""Celery tasks of audits: thin — ids in, load, scope, one service, log."""

import logging

from django.utils import timezone

from audits import services
from audits.models import Audit
from governance.celery import app
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import Organisation
from governance.platform.tasking import RecordedTask, TenantTask

logger = logging.getLogger(__name__)


@app.task(base=TenantTask)
def task_render_audit_report(*, organisation_id: int, audit_id: int, language: str) -> int:
    audit = Audit.objects.get(pk=audit_id, organisation_id=organisation_id)
    report = services.audit_report_render(audit=audit, language=language)
    logger.info("Audit report %s rendered: %d pages", audit_id, report.pages)
    return report.pk


@app.task(base=RecordedTask)
def task_send_action_reminders() -> int:
    """Daily: remind owners of corrective actions that are due soon or overdue."""
    sent = 0
    for organisation in Organisation.objects.all():
        with tenant_scope(system_access(organisation)):
            sent += services.action_reminders_send(
                organisation=organisation, today=timezone.localdate()
            )
    return sent
