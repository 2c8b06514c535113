"""Audit pages: planning and editing an audit, its page, status, checklist and report PDF."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits import selectors, services
from audits.clauses import clause_label
from audits.forms import (
    AuditEditForm,
    AuditForm,
    ChecklistItemForm,
    ChecklistQuestionForm,
    FindingForm,
    ReportUploadForm,
)
from audits.models import Audit
from audits.permissions import may_close_audit, may_edit_audit, may_plan, may_upload_report
from audits.views.helpers import _attempt, _audit, _form_page, _int, _submit, _url
from contracts.selectors import contract_list, service_list
from governance.platform.access import get_object_for
from governance.platform.concurrency import atomic_post


def _people_for_access(access) -> dict:
    """Everyone who may take part in an audit of any contract the user sees."""
    people = {"client": {}, "supplier": {}}
    for contract in contract_list(access=access):
        for side, users in selectors.people_for_contract(contract=contract).items():
            for user in users:
                people[side][user.pk] = user
    return {side: list(users.values()) for side, users in people.items()}


def _audit_form(request, form_class, data=None, **kwargs):
    access = request.access
    return form_class(
        data,
        access=access,
        contracts=contract_list(access=access),
        services=service_list(access=access).order_by("contract__reference", "name"),
        people=_people_for_access(access),
        audits=selectors.audit_list(access=access),
        **kwargs,
    )


def audit_create(request, org_slug):
    access = request.access
    contracts = contract_list(access=access)
    if not any(may_plan(access, c) for c in contracts):
        raise PermissionDenied
    initial = {}
    if follow_up := _int(request.GET.get("follow_up")):
        original = _audit(request, follow_up)
        initial = {
            "contract": original.contract_id,
            "follow_up_of": original.pk,
            "title": _("Re-audit: %(title)s") % {"title": original.title},
            "audit_type": original.audit_type,
            "level": original.level,
            "clauses": original.clauses,
            "processes": original.processes,
        }
    form = _audit_form(request, AuditForm, request.POST or None, initial=initial)
    if request.method == "POST":
        audit = _submit(
            request,
            form,
            lambda data: services.audit_create(
                access=access,
                contract=data["contract"],
                title=data["title"],
                audit_type=data["audit_type"],
                level=data["level"],
                planned_date=data["planned_date"],
                processes=data["processes"],
                clauses=data["clauses"],
                services=data["services"],
                lead_auditor=data["lead_auditor"],
                observers=data["observers"],
                follow_up_of=data["follow_up_of"],
            ),
            _("The audit is planned."),
        )
        if audit is not None:
            return redirect("audits:audit_detail", org_slug, audit.pk)
    return _form_page(request, form, _("New audit"))


def audit_detail(request, org_slug, pk):
    access = request.access
    audit = _audit(request, pk)
    may_edit = may_edit_audit(access, audit)
    items = list(selectors.checklist_for_audit(audit=audit))
    findings = list(selectors.findings_for_audit(audit=audit))
    return render(
        request,
        "audits/audit_detail.html",
        {
            "audit": audit,
            "contract": audit.contract,
            "clauses": [clause_label(code) for code in audit.clauses],
            "items": [(item, ChecklistItemForm(initial=_item_initial(item))) for item in items],
            "assessed": sum(1 for item in items if item.result),
            "ranked": selectors.rank_findings(findings),
            "may_edit": may_edit,
            "may_record": may_edit and audit.status == Audit.Status.IN_PROGRESS,
            "may_change_checklist": may_edit
            and audit.status in (Audit.Status.PLANNED, Audit.Status.IN_PROGRESS),
            "may_add_findings": may_edit
            and audit.status in (Audit.Status.IN_PROGRESS, Audit.Status.REPORTED),
            "may_close": may_close_audit(access) and audit.status == Audit.Status.REPORTED,
            "may_upload": may_upload_report(access, audit) and audit.status != Audit.Status.CLOSED,
            "may_share": may_upload_report(access, audit)
            and audit.status != Audit.Status.CLOSED
            and audit.audit_type == Audit.Type.SHARED_REPORT,
            "next_status": [
                (value, Audit.Status(value).label) for value in Audit.TRANSITIONS[audit.status]
            ],
            "question_form": ChecklistQuestionForm(),
            "finding_form": FindingForm(audit=audit),
            "upload_form": ReportUploadForm(),
            "supplier_reports": selectors.supplier_reports_for_audit(audit=audit),
            "pdf": selectors.latest_pdf(audit=audit),
            "follow_ups": audit.follow_ups.order_by("planned_date"),
        },
    )


def _item_initial(item):
    return {
        "result": item.result,
        "evidence": item.evidence,
        "interviewee_role": item.interviewee_role,
    }


@atomic_post
def audit_edit(request, org_slug, pk):
    access = request.access
    audit = _audit(request, pk)
    access.require(may_edit_audit(access, audit))
    initial = {
        "title": audit.display_title,
        "audit_type": audit.audit_type,
        "level": audit.level,
        "planned_date": audit.planned_date,
        "actual_date": audit.actual_date,
        "services": list(audit.services.all()),
        "processes": audit.processes,
        "clauses": audit.clauses,
        "lead_auditor": audit.lead_auditor,
        "observers": list(audit.observers.all()),
        "summary": audit.summary,
    }
    form = _audit_form(request, AuditEditForm, request.POST or None, initial=initial, record=audit)

    def save(data):
        changed = {name: data[name] for name in form.changed_data if name in data}
        services_value = changed.pop("services", None)
        observers_value = changed.pop("observers", None)
        return services.audit_update(
            access=access,
            audit=audit,
            services=services_value,
            observers=observers_value,
            **changed,
        )

    if request.method == "POST":
        saved = _submit(request, form, save, _("The audit is saved."))
        if saved is not None:
            return redirect("audits:audit_detail", org_slug, audit.pk)
    return _form_page(request, form, audit.display_title, audit=audit)


@require_POST
def audit_transition(request, org_slug, pk):
    audit = _audit(request, pk)
    request.access.require(may_edit_audit(request.access, audit) or may_close_audit(request.access))
    status = request.POST.get("status", "")
    _attempt(
        request,
        lambda: services.audit_transition(access=request.access, audit=audit, status=status),
        lambda _result: _("The audit is now %(status)s.") % {"status": Audit.Status(status).label},
    )
    return redirect("audits:audit_detail", org_slug, pk)


@require_POST
def checklist_generate(request, org_slug, pk):
    audit = _audit(request, pk)
    request.access.require(may_edit_audit(request.access, audit))
    _attempt(
        request,
        lambda: services.checklist_generate(access=request.access, audit=audit),
        lambda added: _("%(count)d checklist item(s) added.") % {"count": added},
    )
    return redirect("audits:audit_detail", org_slug, pk)


@require_POST
def checklist_add(request, org_slug, pk):
    audit = _audit(request, pk)
    request.access.require(may_edit_audit(request.access, audit))
    _submit(
        request,
        ChecklistQuestionForm(request.POST),
        lambda data: services.checklist_item_add(access=request.access, audit=audit, **data),
        _("The question is added."),
    )
    return redirect("audits:audit_detail", org_slug, pk)


@require_POST
def checklist_item_record(request, org_slug, pk):
    item = get_object_for(
        request.access, selectors.checklist_item_list(access=request.access), pk=pk
    )
    request.access.require(may_edit_audit(request.access, item.audit))
    _submit(
        request,
        ChecklistItemForm(request.POST),
        lambda data: services.checklist_item_record(access=request.access, item=item, **data),
        _("The result is recorded."),
    )
    return redirect(f"{_url('audits:audit_detail', org_slug, item.audit_id)}#item-{item.pk}")


@require_POST
def pdf_request(request, org_slug, pk):
    audit = _audit(request, pk)
    services.audit_report_request(access=request.access, audit=audit, language=get_language())
    messages.info(request, _("The report is being prepared; reload this page in a moment."))
    return redirect("audits:audit_detail", org_slug, pk)


def pdf_download(request, org_slug, pk):
    audit = _audit(request, pk)
    latest = selectors.latest_pdf(audit=audit)
    if latest is None:
        raise Http404
    report = selectors.pdf_list(access=request.access).get(pk=latest.pk)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    stem = f"audit-{audit.contract.reference}-{audit.pk}-{date.today():%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
    return response
