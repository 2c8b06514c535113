from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Contract(models.Model):
    """An outsourcing contract between a client organisation and a supplier."""

    organisation = models.ForeignKey(
        "governance.Organisation",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("organisation"),
    )
    supplier = models.ForeignKey(
        "governance.Supplier",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("supplier"),
    )
    reference = models.CharField(_("reference"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager(organisation="organisation", supplier="supplier")

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="contract_reference_unique"
            )
        ]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"
