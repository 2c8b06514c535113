"""Writes of contracts: keyword-only, validated, returning the object."""

from contracts.models import Contract
from governance.models import Organisation, Supplier


def contract_create(
    *, organisation: Organisation, supplier: Supplier, reference: str, title: str
) -> Contract:
    """Register a contract of `organisation` with `supplier`."""
    contract = Contract(
        organisation=organisation, supplier=supplier, reference=reference, title=title
    )
    contract.full_clean()
    contract.save()
    return contract
