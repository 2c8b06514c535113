"""Small predicates: who may do what with complaints."""

from governance.platform.access import Access

# What the supplier assigned to a complaint may do with it: answer it, not close or reject it.
SUPPLIER_MOVES = {"acknowledged", "in_progress", "resolved"}


def is_assigned_supplier(access: Access, complaint) -> bool:
    return (
        access.is_supplier
        and access.may("complaints.respond")
        and complaint.assigned_supplier_id == access.supplier.pk
    )


def may_manage(access: Access) -> bool:
    """The client's contract managers (and the system) run the procedure."""
    return access.may("complaints.manage") and not access.is_supplier


def may_transition(access: Access, complaint, to: str) -> bool:
    if may_manage(access):
        return True
    return is_assigned_supplier(access, complaint) and to in SUPPLIER_MOVES


def may_assign(access: Access) -> bool:
    return may_manage(access)


def may_add_note(access: Access) -> bool:
    """Internal notes belong to the client's team (never the supplier, never the viewer)."""
    return may_manage(access)


def may_message(access: Access, complaint) -> bool:
    return may_manage(access) or is_assigned_supplier(access, complaint)


def may_see_contact(access: Access, complaint) -> bool:
    """The one rule for complainants' contact details (name, e-mail, phone, whether they may be
    contacted) in pages, API, exports, PDFs and e-mails: the client's contract managers, who
    run the procedure (`complaints.contact_details` in the role matrix); the supplier the
    complaint is assigned to only when the complainant consented to be contacted; never
    viewers, business owners or auditors. Background jobs (no user) write to the complainant
    themselves and may read them."""
    if access.is_supplier:
        return is_assigned_supplier(access, complaint) and complaint.consent_to_contact
    return access.may("complaints.contact_details")


def may_decide(access: Access) -> bool:
    """The procedure's settings and categories are the client's managers' business."""
    return may_manage(access)


def may_propose(access: Access) -> bool:
    """Save an extension case as an improvement proposal: the contract managers."""
    return access.may("improvements.propose") and not access.is_supplier


def may_approve(access: Access) -> bool:
    """Decide on improvement proposals (put on the agenda, accept, reject): the contract
    managers and the business owner, who pays for them."""
    return access.may("improvements.approve") and not access.is_supplier
