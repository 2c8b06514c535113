"""Audit pages: programme calendar, audits with checklist and findings, the ranked findings
board, the actions board, uploads and the report PDF."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits import imports, selectors, services
from audits.clauses import clause_label
from audits.forms import (
    MAX_ROWS_IN_FORM,
    ActionForm,
    ActionStatusForm,
    AuditEditForm,
    AuditForm,
    CheckForm,
    ChecklistItemForm,
    ChecklistQuestionForm,
    FindingForm,
    PriorityForm,
    ProgrammeForm,
    ReportUploadForm,
    RespondForm,
    SharedReportForm,
    finding_row_formset,
)
from audits.models import Audit, CorrectiveAction, Finding, Result
from audits.permissions import (
    may_close_audit,
    may_edit_audit,
    may_plan,
    may_respond,
    may_see_client_notes,
    may_set_priority,
    may_upload_report,
)
from contracts.selectors import contract_list, service_list
from governance.access import get_object_for
from governance.exports import download

PAGE_SIZE = 25


# --- helpers ----------------------------------------------------------------------------------


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _report_errors(request, error: ValidationError, form=None) -> None:
    """Every problem as a message that names the field and the reason."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            label = ""
            if form is not None and field in form.fields:
                label = str(form.fields[field].label)
            elif field != "__all__":
                label = field.replace("_", " ").capitalize()
            for problem in problems:
                messages.error(request, f"{label}: {problem}" if label else problem)
    else:
        for problem in error.messages:
            messages.error(request, problem)


def _form_errors(request, form) -> None:
    for field, problems in form.errors.items():
        label = str(form.fields[field].label) if field in form.fields else ""
        for problem in problems:
            messages.error(request, f"{label}: {problem}" if label else problem)


def _audit(request, pk) -> Audit:
    return get_object_for(request.access, selectors.audit_list(access=request.access), pk=pk)


def _finding(request, pk) -> Finding:
    return get_object_for(request.access, selectors.finding_list(access=request.access), pk=pk)


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


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- programme and audits ---------------------------------------------------------------------


def audit_list(request, org_slug):
    """The programme: a calendar of the year, the programmes and the (filtered) audits."""
    access = request.access
    year = _int(request.GET.get("year")) or timezone.localdate().year
    contract_id = _int(request.GET.get("contract"))
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    audit_type = request.GET.get("type", "")
    audits = selectors.audit_list(
        access=access,
        search=search,
        status=status if status in Audit.Status.values else "",
        audit_type=audit_type if audit_type in Audit.Type.values else "",
        contract_id=contract_id,
        year=year,
    )
    page = Paginator(audits, PAGE_SIZE).get_page(request.GET.get("page"))
    contracts = list(contract_list(access=access))
    return render(
        request,
        "audits/audit_list.html",
        {
            "year": year,
            "years": [year - 1, year, year + 1],
            "calendar": selectors.audit_calendar(audits=list(audits), year=year),
            "programmes": selectors.programme_list(
                access=access, year=year, contract_id=contract_id
            ),
            # Contracts whose programme for next year exists already.
            "planned_next": set(
                selectors.programme_list(access=access, year=year + 1).values_list(
                    "contract_id", flat=True
                )
            ),
            "page_obj": page,
            "audits": page.object_list,
            "contracts": contracts,
            "statuses": Audit.Status.choices,
            "types": Audit.Type.choices,
            "query": _query(request),
            "may_plan": any(may_plan(access, c) for c in contracts),
        },
    )


