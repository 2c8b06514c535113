"""Writes of audits: keyword-only, validated, returning the object. Each checks who may do it
(permissions.py) and raises PermissionDenied or a ValidationError naming field and reason;
side effects (the PDF task, reminder mail) go through transaction.on_commit or the outbox."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audits import checklists, imports
from audits.models import (
    Audit,
    AuditProgramme,
    AuditReportPDF,
    ChecklistItem,
    CorrectiveAction,
    EffectivenessCheck,
    Finding,
    Level,
    Result,
    SupplierReport,
)
from audits.permissions import (
    may_close_audit,
    may_edit_audit,
    may_plan,
    may_record_audit,
    may_respond,
    may_set_priority,
    may_upload_report,
)
from audits.selectors import people_for_contract
from governance.access import Access
from governance.outbox import outbox_enqueue
from governance.workdays import add_working_days, is_working_day

MAX_REPORT_BYTES = 10 * 2**20
# Days before the due date on which owners get a reminder of an unfinished action.
REMINDER_WORKING_DAYS = 3


def _check_people(*, contract, lead_auditor, observers) -> None:
    people = people_for_contract(contract=contract)
    allowed = {p.pk for p in people["client"]} | {p.pk for p in people["supplier"]}
    if lead_auditor is not None and lead_auditor.pk not in allowed:
        raise ValidationError(
            {"lead_auditor": _("The lead auditor must work for the client or this supplier.")}
        )
    if any(o.pk not in allowed for o in observers):
        raise ValidationError(
            {"observers": _("Observers must work for the client or this supplier.")}
        )


def _check_services(*, contract, services) -> None:
    if any(s.contract_id != contract.pk for s in services):
        raise ValidationError({"services": _("A service in scope belongs to another contract.")})


# --- programmes -----------------------------------------------------------------------------


def _planned_dates(*, year: int, recurrence: str) -> list[date]:
    """Mid-interval dates spread over the year, moved to the next working day."""
    per_year = AuditProgramme.PER_YEAR[recurrence]
    step = 12 // per_year
    dates = []
    for n in range(per_year):
        month = n * step + (step + 1) // 2
        day = date(year, month, 15)
        while not is_working_day(day):
            day += timedelta(days=1)
        dates.append(day)
    return dates


@transaction.atomic
def programme_create(
    *,
    access: Access,
    contract,
    year: int,
    recurrence: str = AuditProgramme.Recurrence.QUARTERLY,
    level: str = Level.BOTH,
    clauses: list[str] = (),
    notes: str = "",
    audit_type: str = Audit.Type.SUPPLIER_QA,
    plan_audits: bool = True,
) -> AuditProgramme:
    """The yearly programme of a contract; with `plan_audits` one planned audit per interval
    of the recurrence (e.g. quarterly: four, mid-quarter on a working day)."""
    if not may_plan(access, contract) or not may_record_audit(access, contract, audit_type):
        raise PermissionDenied
    if AuditProgramme.objects.filter(contract=contract, year=year).exists():
        raise ValidationError({"year": _("This contract already has a programme for that year.")})
    programme = AuditProgramme(
        organisation=contract.organisation,
        contract=contract,
        year=year,
        recurrence=recurrence,
        level=level,
        clauses=list(clauses),
        notes=notes,
    )
    programme.full_clean()
    programme.save()
    if plan_audits:
        dates = _planned_dates(year=year, recurrence=recurrence)
        for number, planned in enumerate(dates, start=1):
            title = _("Operational audit %(number)d/%(count)d %(year)d · %(contract)s") % {
                "number": number,
                "count": len(dates),
                "year": year,
                "contract": contract.reference,
            }
            audit_create(
                access=access,
                contract=contract,
                programme=programme,
                title=title,
                audit_type=audit_type,
                level=level,
                clauses=list(clauses),
                planned_date=planned,
            )
    return programme


def programme_next_year(*, access: Access, programme: AuditProgramme) -> AuditProgramme:
    """Next year's programme of the same contract: the same recurrence, level, clauses and
    notes, with its audits planned (of the type most of this year's audits have)."""
    types = list(programme.audits.values_list("audit_type", flat=True))
    audit_type = max(sorted(set(types)), key=types.count) if types else Audit.Type.SUPPLIER_QA
    return programme_create(
        access=access,
        contract=programme.contract,
        year=programme.year + 1,
        recurrence=programme.recurrence,
        level=programme.level,
        clauses=list(programme.clauses),
        notes=programme.notes,
        audit_type=audit_type,
    )


# --- audits ---------------------------------------------------------------------------------


@transaction.atomic
def audit_create(
    *,
    access: Access,
    contract,
    title: str,
    planned_date: date,
    audit_type: str = Audit.Type.SUPPLIER_QA,
    level: str = Level.BOTH,
    processes: str = "",
    clauses: list[str] = (),
    services=(),
    lead_auditor=None,
    observers=(),
    programme: AuditProgramme | None = None,
    follow_up_of: Audit | None = None,
    summary: str = "",
) -> Audit:
    """Record a planned audit of the contract."""
    if not may_record_audit(access, contract, audit_type):
        raise PermissionDenied
    services, observers = list(services), list(observers)
    _check_services(contract=contract, services=services)
    _check_people(contract=contract, lead_auditor=lead_auditor, observers=observers)
    audit = Audit(
        organisation=contract.organisation,
        contract=contract,
        programme=programme,
        title=title,
        audit_type=audit_type,
        level=level,
        processes=processes,
        clauses=list(clauses),
        planned_date=planned_date,
        lead_auditor=lead_auditor,
        follow_up_of=follow_up_of,
        summary=summary,
        created_by_id=access.user_id,
    )
    audit.full_clean()
    audit.save()
    audit.services.set(services)
    audit.observers.set(observers)
    return audit


EDITABLE = ("title", "level", "processes", "clauses", "planned_date", "actual_date", "summary")


@transaction.atomic
def audit_update(*, access: Access, audit: Audit, services=None, observers=None, **fields) -> Audit:
    """Change an audit's plan or scope (until it is reported) or its summary (until closed)."""
    if not may_edit_audit(access, audit):
        raise PermissionDenied
    if audit.status == Audit.Status.CLOSED:
        raise ValidationError(_("A closed audit can no longer be changed."))
    unknown = set(fields) - set(EDITABLE) - {"lead_auditor", "audit_type"}
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %s.") % ", ".join(sorted(unknown)))
    scope_change = (set(fields) - {"summary", "actual_date"}) or services is not None
    if scope_change and audit.status in (Audit.Status.REPORTED, Audit.Status.CLOSED):
        raise ValidationError(_("The scope of a reported audit can no longer be changed."))
    if "audit_type" in fields and not may_record_audit(
        access, audit.contract, fields["audit_type"]
    ):
        raise PermissionDenied
    for name, value in fields.items():
        setattr(audit, name, value)
    services = list(services) if services is not None else None
    observers = list(observers) if observers is not None else list(audit.observers.all())
    if services is not None:
        _check_services(contract=audit.contract, services=services)
    _check_people(contract=audit.contract, lead_auditor=audit.lead_auditor, observers=observers)
    audit.full_clean()
    audit.save()
    if services is not None:
        audit.services.set(services)
    audit.observers.set(observers)
    return audit


@transaction.atomic
def audit_transition(
    *, access: Access, audit: Audit, status: str, today: date | None = None
) -> Audit:
    """Move an audit on: planned → in progress → reported → closed, with the rules of each
    step: results for every checklist item and a date before it is reported (a shared report
    needs the supplier's file), and every nonconformity closed before the client closes it."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if status not in Audit.TRANSITIONS.get(audit.status, ()):
        raise ValidationError(
            {
                "status": _("An audit that is %(current)s cannot become %(new)s.")
                % {
                    "current": audit.get_status_display().lower(),
                    "new": str(Audit.Status(status).label).lower()
                    if status in Audit.Status.values
                    else status,
                }
            }
        )
    if status == Audit.Status.CLOSED:
        if not may_close_audit(access):
            raise PermissionDenied
    elif not may_edit_audit(access, audit):
        raise PermissionDenied
    today = today or timezone.localdate()
    if status == Audit.Status.IN_PROGRESS and audit.actual_date is None:
        audit.actual_date = today
    if status == Audit.Status.REPORTED:
        open_items = audit.checklist.filter(result="").count()
        if open_items:
            raise ValidationError(
                {
                    "status": _(
                        "%(count)d checklist item(s) have no result yet; record them before "
                        "reporting the audit."
                    )
                    % {"count": open_items}
                }
            )
        if audit.audit_type == Audit.Type.SHARED_REPORT and not audit.supplier_reports.exists():
            raise ValidationError(
                {"status": _("Upload the supplier's internal audit report before reporting.")}
            )
    if status == Audit.Status.CLOSED:
        open_nc = audit.findings.filter(
            status=Finding.Status.OPEN, grade__in=[Result.MAJOR, Result.MINOR]
        ).count()
        if open_nc:
            raise ValidationError(
                {
                    "status": _(
                        "%(count)d nonconformity(ies) are still open; an audit closes only when "
                        "each has passed its effectiveness check."
                    )
                    % {"count": open_nc}
                }
            )
    audit.status = status
    audit.full_clean()
    audit.save()
    return audit


# --- checklist ------------------------------------------------------------------------------


@transaction.atomic
def checklist_generate(*, access: Access, audit: Audit, today: date | None = None) -> int:
    """Add the checklist derived from the contract's agreed way of working and the standard
    questions for the audit's level; items already there are kept (by source key), so running
    it again adds only what is new. Returns the number of items added."""
    if not may_edit_audit(access, audit):
        raise PermissionDenied
    if audit.status not in (Audit.Status.PLANNED, Audit.Status.IN_PROGRESS):
        raise ValidationError(_("The checklist of a reported audit can no longer change."))
    language = audit.organisation.default_language
    with translation.override(language):
        drafts = checklists.draft_items(audit=audit, today=today or timezone.localdate())
    existing = set(audit.checklist.exclude(source_key="").values_list("source_key", "level"))
    position = audit.checklist.aggregate(top=Max("position"))["top"] or 0
    added = 0
    for draft in drafts:
        if (draft.source_key, draft.level) in existing:
            continue
        position += 10
        item = ChecklistItem(
            organisation=audit.organisation,
            audit=audit,
            position=position,
            source=draft.source,
            source_key=draft.source_key,
            level=draft.level,
            clause=draft.clause,
            question=draft.question,
            guidance=draft.guidance,
        )
        item.full_clean()
        item.save()
        added += 1
    return added


def checklist_item_add(
    *, access: Access, audit: Audit, question: str, level: str = Level.BOTH, clause: str = ""
) -> ChecklistItem:
    """An auditor's own question."""
    if not may_edit_audit(access, audit):
        raise PermissionDenied
    if audit.status not in (Audit.Status.PLANNED, Audit.Status.IN_PROGRESS):
        raise ValidationError(_("The checklist of a reported audit can no longer change."))
    position = (audit.checklist.aggregate(top=Max("position"))["top"] or 0) + 10
    item = ChecklistItem(
        organisation=audit.organisation,
        audit=audit,
        position=position,
        source=ChecklistItem.Source.OWN,
        level=level,
        clause=clause,
        question=question,
    )
    item.full_clean()
    item.save()
    return item


def checklist_item_record(
    *, access: Access, item: ChecklistItem, result: str, evidence: str = "", interviewee_role=""
) -> ChecklistItem:
    """What was found for one question: result, evidence and the interviewee's role."""
    audit = item.audit
    if not may_edit_audit(access, audit):
        raise PermissionDenied
    if audit.status != Audit.Status.IN_PROGRESS:
        raise ValidationError(_("Start the audit before recording results."))
    if result not in Result.values:
        raise ValidationError({"result": _("Choose a result.")})
    item.result = result
    item.evidence = evidence
    item.interviewee_role = interviewee_role
    item.full_clean()
    item.save()
    return item


# --- findings -------------------------------------------------------------------------------


@transaction.atomic
def finding_create(
    *,
    access: Access,
    audit: Audit,
    title: str,
    description: str,
    grade: str,
    clause: str = "",
    root_cause: str = "",
    services=(),
    checklist_item: ChecklistItem | None = None,
) -> Finding:
    """A finding of the audit, from a checklist item or entered directly."""
    if not may_edit_audit(access, audit):
        raise PermissionDenied
    if audit.status not in (Audit.Status.IN_PROGRESS, Audit.Status.REPORTED):
        raise ValidationError(
            _("Findings are recorded while the audit is in progress or reported.")
        )
    services = list(services)
    _check_services(contract=audit.contract, services=services)
    if checklist_item is not None and not clause:
        clause = checklist_item.clause
    finding = Finding(
        organisation=audit.organisation,
        audit=audit,
        checklist_item=checklist_item,
        title=title,
        description=description,
        grade=grade,
        clause=clause,
        root_cause=root_cause,
        created_by_id=access.user_id,
    )
    finding.full_clean()
    finding.save()
    finding.services.set(services)
    return finding


@transaction.atomic
def finding_respond(*, access: Access, finding: Finding, root_cause: str, services=None) -> Finding:
    """The root cause (and, if given, the affected services) of an open finding."""
    if not may_respond(access, finding):
        raise PermissionDenied
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("A closed finding can no longer be changed."))
    finding.root_cause = root_cause
    finding.full_clean()
    finding.save(update_fields=["root_cause"])
    if services is not None:
        services = list(services)
        _check_services(contract=finding.audit.contract, services=services)
        finding.services.set(services)
    return finding


