from django.core.exceptions import ValidationError
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


class Service(models.Model):
    """A service delivered under a contract (e.g. "Servicedesk"). The contracts issue adds its
    service window and criticality; surveys and complaints refer to it."""

    organisation = models.ForeignKey(
        "governance.Organisation",
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("organisation"),
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="services", verbose_name=_("contract")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    objects = ScopedManager(organisation="organisation", supplier="contract__supplier")

    class Meta:
        ordering = ["contract", "name"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "name"], name="service_name_unique")
        ]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.contract_id and self.organisation_id != self.contract.organisation_id:
            raise ValidationError({"contract": _("The contract belongs to another organisation.")})
