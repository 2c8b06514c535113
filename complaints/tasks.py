"""Complaint jobs: thin — ids in, scope entered by the base class, one service called."""

from celery import shared_task

from complaints import services
from governance.models import Organisation
from governance.tasking import RecordedTask, TenantTask


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