def finding_set_priority(
    *, access: Access, finding: Finding, priority: int | None, note: str | None = None
) -> Finding:
    """The client's priority (1–5, or None to clear), with an internal note on why."""
    if not may_set_priority(access):
        raise PermissionDenied
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("A closed finding can no longer be changed."))
    finding.client_priority = priority
    if note is not None:
        finding.client_note = note
    finding.priority_set_by_id = access.user_id
    finding.priority_set_at = timezone.now()
    finding.full_clean()
    finding.save(
        update_fields=["client_priority", "client_note", "priority_set_by", "priority_set_at"]
    )
    return finding


def finding_close(*, access: Access, finding: Finding) -> Finding:
    """Close a finding; only after an effectiveness check whose latest verdict is effective."""
    if not may_respond(access, finding):
        raise PermissionDenied
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("This finding is already closed."))
    latest = finding.checks.order_by("-checked_on", "-pk").first()
    if latest is None:
        raise ValidationError(
            _(
                "A finding closes only after an effectiveness check: record who checked, when, "
                "the verdict and the evidence first."
            )
        )
    if latest.verdict != EffectivenessCheck.Verdict.EFFECTIVE:
        raise ValidationError(
            _(
                "The latest effectiveness check found the actions not effective; plan further "
                "actions and check again before closing."
            )
        )
    finding.status = Finding.Status.CLOSED
    finding.closed_at = timezone.now()
    finding.save(update_fields=["status", "closed_at"])
    return finding


