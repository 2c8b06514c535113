"""Complaint jobs: thin — ids in, scope entered by the base class, one service called."""

import logging

from celery import shared_task

from complaints import services
from complaints.models import RegisterReport
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import Organisation
from governance.platform.tasking import RecordedTask, TenantTask

logger = logging.getLogger(__name__)


@shared_task(base=TenantTask, name="complaints.tasks.task_remind_overdue_complaints_for")
def task_remind_overdue_complaints_for(*, organisation_id: int) -> int:
    """Remind the holders of one organisation's overdue complaints (once per overdue step)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    return services.complaint_reminders_send(organisation=organisation)


@shared_task(base=RecordedTask, name="complaints.tasks.task_remind_overdue_complaints")
def task_remind_overdue_complaints() -> int:
    """Fan out: one reminder job per organisation, so one tenant's failure stays its own."""
    organisation_ids = list(Organisation.objects.values_list("pk", flat=True))
    for organisation_id in organisation_ids:
        task_remind_overdue_complaints_for.apply_async(kwargs={"organisation_id": organisation_id})
    return len(organisation_ids)


@shared_task(base=TenantTask, name="complaints.tasks.task_render_register_report")
def task_render_register_report(*, organisation_id: int, report_id: int) -> int:
    """Render one quarter's register PDF and store it."""
    report = RegisterReport.objects.get(pk=report_id, organisation_id=organisation_id)
    report = services.register_report_render(report=report)
    logger.info(
        "Register %s (%s) rendered: %d pages", report.quarter, report.language, report.pages
    )
    return report.pages


@shared_task(base=RecordedTask, name="complaints.tasks.task_request_register_reports")
def task_request_register_reports() -> int:
    """Daily: every published register gets the PDF of the quarter that closed last (a no-op
    once it exists). Returns how many of them are still being prepared."""
    asked = 0
    for organisation in Organisation.objects.all():
        with tenant_scope(system_access(organisation)):
            report = services.register_reports_request_closed(organisation=organisation)
            asked += 1 if report is not None and not report.is_ready else 0
    return asked
