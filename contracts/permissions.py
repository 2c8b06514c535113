"""Small predicates: who may do what with contracts and SLA reports."""

from contracts.models import InformationNeed
from governance.platform.access import Access


def may_upload_report(access: Access, contract) -> bool:
    """Only the contract's own supplier reports (uploads, corrects, explains, appeals)."""
    return (
        access.is_supplier
        and access.may("sla.report")
        and contract.supplier_id == access.supplier.pk
    )


def may_review_report(access: Access) -> bool:
    """Accepting and disputing is the client's contract managers' work."""
    return access.is_client and access.may("sla.review")


def may_manage_contract(access: Access) -> bool:
    """The terms — contracts, services and their windows, service levels and amendments,
    expectations and information needs — are the client's contract managers' to write."""
    return access.is_client and access.may("contracts.manage")


def may_record_delivery(access: Access, need) -> bool:
    """A contract manager records any delivery of an information need; the contract's supplier
    records the deliveries it makes itself ("delivered by: supplier"), as it reports its SLA
    figures. Whether a delivery was on time follows from the date, never from who recorded it."""
    if may_manage_contract(access):
        return True
    return need.delivered_by == InformationNeed.Party.SUPPLIER and may_upload_report(
        access, need.contract
    )
