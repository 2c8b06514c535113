"""Small predicates: who may do what with audits.

- a supplier's user records its supplier's own QA audits and shared internal reports, and
  responds to findings (root cause, actions, effectiveness checks) — for its own contracts;
- a client auditor (Role.AUDITOR) records audits of any type and responds to findings;
- a contract manager does all that and also sets priorities and decides (closing audits);
- a business owner sets the client's priorities (what it pays to have fixed first);
- viewers read only.
The roles behind each permission are in the role matrix (`governance/platform/roles.py`).
"""

from governance.platform.access import Access


def client_records(access: Access) -> bool:
    """A client member (or the system) who records audits: contract managers and auditors."""
    return access.is_system or (access.is_client and access.may("audits.record"))


def _own_contract(access: Access, contract) -> bool:
    return (
        access.is_supplier
        and access.may("audits.record")
        and contract.supplier_id == access.supplier.pk
    )


def may_plan(access: Access, contract) -> bool:
    """Plan a programme or audit for the contract."""
    return client_records(access) or _own_contract(access, contract)


def may_plan_programme(access: Access) -> bool:
    """Plan (create, accept) a yearly programme: the client's call, not the supplier's."""
    return not access.is_supplier and access.may("audits.plan")


def may_propose_programme(access: Access, contract) -> bool:
    """The contract's supplier may propose next year's programme for the client to accept."""
    return _own_contract(access, contract) and access.may("audits.propose")


def may_record_audit(access: Access, contract, audit_type: str) -> bool:
    """Record (create, edit, conduct) an audit of this type for the contract."""
    from audits.models import Audit

    if client_records(access):
        return True
    return _own_contract(access, contract) and audit_type in Audit.SUPPLIER_TYPES


def may_edit_audit(access: Access, audit) -> bool:
    return may_record_audit(access, audit.contract, audit.audit_type)


def may_close_audit(access: Access) -> bool:
    """Closing an audit is the client's decision."""
    return access.is_system or (access.is_client and access.may("audits.close"))


def may_respond(access: Access, finding) -> bool:
    """Add root causes, corrective actions and effectiveness checks."""
    return client_records(access) or _own_contract(access, finding.audit.contract)


def may_set_priority(access: Access) -> bool:
    """The client's priority: the contract managers' and the business owner's call."""
    return access.is_system or (access.is_client and access.may("audits.prioritise"))


def may_upload_report(access: Access, audit) -> bool:
    """Only the contract's supplier shares its internal audit report."""
    return (
        access.is_supplier
        and access.may("audits.share_report")
        and audit.contract.supplier_id == access.supplier.pk
    )


def may_see_client_notes(access: Access) -> bool:
    return access.may("client.read") and not access.is_supplier