def programme_create(request, org_slug):
    access = request.access
    contracts = contract_list(access=access)
    if not any(may_plan(access, c) for c in contracts):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, access=access, contracts=contracts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = services.programme_create(
                access=access,
                contract=data["contract"],
                year=data["year"],
                recurrence=data["recurrence"],
                level=data["level"],
                clauses=data["clauses"],
                notes=data["notes"],
                audit_type=data["audit_type"],
            )
        except ValidationError as error:
            _report_errors(request, error, form)
        else:
            messages.success(
                request,
                _("Programme %(programme)s is planned with %(count)d audit(s).")
                % {"programme": programme, "count": programme.audits.count()},
            )
            return redirect(
                f"{_url('audits:audit_list', org_slug)}?year={programme.year}"
                f"&contract={programme.contract_id}"
            )
    elif request.method == "POST":
        _form_errors(request, form)
    return render(
        request,
        "audits/form.html",
        {"form": form, "title": _("New audit programme")},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def programme_next_year(request, org_slug, pk):
    """Plan next year's programme from this one (the yearly recurrence of the plan)."""
    access = request.access
    programme = get_object_for(access, selectors.programme_list(access=access), pk=pk)
    access.require(may_plan(access, programme.contract))
    try:
        planned = services.programme_next_year(access=access, programme=programme)
    except ValidationError as error:
        _report_errors(request, error)
        year = programme.year
    else:
        messages.success(
            request,
            _("Programme %(programme)s is planned with %(count)d audit(s).")
            % {"programme": planned, "count": planned.audits.count()},
        )
        year = planned.year
    return redirect(
        f"{_url('audits:audit_list', org_slug)}?year={year}&contract={programme.contract_id}"
    )


def _url(name, org_slug, *args):
    from django.urls import reverse

    return reverse(name, args=[org_slug, *args])


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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audit = services.audit_create(
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
            )
        except ValidationError as error:
            _report_errors(request, error, form)
        else:
            messages.success(request, _("The audit is planned."))
            return redirect("audits:audit_detail", org_slug, audit.pk)
    elif request.method == "POST":
        _form_errors(request, form)
    return render(
        request,
        "audits/form.html",
        {"form": form, "title": _("New audit")},
        status=400 if request.method == "POST" else 200,
    )


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


def audit_edit(request, org_slug, pk):
    access = request.access
    audit = _audit(request, pk)
    access.require(may_edit_audit(access, audit))
    initial = {
        "title": audit.title,
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
    form = _audit_form(request, AuditEditForm, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        changed = {name: data[name] for name in form.changed_data if name in data}
        services_value = changed.pop("services", None)
        observers_value = changed.pop("observers", None)
        try:
            services.audit_update(
                access=access,
                audit=audit,
                services=services_value,
                observers=observers_value,
                **changed,
            )
        except ValidationError as error:
            _report_errors(request, error, form)
        else:
            messages.success(request, _("The audit is saved."))
            return redirect("audits:audit_detail", org_slug, audit.pk)
    elif request.method == "POST":
        _form_errors(request, form)
    return render(
        request,
        "audits/form.html",
        {"form": form, "title": audit.title, "audit": audit},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def audit_transition(request, org_slug, pk):
    audit = _audit(request, pk)
    request.access.require(may_edit_audit(request.access, audit) or may_close_audit(request.access))
    status = request.POST.get("status", "")
    try:
        services.audit_transition(access=request.access, audit=audit, status=status)
    except ValidationError as error:
        _report_errors(request, error)
    else:
        messages.success(
            request, _("The audit is now %(status)s.") % {"status": Audit.Status(status).label}
        )
    return redirect("audits:audit_detail", org_slug, pk)


@require_POST
def checklist_generate(request, org_slug, pk):
    audit = _audit(request, pk)
    request.access.require(may_edit_audit(request.access, audit))
    try:
        added = services.checklist_generate(access=request.access, audit=audit)
    except ValidationError as error:
        _report_errors(request, error)
    else:
        messages.success(request, _("%(count)d checklist item(s) added.") % {"count": added})
    return redirect("audits:audit_detail", org_slug, pk)


@require_POST
def checklist_add(request, org_slug, pk):
    audit = _audit(request, pk)
    request.access.require(may_edit_audit(request.access, audit))
    form = ChecklistQuestionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.checklist_item_add(access=request.access, audit=audit, **form.cleaned_data)
        except ValidationError as error:
            _report_errors(request, error, form)
        else:
            messages.success(request, _("The question is added."))
    return redirect("audits:audit_detail", org_slug, pk)


@require_POST
def checklist_item_record(request, org_slug, pk):
    item = get_object_for(
        request.access, selectors.checklist_item_list(access=request.access), pk=pk
    )
    request.access.require(may_edit_audit(request.access, item.audit))
    form = ChecklistItemForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.checklist_item_record(access=request.access, item=item, **form.cleaned_data)
        except ValidationError as error:
            _report_errors(request, error, form)
        else:
            messages.success(request, _("The result is recorded."))
    return redirect(f"{_url('audits:audit_detail', org_slug, item.audit_id)}#item-{item.pk}")


def finding_create(request, org_slug, pk):
    access = request.access
    audit = _audit(request, pk)
    access.require(may_edit_audit(access, audit))
    initial = {}
    if item_id := _int(request.GET.get("item")):
        item = audit.checklist.filter(pk=item_id).first()
        if item is not None:
            initial = {
                "checklist_item": item.pk,
                "clause": item.clause,
                "grade": item.result if item.result not in ("", Result.CONFORM) else "",
                "description": item.evidence,
            }
    form = FindingForm(request.POST or None, audit=audit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            finding = services.finding_create(access=access, audit=audit, **form.cleaned_data)
        except ValidationError as error:
            _report_errors(request, error, form)
        else:
            messages.success(request, _("The finding is recorded."))
            return redirect("audits:finding_detail", org_slug, finding.pk)
    elif request.method == "POST":
        _form_errors(request, form)
    return render(
        request,
        "audits/form.html",
        {"form": form, "title": _("New finding"), "audit": audit},
        status=400 if request.method == "POST" else 200,
    )


# --- findings ---------------------------------------------------------------------------------


def finding_detail(request, org_slug, pk):
    access = request.access
    finding = _finding(request, pk)
    people = selectors.people_for_contract(contract=finding.audit.contract)
    ranked = selectors.rank_findings([finding])[0]
    return render(
        request,
        "audits/finding_detail.html",
        {
            "finding": finding,
            "audit": finding.audit,
            "ranked": ranked,
            "actions": [
                (a, ActionStatusForm(initial={"status": a.status})) for a in finding.actions.all()
            ],
            "checks": finding.checks.all(),
            "awaits_check": selectors.finding_awaits_check(finding=finding),
            "may_respond": may_respond(access, finding) and finding.status == Finding.Status.OPEN,
            "may_set_priority": may_set_priority(access) and finding.status == Finding.Status.OPEN,
            "may_see_notes": may_see_client_notes(access),
            "respond_form": RespondForm(
                finding=finding,
                initial={"root_cause": finding.root_cause, "services": finding.services.all()},
            ),
            "priority_form": PriorityForm(
                initial={"priority": finding.client_priority, "note": finding.client_note}
            ),
            "action_form": ActionForm(people=people),
            "check_form": CheckForm(
                audits=selectors.audit_list(access=access, contract_id=finding.audit.contract_id)
            ),
            "today": timezone.localdate(),
            "clause": clause_label(finding.clause) if finding.clause else "",
        },
    )


@require_POST
def finding_respond(request, org_slug, pk):
    finding = _finding(request, pk)
    request.access.require(may_respond(request.access, finding))
    form = RespondForm(request.POST, finding=finding)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.finding_respond(access=request.access, finding=finding, **form.cleaned_data)
        except ValidationError as error:
            _report_errors(request, error, form)
        else:
            messages.success(request, _("The root cause is saved."))
    return redirect("audits:finding_detail", org_slug, pk)


@require_POST
def finding_priority(request, org_slug, pk):
    finding = _finding(request, pk)
    request.access.require(may_set_priority(request.access))
    form = PriorityForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.finding_set_priority(
                access=request.access,
                finding=finding,
                priority=form.cleaned_data["priority"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _report_errors(request, error, form)
        else:
            messages.success(request, _("The priority is set."))
    return redirect("audits:finding_detail", org_slug, pk)


@require_POST
def action_create(request, org_slug, pk):
    finding = _finding(request, pk)
    request.access.require(may_respond(request.access, finding))
    people = selectors.people_for_contract(contract=finding.audit.contract)
    form = ActionForm(request.POST, people=people)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.action_create(access=request.access, finding=finding, **form.cleaned_data)
        except ValidationError as error:
            _report_errors(request, error, form)
        else:
            messages.success(request, _("The corrective action is added."))
    return redirect("audits:finding_detail", org_slug, pk)


@require_POST
def action_update(request, org_slug, pk):
    action = get_object_for(request.access, selectors.action_list(access=request.access), pk=pk)
    request.access.require(services.may_update_action(request.access, action))
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.action_update(
                access=request.access, action=action, status=form.cleaned_data["status"]
            )
        except ValidationError as error:
            _report_errors(request, error, form)
        else:
            messages.success(request, _("The action is updated."))
    target = request.POST.get("next", "")
    if target == "board":
        return redirect("audits:action_board", org_slug)
    return redirect("audits:finding_detail", org_slug, action.finding_id)


@require_POST
def check_create(request, org_slug, pk):
    finding = _finding(request, pk)
    request.access.require(may_respond(request.access, finding))
    form = CheckForm(
        request.POST,
        audits=selectors.audit_list(access=request.access, contract_id=finding.audit.contract_id),
    )
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            check = services.effectiveness_check_record(
                access=request.access, finding=finding, **form.cleaned_data
            )
        except ValidationError as error:
            _report_errors(request, error, form)
        else:
            if check.verdict == check.Verdict.EFFECTIVE:
                messages.success(request, _("The actions were effective; the finding is closed."))
            else:
                messages.info(
                    request, _("Not effective: the finding stays open for further actions.")
                )
    return redirect("audits:finding_detail", org_slug, pk)


@require_POST
def finding_close(request, org_slug, pk):
    finding = _finding(request, pk)
    request.access.require(may_respond(request.access, finding))
    try:
        services.finding_close(access=request.access, finding=finding)
    except ValidationError as error:
        _report_errors(request, error)
    else:
        messages.success(request, _("The finding is closed."))
    return redirect("audits:finding_detail", org_slug, pk)


def _board_filters(request):
    grade = request.GET.get("grade", "")
    return {
        "contract_id": _int(request.GET.get("contract")),
        "grade": grade if grade in Result.values else "",
        "search": request.GET.get("q", "").strip(),
    }


def finding_board(request, org_slug):
    """Open findings across audits, ranked by the client's priority and end-user impact."""
    access = request.access
    ranked = selectors.bottleneck_ranking(access=access, **_board_filters(request))
    page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audits/finding_board.html",
        {
            "page_obj": page,
            "ranked": page.object_list,
            "offset": page.start_index() - 1 if ranked else 0,
            "contracts": contract_list(access=access),
            "grades": [(r.value, r.label) for r in Result if r != Result.CONFORM],
            "query": _query(request),
            "priority_weight": round(100 * selectors.PRIORITY_WEIGHT),
            "impact_weight": round(100 * selectors.IMPACT_WEIGHT),
            "window": selectors.IMPACT_WINDOW_DAYS,
        },
    )


def finding_export(request, org_slug):
    """The ranked board as CSV or XLSX."""
    ranked = selectors.bottleneck_ranking(
        access=request.access, with_actions=True, **_board_filters(request)
    )
    header = [
        _("Rank"),
        _("Contract"),
        _("Audit"),
        _("Finding"),
        _("Grade"),
        _("ISO 9001 clause"),
        _("Affected services"),
        _("Client's priority"),
        _("End-user impact (%)"),
        _("Score (%)"),
        _("Open actions"),
    ]
    rows = [
        [
            rank,
            r.finding.audit.contract.reference,
            r.finding.audit.title,
            r.finding.title,
            r.finding.get_grade_display(),
            r.finding.clause,
            ", ".join(s.name for s in r.services),
            r.priority if r.priority is not None else "",
            r.impact_percent if r.impact is not None else "",
            r.score_percent if r.score is not None else "",
            sum(1 for a in r.finding.actions.all() if not a.is_finished),
        ]
        for rank, r in enumerate(ranked, start=1)
    ]
    return download(request.GET.get("format"), "audit-findings", header, rows)


def action_board(request, org_slug):
    """Corrective actions by status, overdue ones marked; filter by owner side."""
    access = request.access
    side = request.GET.get("side", "")
    side = side if side in CorrectiveAction.OwnerSide.values else ""
    today = timezone.localdate()
    actions = list(selectors.action_list(access=access, owner_side=side))
    columns = [
        {
            "status": value,
            "label": label,
            "actions": [a for a in actions if a.status == value],
        }
        for value, label in CorrectiveAction.Status.choices
    ]
    return render(
        request,
        "audits/action_board.html",
        {
            "columns": columns,
            "today": today,
            "overdue": sum(1 for a in actions if a.is_overdue(today)),
            "sides": CorrectiveAction.OwnerSide.choices,
            "side": side,
            "status_choices": CorrectiveAction.Status.choices,
        },
    )


# --- files ------------------------------------------------------------------------------------


@require_POST
def report_upload(request, org_slug, pk):
    audit = _audit(request, pk)
    request.access.require(may_upload_report(request.access, audit))
    form = ReportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        upload = form.cleaned_data["file"]
        try:
            services.supplier_report_upload(
                access=request.access, audit=audit, name=upload.name, content=upload.read()
            )
        except ValidationError as error:
            _report_errors(request, error, form)
        else:
            messages.success(request, _("The internal audit report is shared with the client."))
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
