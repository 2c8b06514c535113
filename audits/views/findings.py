"""Finding pages: recording a finding, its page and responses, closing it, the ranked board."""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits import selectors, services
from audits.clauses import clause_label
from audits.forms import (
    ActionForm,
    ActionStatusForm,
    CheckForm,
    FindingForm,
    PriorityForm,
    RespondForm,
)
from audits.models import Audit, CorrectiveAction, Finding, Result
from audits.permissions import (
    may_edit_audit,
    may_respond,
    may_see_client_notes,
    may_set_priority,
)
from audits.views.helpers import (
    PAGE_SIZE,
    _attempt,
    _audit,
    _finding,
    _form_page,
    _int,
    _query,
    _submit,
)
from contracts.selectors import contract_list
from governance.platform.concurrency import atomic_post
from governance.platform.exports import download


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
    if request.method == "POST":
        finding = _submit(
            request,
            form,
            lambda data: services.finding_create(access=access, audit=audit, **data),
            _("The finding is recorded."),
        )
        if finding is not None:
            return redirect("audits:finding_detail", org_slug, finding.pk)
    return _form_page(request, form, _("New finding"), audit=audit)


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
                (a, ActionStatusForm(record=a, initial={"status": a.status}))
                for a in finding.actions.all()
            ],
            "checks": finding.checks.all(),
            "awaits_check": selectors.finding_awaits_check(finding=finding),
            "may_respond": may_respond(access, finding) and finding.status == Finding.Status.OPEN,
            "may_set_priority": may_set_priority(access) and finding.status == Finding.Status.OPEN,
            "may_see_notes": may_see_client_notes(access),
            "respond_form": RespondForm(
                finding=finding,
                record=finding,
                initial={"root_cause": finding.root_cause, "services": finding.services.all()},
            ),
            "priority_form": PriorityForm(
                record=finding,
                initial={"priority": finding.client_priority, "note": finding.client_note},
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
@atomic_post
def finding_respond(request, org_slug, pk):
    finding = _finding(request, pk)
    request.access.require(may_respond(request.access, finding))
    _submit(
        request,
        RespondForm(request.POST, finding=finding, record=finding),
        lambda data: services.finding_respond(access=request.access, finding=finding, **data),
        _("The root cause is saved."),
    )
    return redirect("audits:finding_detail", org_slug, pk)


@require_POST
@atomic_post
def finding_priority(request, org_slug, pk):
    finding = _finding(request, pk)
    request.access.require(may_set_priority(request.access))
    _submit(
        request,
        PriorityForm(request.POST, record=finding),
        lambda data: services.finding_set_priority(
            access=request.access, finding=finding, priority=data["priority"], note=data["note"]
        ),
        _("The priority is set."),
    )
    return redirect("audits:finding_detail", org_slug, pk)


@require_POST
def finding_close(request, org_slug, pk):
    finding = _finding(request, pk)
    request.access.require(may_respond(request.access, finding))
    _attempt(
        request,
        lambda: services.finding_close(access=request.access, finding=finding),
        _("The finding is closed."),
    )
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
    # Ranked on lean rows; only the findings of the page are loaded as models.
    ranked = selectors.bottleneck_ranking(access=access, **_board_filters(request))
    page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    # Only what the client has prioritised is ranked; the rest (which the ranking puts last)
    # is listed apart, "to prioritise".
    to_prioritise = [r for r in page.object_list if r.priority is None]
    return render(
        request,
        "audits/finding_board.html",
        {
            "page_obj": page,
            "ranked": page.object_list,
            "prioritised": [r for r in page.object_list if r.priority is not None],
            "to_prioritise": to_prioritise,
            "to_prioritise_total": ranked.unprioritised,
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
    ranked = selectors.bottleneck_ranking(access=request.access, **_board_filters(request))
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
    # Every open finding, as values: the ranking's rows with a few columns of each finding
    # and its count of open actions, no model instances.
    open_actions = Count("actions", filter=~Q(actions__status__in=CorrectiveAction.FINISHED))
    rows = [
        [
            rank,
            finding["audit__contract__reference"],
            Audit.display_title_of(
                finding["audit__title_key"], finding["audit__title_params"], finding["audit__title"]
            ),
            finding["title"],
            str(Result(r.entry.grade).label),
            finding["clause"],
            ", ".join(ranked.service_names(r)),
            r.priority if r.priority is not None else "",
            r.impact_percent if r.impact is not None else "",
            r.score_percent if r.score is not None else "",
            finding["open_actions"],
        ]
        for rank, (r, finding) in enumerate(
            ranked.values(
                "title",
                "clause",
                "audit__contract__reference",
                "audit__title_key",
                "audit__title_params",
                "audit__title",
                open_actions=open_actions,
            ),
            start=1,
        )
    ]
    return download(request.GET.get("format"), "audit-findings", header, rows)
