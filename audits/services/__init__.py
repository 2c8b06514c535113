"""Writes of audits: keyword-only, validated, returning the object. Each checks who may do it
(permissions.py) and raises PermissionDenied or a ValidationError naming field and reason;
side effects (the PDF task, reminder mail) go through transaction.on_commit or the outbox.

Other apps, the API and the tests import the writes from here; the modules hold them by
sub-domain."""

from audits.services.actions import (
    REMINDER_WORKING_DAYS,
    action_create,
    action_reminders_send,
    action_update,
    effectiveness_check_record,
    may_update_action,
)
from audits.services.audits import (
    EDITABLE,
    audit_create,
    audit_report_render,
    audit_report_request,
    audit_transition,
    audit_update,
    checklist_generate,
    checklist_item_add,
    checklist_item_record,
)
from audits.services.findings import (
    finding_close,
    finding_create,
    finding_respond,
    finding_set_priority,
)
from audits.services.programmes import (
    planned_dates,
    programme_accept,
    programme_create,
    programme_next_year,
    programme_propose_next_year,
)
from audits.services.shared_reports import (
    MAX_REPORT_BYTES,
    SharedReportResult,
    shared_report_submit,
    supplier_report_upload,
    validate_pdf,
)

__all__ = [
    "EDITABLE",
    "MAX_REPORT_BYTES",
    "REMINDER_WORKING_DAYS",
    "SharedReportResult",
    "action_create",
    "action_reminders_send",
    "action_update",
    "audit_create",
    "audit_report_render",
    "audit_report_request",
    "audit_transition",
    "audit_update",
    "checklist_generate",
    "checklist_item_add",
    "checklist_item_record",
    "effectiveness_check_record",
    "finding_close",
    "finding_create",
    "finding_respond",
    "finding_set_priority",
    "may_update_action",
    "planned_dates",
    "programme_accept",
    "programme_create",
    "programme_next_year",
    "programme_propose_next_year",
    "shared_report_submit",
    "supplier_report_upload",
    "validate_pdf",
]
