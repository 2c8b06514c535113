"""Small predicates: who may do what with contracts and SLA reports."""

from governance.access import Access


def may_upload_report(access: Access, contract) -> bool:
    """Only the contract's own supplier reports (uploads, corrects, explains, appeals)."""
    return access.is_supplier and contract.supplier_id == access.supplier.pk


def may_review_report(access: Access) -> bool:
    """Accepting and disputing is the client's contract managers' work."""
    return access.is_client and access.can_manage
