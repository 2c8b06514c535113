"""Celery tasks of contracts: thin — ids in, load, scope, one service, log."""

import logging

from django.utils import timezone

from contracts.reminders import report_reminders_send
from governance.celery import app
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import Organisation
from governance.platform.tasking import RecordedTask

logger = logging.getLogger(__name__)


@app.task(base=RecordedTask)
def task_send_report_reminders() -> int:
    """Daily: SLA report windows opened, reports late, late limits passed — each step once."""
    sent = 0
    for organisation in Organisation.objects.all():
        with tenant_scope(system_access(organisation)):
            sent += report_reminders_send(organisation=organisation, today=timezone.localdate())
    return sent
