"""Celery tasks of the roof: thin — ids in, load, scope, one service, log."""

import logging

from contracts.models import Contract
from governance.celery import app
from governance.platform.tasking import TenantTask
from governance.roof.health_pdf import contract_summary_render

logger = logging.getLogger(__name__)


@app.task(base=TenantTask)
def task_render_contract_summary(*, organisation_id: int, contract_id: int, language: str) -> int:
    contract = Contract.objects.select_related("organisation", "supplier").get(
        pk=contract_id, organisation_id=organisation_id
    )
    summary = contract_summary_render(contract=contract, language=language)
    logger.info("Contract summary %s rendered: %d pages", contract_id, summary.pages)
    return summary.pk