# --- corrective actions and effectiveness checks ----------------------------------------------


def _check_owners(*, finding: Finding, supplier_owner, client_owner) -> None:
    people = people_for_contract(contract=finding.audit.contract)
    if supplier_owner is not None and supplier_owner.pk not in {p.pk for p in people["supplier"]}:
        raise ValidationError(
            {"supplier_owner": _("The supplier's owner must be a user of this supplier.")}
        )
    if client_owner is not None and client_owner.pk not in {p.pk for p in people["client"]}:
        raise ValidationError(
            {"client_owner": _("The client's owner must be a member of this organisation.")}
        )


def action_create(
    *,
    access: Access,
    finding: Finding,
    description: str,
    owner_side: str,
    due_date: date,
    supplier_owner=None,
    client_owner=None,
) -> CorrectiveAction:
    """A corrective action on an open finding; a joint action names an owner on both sides."""
    if not may_respond(access, finding):
        raise PermissionDenied
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("A closed finding takes no new actions."))
    action = CorrectiveAction(
        organisation=finding.organisation,
        finding=finding,
        description=description,
        owner_side=owner_side,
        supplier_owner=supplier_owner,
        client_owner=client_owner,
        due_date=due_date,
        created_by_id=access.user_id,
    )
    action.full_clean()
    _check_owners(finding=finding, supplier_owner=supplier_owner, client_owner=client_owner)
    action.save()
    return action


