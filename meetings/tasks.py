"""Celery tasks of meetings: thin — ids in, load, scope, one service, log."""

import logging

from governance.celery import app
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import Organisation
from governance.platform.tasking import RecordedTask, TenantTask
from meetings import services
from meetings.models import MeetingDocument

logger = logging.getLogger(__name__)


@app.task(base=TenantTask)
def task_render_meeting_document(*, organisation_id: int, document_id: int) -> int:
    """Render an agenda pack or the minutes as PDF."""
    document = MeetingDocument.objects.get(pk=document_id, organisation_id=organisation_id)
    try:
        document = services.document_render(document=document)
    except Exception:
        MeetingDocument.objects.filter(pk=document_id).update(status=MeetingDocument.Status.FAILED)
        raise
    logger.info("Meeting document %s rendered: %d pages", document_id, document.pages)
    return document.pk


@app.task(base=RecordedTask)
def task_send_preparation_reminders() -> int:
    """Daily: remind each side once of pre-reads still missing near their deadline."""
    sent = 0
    for organisation in Organisation.objects.all():
        with tenant_scope(system_access(organisation)):
            sent += services.preparation_reminders_send(organisation=organisation)
    return sent
