"""The audit report as PDF: the same facts as the audit page, in the shared (supplier-safe)
form — client-internal notes are never in it. Rendered by a task only."""

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from audits.clauses import clause_label
from audits.models import Result
from audits.selectors import (
    checklist_for_audit,
    findings_for_audit,
    rank_findings,
    supplier_reports_for_audit,
)
from governance.platform.charts import Bar, bar_chart
from governance.platform.pdf import render_pdf_with_pages

# Short names under the chart's bars (the full names do not fit side by side).
CHART_LABELS = {
    Result.CONFORM: gettext_lazy("Conform"),
    Result.MINOR: gettext_lazy("Minor NC"),
    Result.MAJOR: gettext_lazy("Major NC"),
    Result.OBSERVATION: gettext_lazy("Observation"),
    Result.IMPROVEMENT: gettext_lazy("Improvement"),
    Result.STRENGTH: gettext_lazy("Strength"),
}
RESULT_STATE = {
    Result.CONFORM: "good",
    Result.STRENGTH: "good",
    Result.IMPROVEMENT: "",
    Result.OBSERVATION: "warn",
    Result.MINOR: "warn",
    Result.MAJOR: "bad",
}


def result_chart(items) -> str:
    """How many checklist items got each result."""
    counts = dict.fromkeys(Result.values, 0)
    for item in items:
        if item.result:
            counts[item.result] += 1
    if not any(counts.values()):
        return ""
    bars = [
        Bar(label=str(CHART_LABELS[value]), value=count, state=RESULT_STATE[value])
        for value, count in counts.items()
    ]
    # At least 0–5 so a handful of items gets whole-number ticks.
    top = max(5, max(counts.values()))
    return bar_chart(bars=bars, y_min=0, y_max=top, title=translation.gettext("Checklist results"))


def audit_report_context(*, audit) -> dict:
    items = list(checklist_for_audit(audit=audit))
    findings = list(findings_for_audit(audit=audit))
    return {
        "organisation": audit.organisation,
        "audit": audit,
        "contract": audit.contract,
        "clauses": [clause_label(code) for code in audit.clauses],
        "items": items,
        "ranked": rank_findings(findings),
        "supplier_reports": list(supplier_reports_for_audit(audit=audit)),
        "chart": result_chart(items),
        "rendered_at": timezone.localtime(),
    }


def audit_report_pdf(*, audit, language: str) -> tuple[bytes, int]:
    """(PDF bytes, pages) of the audit report in `language`."""
    with translation.override(language):
        return render_pdf_with_pages("audits/report_pdf.html", audit_report_context(audit=audit))