def may_update_action(access: Access, action: CorrectiveAction) -> bool:
    return may_respond(access, action.finding) or access.user_id in (
        action.supplier_owner_id,
        action.client_owner_id,
    )


def action_update(
    *, access: Access, action: CorrectiveAction, status: str, today: date | None = None
) -> CorrectiveAction:
    """Move an action on (open, in progress, done, cancelled); done records the day."""
    if not may_update_action(access, action):
        raise PermissionDenied
    if action.finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("The finding is closed; its actions can no longer change."))
    if status not in CorrectiveAction.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    action.status = status
    action.completed_on = (
        (today or timezone.localdate()) if status == CorrectiveAction.Status.DONE else None
    )
    action.full_clean()
    action.save(update_fields=["status", "completed_on"])
    return action


@transaction.atomic
def effectiveness_check_record(
    *,
    access: Access,
    finding: Finding,
    verdict: str,
    evidence: str,
    checked_on: date | None = None,
    follow_up_audit: Audit | None = None,
    close: bool = True,
) -> EffectivenessCheck:
    """Record whether the actions worked. Every action must be finished first (and a
    nonconformity needs at least one). An effective verdict closes the finding (unless
    `close=False`); a not-effective one leaves it open for further actions."""
    if not may_respond(access, finding):
        raise PermissionDenied
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("This finding is already closed."))
    actions = list(finding.actions.all())
    if finding.is_nonconformity and not actions:
        raise ValidationError(
            _("A nonconformity needs a corrective action before its effectiveness is checked.")
        )
    unfinished = [a for a in actions if not a.is_finished]
    if unfinished:
        raise ValidationError(
            _("%(count)d corrective action(s) are not finished yet; check effectiveness after.")
            % {"count": len(unfinished)}
        )
    if follow_up_audit is not None and follow_up_audit.contract_id != finding.audit.contract_id:
        raise ValidationError({"follow_up_audit": _("The re-audit is of another contract.")})
    if not (evidence or "").strip():
        raise ValidationError({"evidence": _("Record the evidence of the check.")})
    check = EffectivenessCheck(
        organisation=finding.organisation,
        finding=finding,
        checked_by_id=access.user_id,
        checked_on=checked_on or timezone.localdate(),
        verdict=verdict,
        evidence=evidence,
        follow_up_audit=follow_up_audit,
    )
    check.full_clean()
    check.save()
    if close and verdict == EffectivenessCheck.Verdict.EFFECTIVE:
        finding_close(access=access, finding=finding)
    return check


