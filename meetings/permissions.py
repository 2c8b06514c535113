"""Small predicates: who may do what with meetings (visibility is the selectors' business)."""

from governance.platform.access import Access


def may_manage(access: Access) -> bool:
    """Plan series and meetings, generate and publish agendas, record minutes, run SIPs."""
    return access.may("meetings.manage")


def may_prepare_as_supplier(access: Access) -> bool:
    """Deliver the supplier's results and deviation analysis for an item."""
    return access.is_supplier and access.may("meetings.prepare")


def may_see_internal(access: Access) -> bool:
    """The client's internal preparation notes: the client's own staff only."""
    return access.may("client.read") and not access.is_supplier
