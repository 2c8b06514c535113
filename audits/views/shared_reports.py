"""The supplier's report pages: the PDF upload, the shared report with findings, downloads."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from audits import imports, selectors, services
from audits.forms import (
    MAX_ROWS_IN_FORM,
    ReportUploadForm,
    SharedReportForm,
    finding_row_formset,
)
from audits.models import Audit
from audits.permissions import may_upload_report
from audits.views.helpers import _audit, _int, _submit
from governance.platform.access import get_object_for
from governance.platform.exports import download


@require_POST
def report_upload(request, org_slug, pk):
    audit = _audit(request, pk)
    request.access.require(may_upload_report(request.access, audit))
    _submit(
        request,
        ReportUploadForm(request.POST, request.FILES),
        lambda data: services.supplier_report_upload(
            access=request.access, audit=audit, name=data["file"].name, content=data["file"].read()
        ),
        _("The internal audit report is shared with the client."),
    )
    return redirect("audits:audit_detail", org_slug, pk)


# Default number of empty finding rows on the shared-report page (more with ?rows=N).
SHARED_REPORT_ROWS = 5


def _column_labels() -> dict[str, str]:
    return {
        "audit": _("Audit"),
        "file": _("Internal audit report (PDF)"),
        "findings_file": _("Findings file"),
        "findings": _("Findings"),
        "actual_date": _("Date of the internal audit"),
        "mark_reported": _("Mark the audit as reported"),
        "summary": _("Summary"),
        "reference": _("Reference"),
        "title": _("Title"),
        "grade": _("Grade"),
        "clause": _("ISO 9001 clause"),
        "description": _("Description"),
        "root_cause": _("Root cause"),
        "services": _("Affected services"),
    }


def _form_rows(formset) -> list[imports.RawFindingRow]:
    """The rows the supplier filled in (empty rows skipped), numbered as on the page."""
    rows = []
    for number, form in enumerate(formset.forms, start=1):
        if not form.has_changed():
            continue
        data = getattr(form, "cleaned_data", {}) or {}
        rows.append(
            imports.RawFindingRow(
                row=number,
                reference=(data.get("reference") or "").strip(),
                title=(data.get("title") or "").strip(),
                grade=data.get("grade") or "",
                clause=data.get("clause") or "",
                description=(data.get("description") or "").strip(),
                root_cause=(data.get("root_cause") or "").strip(),
                services=tuple(s.pk for s in data.get("services") or ()),
            )
        )
    return rows


def shared_report(request, org_slug, pk):
    """The supplier shares its internal audit report in one go: the PDF, the date and summary,
    and its findings — typed in the rows or imported from a CSV/XLSX file. Every problem is
    listed at once and nothing is stored until there is none."""
    access = request.access
    audit = _audit(request, pk)
    access.require(may_upload_report(access, audit))
    if audit.audit_type != Audit.Type.SHARED_REPORT or audit.status == Audit.Status.CLOSED:
        messages.error(
            request,
            _("Only an open audit of the type “%(type)s” takes a report with findings.")
            % {"type": Audit.Type.SHARED_REPORT.label},
        )
        return redirect("audits:audit_detail", org_slug, pk)
    rows = _int(request.GET.get("rows")) or SHARED_REPORT_ROWS
    formset_class = finding_row_formset(rows=rows)
    form_kwargs = {"audit": audit}
    result = None
    if request.method == "POST":
        form = SharedReportForm(request.POST, request.FILES)
        formset = formset_class(request.POST, prefix="findings", form_kwargs=form_kwargs)
        complete = form.is_valid() & formset.is_valid()
        data = form.cleaned_data
        pdf, findings_file = data.get("file"), data.get("findings_file")
        result = services.shared_report_submit(
            access=access,
            audit=audit,
            name=pdf.name if pdf else "",
            content=pdf.read() if pdf else b"",
            rows=_form_rows(formset),
            findings_file=(findings_file.name, findings_file.read()) if findings_file else None,
            actual_date=data.get("actual_date"),
            summary=data.get("summary"),
            mark_reported=bool(data.get("mark_reported")),
            # A form error (a forged choice, a malformed date) still shows every other problem.
            dry_run=not complete,
        )
        if complete and result.ok:
            messages.success(
                request,
                ngettext(
                    "The internal audit report is shared with %(count)d finding.",
                    "The internal audit report is shared with %(count)d findings.",
                    len(result.findings),
                )
                % {"count": len(result.findings)},
            )
            return redirect("audits:audit_detail", org_slug, pk)
    else:
        today = timezone.localdate()
        form = SharedReportForm(
            initial={
                "actual_date": audit.actual_date or min(audit.planned_date, today),
                "summary": audit.summary,
                "mark_reported": True,
            }
        )
        formset = formset_class(prefix="findings", form_kwargs=form_kwargs)
    labels = _column_labels()
    problems = [
        {**problem.as_dict(), "label": labels.get(problem.column, problem.column)}
        for problem in (result.problems if result else [])
    ]
    from_file = request.method == "POST" and bool(form.cleaned_data.get("findings_file"))
    row_problems: dict[int, list[str]] = {}
    if not from_file:
        for problem in problems:
            if problem["row"] is not None:
                row_problems.setdefault(problem["row"], []).append(
                    f"{problem['label']}: {problem['message']}"
                )
    return render(
        request,
        "audits/shared_report.html",
        {
            "audit": audit,
            "form": form,
            "formset": formset,
            "rows": [
                (number, row, row_problems.get(number, []))
                for number, row in enumerate(formset.forms, start=1)
            ],
            "problems": problems,
            "from_file": from_file,
            "columns": imports.COLUMNS,
            "services": audit.contract.services.order_by("name"),
            "more_rows": min(len(formset.forms) + SHARED_REPORT_ROWS, MAX_ROWS_IN_FORM),
        },
        status=400 if problems else 200,
    )


def shared_report_template(request, org_slug):
    """The columns of a findings import, as an empty CSV or XLSX to fill in."""
    return download(request.GET.get("format"), "audit-findings-import", imports.COLUMNS, [])


def supplier_report_download(request, org_slug, pk):
    """The supplier's PDF, always as a download (never rendered inline)."""
    report = get_object_for(
        request.access, selectors.supplier_report_list(access=request.access), pk=pk
    )
    response = HttpResponse(bytes(report.content), content_type="application/pdf")
    name = report.name.replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
