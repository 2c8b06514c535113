"""The contract health page and its one-page PDF ("contract on a page")."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts.selectors import contract_list
from governance.platform.access import get_object_for
from governance.roof.health import contract_health
from governance.roof.health_charts import health_charts
from governance.roof.health_pdf import contract_summary_request, latest_summary
from governance.roof.models import ContractSummaryPDF

# The PDF is rendered with the organisation's full view: for the client's own staff only.
SUMMARY_PERMISSION = "client.read"


def _contract(request, pk):
    access = request.access
    return get_object_for(access, contract_list(access=access), pk=pk)


def contract_health_page(request, org_slug, pk):
    """How the contract is doing over the last 12 months, block by block."""
    access = request.access
    contract = _contract(request, pk)
    health = contract_health(access=access, contract=contract)
    may_summary = access.may(SUMMARY_PERMISSION)
    return render(
        request,
        "governance/contract_health.html",
        {
            "contract": contract,
            "health": health,
            "charts": health_charts(health),
            "may_summary": may_summary,
            "summary": latest_summary(contract=contract) if may_summary else None,
        },
    )


@require_POST
def contract_summary_request_view(request, org_slug, pk):
    access = request.access
    access.require(access.may(SUMMARY_PERMISSION))
    contract = _contract(request, pk)
    contract_summary_request(access=access, contract=contract, language=get_language())
    messages.info(request, _("The PDF is being prepared; reload this page in a moment."))
    return redirect("contract_health", org_slug, pk)


def contract_summary_download(request, org_slug, pk):
    access = request.access
    access.require(access.may(SUMMARY_PERMISSION))
    contract = _contract(request, pk)
    latest = latest_summary(contract=contract)
    if latest is None:
        raise Http404
    summary = ContractSummaryPDF.objects.filter(organisation=access.organisation).get(pk=latest.pk)
    response = HttpResponse(bytes(summary.pdf), content_type="application/pdf")
    stem = f"contract-{slugify(contract.reference)}-{timezone.localdate():%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
    return response
