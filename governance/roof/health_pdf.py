"""The contract on a page: the health page's blocks as a one-page PDF, rendered by a task and
kept as a row, like the audit report. For the client's own staff: rendered with the
organisation's full view (complaints not assigned to the supplier included)."""

from django.utils import timezone, translation

from contracts.models import Contract
from governance.platform.access import Access, system_access
from governance.platform.pdf import render_pdf_with_pages
from governance.platform.tasking import enqueue_on_commit
from governance.roof.health import contract_health
from governance.roof.health_charts import health_charts
from governance.roof.models import ContractSummaryPDF


def contract_summary_request(*, access: Access, contract: Contract, language: str) -> None:
    """Ask for the contract's summary PDF: rendered by a task after the transaction commits."""
    enqueue_on_commit(
        "governance.roof.tasks.task_render_contract_summary",
        kwargs={
            "organisation_id": contract.organisation_id,
            "contract_id": contract.pk,
            "language": language,
        },
        what=f"Contract summary of contract {contract.pk}",
    )


def contract_summary_pdf(*, contract: Contract, language: str) -> tuple[bytes, int]:
    """The PDF bytes and page count of the contract's summary, in `language`."""
    access = system_access(contract.organisation)
    with translation.override(language):
        health = contract_health(access=access, contract=contract)
        return render_pdf_with_pages(
            "pdf/contract_health.html",
            {
                "organisation": contract.organisation,
                "contract": contract,
                "health": health,
                "charts": health_charts(health),
                "rendered_at": timezone.now(),
            },
        )


def contract_summary_render(*, contract: Contract, language: str) -> ContractSummaryPDF:
    """Render and store the summary PDF (called by the task, never in a request)."""
    pdf, pages = contract_summary_pdf(contract=contract, language=language)
    summary = ContractSummaryPDF(
        organisation=contract.organisation,
        contract=contract,
        language=language,
        pdf=pdf,
        pages=pages,
    )
    summary.save()
    return summary


def latest_summary(*, contract: Contract) -> ContractSummaryPDF | None:
    """The newest summary of the contract, without its bytes."""
    return (
        ContractSummaryPDF.objects.filter(
            organisation_id=contract.organisation_id, contract=contract
        )
        .defer("pdf")
        .order_by("-created_at", "-pk")
        .first()
    )
