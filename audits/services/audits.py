"""Writes of an audit: its plan and scope, its lifecycle, its checklist and its report PDF."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audits import checklists
from audits.models import (
    Audit,
    AuditProgramme,
    AuditReportPDF,
    ChecklistItem,
    Finding,
    Level,
    Result,
)
from audits.permissions import may_close_audit, may_edit_audit, may_record_audit
from audits.selectors import people_for_contract
from governance.platform.access import Access
from governance.platform.texts import Said


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
    title_said: Said | None = None,
) -> Audit:
    """Record a planned audit of the contract. A title Regie generates comes as `title_said`
    and is then written in each reader's language (`title` is its text now, the fallback)."""
    if not may_record_audit(access, contract, audit_type):
        raise PermissionDenied
    services, observers = list(services), list(observers)
    _check_services(contract=contract, services=services)
    _check_people(contract=contract, lead_auditor=lead_auditor, observers=observers)
    audit = Audit(
        organisation=contract.organisation,
        contract=contract,
        programme=programme,
        title=str(title_said) if title_said else title,
        title_key=title_said.key if title_said else "",
        title_params=title_said.params if title_said else {},
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
    if "title" in fields:
        audit.title_key, audit.title_params = "", {}  # renamed: the title is now as typed
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
        with translation.override(language):  # the stored text: the fallback
            question = str(draft.question)
            guidance = "\n".join(str(part) for part in draft.guidance)
        item = ChecklistItem(
            organisation=audit.organisation,
            audit=audit,
            position=position,
            source=draft.source,
            source_key=draft.source_key,
            level=draft.level,
            clause=draft.clause,
            question=question,
            guidance=guidance,
            text_key=draft.question.key,
            text_params=draft.question.params,
            guidance_parts=[
                part.stored() if isinstance(part, Said) else {"t": part} for part in draft.guidance
            ],
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
