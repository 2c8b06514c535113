"""Reads of contracts: keyword-only, tenant-scoped, no side effects."""

from django.db.models import Q, QuerySet

from contracts.models import Contract
from governance.access import Access
from governance.models import Supplier


def contract_list(*, access: Access, search: str = "") -> QuerySet[Contract]:
    """The organisation's contracts the user may see (a supplier's user: its own only)."""
    queryset = Contract.objects.filter(organisation=access.organisation)
    if access.is_supplier:
        queryset = queryset.filter(supplier=access.supplier)
    if search:
        queryset = queryset.filter(
            Q(reference__icontains=search)
            | Q(title__icontains=search)
            | Q(supplier__name__icontains=search)
        )
    return queryset.select_related("organisation", "supplier").order_by("reference")


def contract_list_for_supplier(*, supplier: Supplier) -> QuerySet[Contract]:
    """A supplier's contracts across every organisation that engaged it (supplier home).

    Call inside `scope(organisation=<ids the supplier serves>, supplier=supplier.pk)`.
    """
    return (
        Contract.objects.filter(supplier=supplier)
        .select_related("organisation", "supplier")
        .order_by("organisation__name", "reference")
    )


def supplier_list(*, access: Access) -> QuerySet[Supplier]:
    """Suppliers with a contract in the organisation, as far as the user may see them."""
    queryset = Supplier.objects.filter(contracts__organisation=access.organisation)
    if access.is_supplier:
        queryset = queryset.filter(pk=access.supplier.pk)
    return queryset.distinct().order_by("name")
