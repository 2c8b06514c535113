"""Spreadsheet downloads of the SLA report tables: a contract's report timeline and one
report's measurements, the same rows as the pages show (CSV or `?format=xlsx`)."""

from django.utils.translation import gettext as _

from contracts import selectors
from contracts.views import _contract, _report
from governance.platform.exports import download


def report_timeline_export(request, org_slug, pk):
    """Every current report version of the contract, newest period first."""
    contract = _contract(request, pk)
    header = [
        _("Period"),
        _("Version"),
        _("Status"),
        _("Submitted"),
        _("Late"),
        _("Not met"),
    ]
    rows = [
        [
            report.period_label,
            report.version,
            report.get_status_display(),
            report.submitted_at.isoformat(timespec="minutes") if report.submitted_at else "",
            _("yes") if report.is_late else _("no"),
            report.missed,
        ]
        for report in selectors.report_timeline(contract=contract)
    ]
    return download(request.GET.get("format"), f"sla-reports-{contract.reference}", header, rows)


def report_measurements_export(request, org_slug, pk):
    """The measurements of one report version with their judged state and any dispute."""
    report = _report(request, pk)
    header = [
        _("Code"),
        _("Service level"),
        _("Value"),
        _("Unit"),
        _("Target"),
        _("State"),
        _("Cause"),
        _("End-user impact"),
        _("Corrective action"),
        _("Dispute"),
    ]
    rows = [
        [
            m.service_level.code,
            m.service_level.name,
            m.value,
            m.service_level.unit,
            m.service_level.target,
            m.get_state_display(),
            m.deviation_cause,
            m.deviation_impact,
            m.deviation_action,
            m.dispute_reason,
        ]
        for m in selectors.report_measurements(report=report)
    ]
    stem = f"sla-report-{report.contract.reference}-{report.period_start:%Y-%m}-v{report.version}"
    return download(request.GET.get("format"), stem, header, rows)
