"""The role matrix of Regie, written once: who may read and do what.

The access policy (`access.Access.may`) reads `MATRIX`; the apps' permission predicates ask for a
permission by name and add only what depends on the object (the supplier's own contract, the
assigned supplier of a complaint). The README's table is generated from this module
(`python manage.py role_matrix`), and the route walk (`tests/test_route_isolation.py`) expects
each route's answer for each role from the permission the route declares.

What a supplier's role may do is always limited further by the supplier scope: it reaches only
the organisations that engaged its supplier, and there only its own contracts and what hangs off
them. The platform operator works in the Django admin and reaches no tenant's data by default.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Permission:
    name: str
    label: str


# The seven roles of the matrix, in the order of the README's columns.
CONTRACT_MANAGER = "contract_manager"
BUSINESS_OWNER = "business_owner"
VIEWER = "viewer"
AUDITOR = "auditor"
SUPPLIER_USER = "supplier_user"
SUPPLIER_ADMIN = "supplier_admin"
PLATFORM_OPERATOR = "platform_operator"

ROLES = {
    CONTRACT_MANAGER: _("Contract manager"),
    BUSINESS_OWNER: _("Business owner"),
    VIEWER: _("Viewer"),
    AUDITOR: _("Auditor"),
    SUPPLIER_USER: _("Supplier user"),
    SUPPLIER_ADMIN: _("Supplier administrator"),
    PLATFORM_OPERATOR: _("Platform operator"),
}

CLIENT_ROLES = (CONTRACT_MANAGER, BUSINESS_OWNER, VIEWER, AUDITOR)
SUPPLIER_ROLES = (SUPPLIER_USER, SUPPLIER_ADMIN)

PERMISSIONS = [
    Permission(
        "tenant.read",
        _("Read the organisation's governance data (a supplier: of its own contracts)"),
    ),
    Permission(
        "client.read",
        _("Read the client's own pages: analyses, proposals, settings, runs, internal notes"),
    ),
    Permission("complaints.contact_details", _("See complainants' contact details")),
    Permission("contracts.manage", _("Write contracts, services, service levels and needs")),
    Permission("sla.report", _("Upload, submit and appeal SLA reports; record own deliveries")),
    Permission("sla.review", _("Accept, dispute and withdraw SLA reports")),
    Permission("complaints.manage", _("Run the complaints procedure and its settings")),
    Permission("complaints.respond", _("Answer complaints assigned to the supplier")),
    Permission("improvements.propose", _("Turn extension cases and findings into proposals")),
    Permission("improvements.approve", _("Decide on improvement proposals and extension cases")),
    Permission("kto.manage", _("Plan, launch and close satisfaction surveys")),
    Permission("gaps.manage", _("Run gap analyses, set thresholds and digests, act on flags")),
    Permission("simulations.manage", _("Write chains, scenarios, runs and exercises")),
    Permission("simulations.take_part", _("Record what happened in an exercise")),
    Permission("audits.record", _("Plan and record audits; respond to findings")),
    Permission("audits.prioritise", _("Set the client's priority of audit findings")),
    Permission("audits.close", _("Close audits")),
    Permission("audits.share_report", _("Share the supplier's internal audit report")),
    Permission("audits.plan", _("Plan the yearly audit programmes and accept proposals")),
    Permission("audits.propose", _("Propose next year's audit programme to the client")),
    Permission("meetings.manage", _("Run meetings, minutes and SIPs")),
    Permission("meetings.prepare", _("Prepare agenda items and update own actions")),
    Permission("members.manage", _("Invite members, change roles, deactivate members")),
    Permission("supplier_members.manage", _("Invite and remove the supplier's own users")),
    Permission("privacy.manage", _("Set retention periods and carry out erasure requests")),
    Permission("integrations.manage", _("Manage webhooks to one's own side's systems")),
    Permission("history.export", _("Read and export the organisation's whole audit trail")),
    Permission("platform.admin", _("The platform's admin: organisations, suppliers, jobs, mail")),
]
PERMISSION_NAMES = [p.name for p in PERMISSIONS]

_CLIENT_READ = {"tenant.read", "client.read"}
_SUPPLIER = {
    "tenant.read",
    "sla.report",
    "complaints.respond",
    "simulations.take_part",
    "audits.record",
    "audits.share_report",
    "audits.propose",
    "meetings.prepare",
    "integrations.manage",
}

MATRIX: dict[str, frozenset[str]] = {
    CONTRACT_MANAGER: frozenset(
        _CLIENT_READ
        | {
            # Complainants' contact details: the managers who run the procedure only (data
            # minimisation; the assigned supplier sees them with consent, per complaint).
            "complaints.contact_details",
            "contracts.manage",
            "sla.review",
            "complaints.manage",
            "complaints.respond",
            "improvements.propose",
            "improvements.approve",
            "kto.manage",
            "gaps.manage",
            "simulations.manage",
            "simulations.take_part",
            "audits.record",
            "audits.plan",
            "audits.prioritise",
            "audits.close",
            "meetings.manage",
            "meetings.prepare",
            "members.manage",
            "privacy.manage",
            "integrations.manage",
            "history.export",
        }
    ),
    # The "opdrachtgever", who pays: decides on the improvements it pays for and sets the
    # client's priorities, but does not run the procedures.
    BUSINESS_OWNER: frozenset(_CLIENT_READ | {"improvements.approve", "audits.prioritise"}),
    VIEWER: frozenset(_CLIENT_READ),
    AUDITOR: frozenset(_CLIENT_READ | {"audits.record", "audits.plan"}),
    SUPPLIER_USER: frozenset(_SUPPLIER),
    SUPPLIER_ADMIN: frozenset(_SUPPLIER | {"supplier_members.manage"}),
    PLATFORM_OPERATOR: frozenset({"platform.admin"}),
}

# Background jobs acting for an organisation as a whole: everything its client roles may do
# (never the admin, never a supplier's own user administration). Not a column of the matrix.
SYSTEM = "system"
MATRIX_WITH_SYSTEM = {
    **MATRIX,
    SYSTEM: frozenset().union(*(MATRIX[role] for role in CLIENT_ROLES)),
}


def allowed(role: str | None, permission: str) -> bool:
    """Whether `role` holds `permission`; an unknown permission is a programming error."""
    if permission not in PERMISSION_NAMES:
        raise KeyError(f"unknown permission {permission!r}")
    return role is not None and permission in MATRIX_WITH_SYSTEM.get(role, frozenset())


def roles_with(permission: str) -> tuple[str, ...]:
    """The roles holding `permission`, in matrix order."""
    return tuple(role for role in ROLES if allowed(role, permission))


def matrix_table() -> str:
    """The matrix as a Markdown table in English (the README's; `manage.py role_matrix`)."""
    with translation.override("en"):
        return _table()


def _table() -> str:
    header = "| permission | " + " | ".join(str(label) for label in ROLES.values()) + " |"
    rule = "|---|" + "---|" * len(ROLES)
    rows = [
        f"| `{p.name}` {p.label} | "
        + " | ".join("✓" if allowed(role, p.name) else "" for role in ROLES)
        + " |"
        for p in PERMISSIONS
    ]
    return "\n".join([header, rule, *rows])
