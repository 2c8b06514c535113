"""The roof's own rows: documents it composes from every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.platform.models import TenantModel, tenant_manager


class ContractSummaryPDF(TenantModel):
    """A "contract on a page" PDF, rendered by a task (never in a request)."""

    # CASCADE, not TenantModel's PROTECT: the row goes with its organisation.
    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="contract_summaries"
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        related_name="summary_pdfs",
        verbose_name=_("contract"),
    )
    language = models.CharField(_("language"), max_length=8)
    pdf = models.BinaryField(_("PDF"), editable=False)
    pages = models.PositiveSmallIntegerField(_("pages"))
    created_at = models.DateTimeField(_("rendered"), auto_now_add=True)

    objects = tenant_manager(supplier="contract__supplier")

    class Meta:
        ordering = ["contract", "-created_at"]
        verbose_name = _("contract summary PDF")
        verbose_name_plural = _("contract summary PDFs")

    def __str__(self) -> str:
        return f"{self.contract} ({self.created_at:%Y-%m-%d %H:%M})"