# --- the supplier's own report ----------------------------------------------------------------


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


# --- the audit report PDF ---------------------------------------------------------------------


def audit_report_request(*, access: Access, audit: Audit, language: str) -> None:
    """Ask for the audit report PDF: rendered by a task after the transaction commits."""
    from audits.tasks import task_render_audit_report

    organisation_id, audit_id = audit.organisation_id, audit.pk
    transaction.on_commit(
        lambda: task_render_audit_report.delay(
            organisation_id=organisation_id, audit_id=audit_id, language=language
        )
    )


def audit_report_render(*, audit: Audit, language: str) -> AuditReportPDF:
    """Render and store the audit report PDF (called by the task, never in a request)."""
    from audits.report import audit_report_pdf

    pdf, pages = audit_report_pdf(audit=audit, language=language)
    report = AuditReportPDF(
        organisation=audit.organisation, audit=audit, language=language, pdf=pdf, pages=pages
    )
    report.save()
    return report


# --- reminders --------------------------------------------------------------------------------


def action_reminders_send(*, organisation, today: date | None = None) -> int:
    """Mail the owners of every unfinished action that is due within REMINDER_WORKING_DAYS
    working days or overdue, at most once a day per action. Returns the number of mails."""
    today = today or timezone.localdate()
    horizon = add_working_days(today, REMINDER_WORKING_DAYS)
    actions = (
        CorrectiveAction.objects.filter(organisation=organisation, due_date__lte=horizon)
        .exclude(status__in=CorrectiveAction.FINISHED)
        .exclude(reminded_on=today)
        .exclude(finding__status=Finding.Status.CLOSED)
        .select_related("finding", "finding__audit", "supplier_owner", "client_owner")
    )
    sent = 0
    with translation.override(organisation.default_language):
        for action in actions:
            with transaction.atomic():
                recipients = sorted(
                    {
                        u.email
                        for u in (action.supplier_owner, action.client_owner)
                        if u is not None and u.email
                    }
                )
                if recipients:
                    overdue = action.due_date < today
                    subject = (
                        _("Overdue corrective action: %(finding)s")
                        if overdue
                        else _("Corrective action due %(due)s: %(finding)s")
                    ) % {"finding": action.finding.title, "due": action.due_date.isoformat()}
                    text = _(
                        "Corrective action for the finding “%(finding)s” (audit %(audit)s):\n\n"
                        "%(description)s\n\nDue: %(due)s. Status: %(status)s.\n"
                    ) % {
                        "finding": action.finding.title,
                        "audit": action.finding.audit.title,
                        "description": action.description,
                        "due": action.due_date.isoformat(),
                        "status": action.get_status_display(),
                    }
                    outbox_enqueue(
                        to=recipients, subject=subject, text=text, organisation=organisation
                    )
                    sent += 1
                action.reminded_on = today
                action.save(update_fields=["reminded_on"])
    return sent
