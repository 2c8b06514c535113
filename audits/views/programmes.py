"""Programme pages: the calendar of the year with its audits, and planning programmes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits import selectors, services
from audits.forms import ProgrammeForm
from audits.models import Audit, AuditProgramme
from audits.permissions import may_plan, may_plan_programme, may_propose_programme
from audits.views.helpers import (
    PAGE_SIZE,
    _attempt,
    _form_page,
    _int,
    _query,
    _submit,
    _url,
)
from contracts.selectors import contract_list
from governance.platform.access import get_object_for


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
            "programmes": _with_following(access, year, contract_id),
            "page_obj": page,
            "audits": page.object_list,
            "contracts": contracts,
            "statuses": Audit.Status.choices,
            "types": Audit.Type.choices,
            "query": _query(request),
            "may_plan": any(may_plan(access, c) for c in contracts),
            "may_plan_programme": may_plan_programme(access),
            "may_propose": {c.pk for c in contracts if may_propose_programme(access, c)},
        },
    )


def _with_following(access, year: int, contract_id: int | None) -> list:
    """The year's programmes, each with `following`: next year's programme of its contract
    (planned, or proposed by the supplier), or None."""
    following = {p.contract_id: p for p in selectors.programme_list(access=access, year=year + 1)}
    programmes = list(selectors.programme_list(access=access, year=year, contract_id=contract_id))
    for programme in programmes:
        programme.following = following.get(programme.contract_id)
    return programmes


def _planned(programme) -> str:
    return _("Programme %(programme)s is planned with %(count)d audit(s).") % {
        "programme": programme,
        "count": programme.audits.count(),
    }


def _calendar(org_slug, year, contract_id):
    """The programme page of the year, filtered to the contract."""
    return redirect(f"{_url('audits:audit_list', org_slug)}?year={year}&contract={contract_id}")


def programme_create(request, org_slug):
    access = request.access
    contracts = contract_list(access=access)
    if not may_plan_programme(access):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, access=access, contracts=contracts)
    if request.method == "POST":
        programme = _submit(
            request,
            form,
            lambda data: services.programme_create(
                access=access,
                contract=data["contract"],
                year=data["year"],
                recurrence=data["recurrence"],
                level=data["level"],
                clauses=data["clauses"],
                notes=data["notes"],
                audit_type=data["audit_type"],
            ),
            _planned,
        )
        if programme is not None:
            return _calendar(org_slug, programme.year, programme.contract_id)
    return _form_page(request, form, _("New audit programme"))


def programme_next_year(request, org_slug, pk):
    """Plan next year's programme from this one (the yearly recurrence of the plan): the
    client sees what will be planned and confirms. A supplier's proposal for that year is
    accepted by the same step."""
    access = request.access
    programme = get_object_for(access, selectors.programme_list(access=access), pk=pk)
    access.require(may_plan_programme(access))
    proposal = selectors.programme_list(
        access=access, year=programme.year + 1, contract_id=programme.contract_id
    ).first()
    if proposal is not None and proposal.status != AuditProgramme.Status.PROPOSED:
        messages.info(request, _("Next year's programme is planned already."))
        return _calendar(org_slug, proposal.year, programme.contract_id)
    if request.method == "POST":
        planned = _attempt(
            request,
            lambda: services.programme_next_year(access=access, programme=programme),
            _planned,
        )
        year = planned.year if planned is not None else programme.year
        return _calendar(org_slug, year, programme.contract_id)
    shown = proposal or programme
    return render(
        request,
        "audits/programme_confirm.html",
        {
            "programme": shown,
            "year": programme.year + 1,
            "proposal": proposal,
            "dates": services.planned_dates(programme=shown, year=programme.year + 1),
            "action": _url("audits:programme_next_year", org_slug, programme.pk),
        },
    )


def programme_accept(request, org_slug, pk):
    """The client reviews the supplier's proposed programme and plans it (with its audits)."""
    access = request.access
    proposal = get_object_for(access, selectors.programme_list(access=access), pk=pk)
    access.require(may_plan_programme(access))
    if proposal.status != AuditProgramme.Status.PROPOSED:
        return _calendar(org_slug, proposal.year, proposal.contract_id)
    if request.method == "POST":
        _attempt(
            request, lambda: services.programme_accept(access=access, programme=proposal), _planned
        )
        return _calendar(org_slug, proposal.year, proposal.contract_id)
    return render(
        request,
        "audits/programme_confirm.html",
        {
            "programme": proposal,
            "year": proposal.year,
            "proposal": proposal,
            "dates": services.planned_dates(programme=proposal),
            "action": _url("audits:programme_accept", org_slug, proposal.pk),
        },
    )


@require_POST
def programme_propose(request, org_slug, pk):
    """The supplier proposes next year's programme like this one; the client decides."""
    access = request.access
    programme = get_object_for(access, selectors.programme_list(access=access), pk=pk)
    access.require(may_propose_programme(access, programme.contract))
    proposal = _attempt(
        request,
        lambda: services.programme_propose_next_year(access=access, programme=programme),
        lambda p: (
            _("Programme %(programme)s is proposed to the client, who decides on it.")
            % {"programme": p}
        ),
    )
    year = proposal.year if proposal is not None else programme.year
    return _calendar(org_slug, year, programme.contract_id)
