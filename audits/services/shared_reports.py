"""Writes of the supplier's own reports: the PDF upload and the shared report with findings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits import imports
from audits.models import Audit, Finding, SupplierReport
from audits.permissions import may_upload_report
from audits.services.audits import audit_transition
from governance.platform.access import Access

MAX_REPORT_BYTES = 10 * 2**20


def validate_pdf(content: bytes) -> None:
    """Accept a real PDF only: the %PDF- header at the start, an end-of-file marker near the
    end, and no more than MAX_REPORT_BYTES. The name or declared type proves nothing."""
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    if len(content) > MAX_REPORT_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)d MB.") % {"limit": MAX_REPORT_BYTES >> 20}}
        )
    if not content[:1024].lstrip().startswith(b"%PDF-") or b"%%EOF" not in content[-2048:]:
        raise ValidationError({"file": _("The file is not a PDF document.")})


@transaction.atomic
def supplier_report_upload(
    *, access: Access, audit: Audit, name: str, content: bytes
) -> SupplierReport:
    """The supplier's internal audit report (PDF) for an audit of its contract."""
    if not may_upload_report(access, audit):
        raise PermissionDenied
    if audit.status == Audit.Status.CLOSED:
        raise ValidationError(_("A closed audit takes no new files."))
    validate_pdf(content)
    clean_name = (name or "report.pdf").replace("/", "_").replace("\\", "_").strip()[:200]
    if not clean_name.lower().endswith(".pdf"):
        clean_name += ".pdf"
    report = SupplierReport(
        organisation=audit.organisation,
        audit=audit,
        name=clean_name,
        size=len(content),
        checksum=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by_id=access.user_id,
    )
    report.full_clean(exclude=["content"])
    report.save()
    return report


# --- the supplier's shared internal audit report with its findings ---------------------------


@dataclass
class SharedReportResult:
    """What became of a shared report: every problem found (then nothing is stored), the
    validated finding rows, and — once stored — the report and the findings created."""

    dry_run: bool
    problems: list[imports.Problem] = field(default_factory=list)
    rows: list[imports.CleanFindingRow] = field(default_factory=list)
    report: SupplierReport | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _shared_report_problems(
    *, audit: Audit, name: str, content: bytes, actual_date, mark_reported: bool, today: date
) -> list[imports.Problem]:
    problems = []

    def problem(column, message, value=""):
        problems.append(imports.Problem(None, column, value, message))

    if audit.audit_type != Audit.Type.SHARED_REPORT:
        problem(
            "audit",
            _(
                "Findings come with the report only for an audit of the type “%(type)s”; "
                "record the findings of other audits on the audit page."
            )
            % {"type": Audit.Type.SHARED_REPORT.label},
        )
    if audit.status == Audit.Status.CLOSED:
        problem("audit", _("A closed audit takes no new files."))
    if not content and not name:
        problem("file", _("Attach the internal audit report (PDF)."))
    else:
        try:
            validate_pdf(content)
        except ValidationError as error:
            for message in error.message_dict.get("file", error.messages):
                problem("file", message, name)
    if actual_date is not None:
        if actual_date > today:
            problem(
                "actual_date",
                _("The internal audit cannot lie in the future."),
                actual_date.isoformat(),
            )
        elif actual_date > audit.latest_actual_date:
            problem(
                "actual_date",
                _("The actual date lies more than a year after the plan."),
                actual_date.isoformat(),
            )
    if mark_reported and audit.status in (Audit.Status.PLANNED, Audit.Status.IN_PROGRESS):
        open_items = audit.checklist.filter(result="").count()
        if open_items:
            problem(
                "mark_reported",
                _(
                    "%(count)d checklist item(s) have no result yet; record them before "
                    "reporting the audit."
                )
                % {"count": open_items},
            )
    return problems


def shared_report_submit(
    *,
    access: Access,
    audit: Audit,
    name: str,
    content: bytes,
    rows: list[imports.RawFindingRow] | None = None,
    findings_file: tuple[str, bytes] | None = None,
    json_rows: list | None = None,
    actual_date: date | None = None,
    summary: str | None = None,
    mark_reported: bool = True,
    dry_run: bool = False,
    today: date | None = None,
) -> SharedReportResult:
    """The supplier shares its internal audit report (PDF) together with its structured
    findings — grade, clause, description, root cause, affected services — given as form
    rows, a CSV/XLSX file (`findings_file` = (name, content)) or JSON rows.

    Everything is validated first and every problem is returned; only when there is none (and
    not `dry_run`) is it stored, in one transaction: the audit moves to in progress (with the
    date of the internal audit), the PDF and the findings are stored — each finding linked to
    the report, ranked and prioritised like any other — and, with `mark_reported`, the audit
    is reported. Only the contract's supplier shares its report."""
    if not may_upload_report(access, audit):
        raise PermissionDenied
    today = today or timezone.localdate()
    result = SharedReportResult(dry_run=dry_run)
    result.problems += _shared_report_problems(
        audit=audit,
        name=name,
        content=content,
        actual_date=actual_date,
        mark_reported=mark_reported,
        today=today,
    )
    raw: list[imports.RawFindingRow] = []
    if sum([bool(rows), findings_file is not None, json_rows is not None]) > 1:
        result.problems.append(
            imports.Problem(
                None,
                "findings",
                "",
                _("Enter the findings in the form or import a file, not both."),
            )
        )
    elif findings_file is not None:
        try:
            raw = imports.read_file(name=findings_file[0], content=findings_file[1])
        except imports.ImportRejected as rejected:
            result.problems += rejected.problems
    elif json_rows is not None:
        raw = imports.rows_from_json(json_rows)
    else:
        raw = list(rows or [])
    problems, result.rows = imports.validate_rows(
        rows=raw,
        services=list(audit.contract.services.all()),
        existing_references=set(
            audit.findings.exclude(reference="").values_list("reference", flat=True)
        ),
    )
    result.problems += problems
    if result.problems or dry_run:
        return result
    try:
        with transaction.atomic():
            result.report, result.findings = _store_shared_report(
                access=access,
                audit=audit,
                name=name,
                content=content,
                rows=result.rows,
                actual_date=actual_date,
                summary=summary,
                mark_reported=mark_reported,
                today=today,
            )
    except IntegrityError:
        # The same reference stored by a simultaneous submission for this audit.
        result.report, result.findings = None, []
        result.problems.append(
            imports.Problem(
                None,
                "reference",
                "",
                _("A finding with this reference is already recorded for this audit."),
            )
        )
    except ValidationError as error:
        # A rule checked only on saving (e.g. a change by someone else meanwhile): the
        # transaction is rolled back, so nothing is stored; say why.
        result.report, result.findings = None, []
        details = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        for column, messages in details.items():
            for message in messages:
                result.problems.append(
                    imports.Problem(None, "" if column == "__all__" else column, "", message)
                )
    return result


def _store_shared_report(
    *, access, audit, name, content, rows, actual_date, summary, mark_reported, today
):
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if actual_date is not None:
        audit.actual_date = actual_date
    if summary is not None and summary.strip():
        audit.summary = summary.strip()
    audit.full_clean()
    audit.save(update_fields=["actual_date", "summary"])
    if audit.status == Audit.Status.PLANNED:
        audit = audit_transition(
            access=access, audit=audit, status=Audit.Status.IN_PROGRESS, today=today
        )
    report = supplier_report_upload(access=access, audit=audit, name=name, content=content)
    findings = []
    for row in rows:
        finding = Finding(
            organisation=audit.organisation,
            audit=audit,
            supplier_report=report,
            reference=row.reference,
            title=row.title,
            description=row.description,
            grade=row.grade,
            clause=row.clause,
            root_cause=row.root_cause,
            created_by_id=access.user_id,
        )
        finding.full_clean()
        finding.save()
        finding.services.set(row.services)
        findings.append(finding)
    if mark_reported and audit.status == Audit.Status.IN_PROGRESS:
        audit_transition(access=access, audit=audit, status=Audit.Status.REPORTED, today=today)
    return report, findings
