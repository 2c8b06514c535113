"""Programme pages: the calendar of the year with its audits, and planning programmes."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits import selectors, services
from audits.forms import ProgrammeForm
from audits.models import Audit
from audits.permissions import may_plan
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
    if not any(may_plan(access, c) for c in contracts):
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


@require_POST
def programme_next_year(request, org_slug, pk):
    """Plan next year's programme from this one (the yearly recurrence of the plan)."""
    access = request.access
    programme = get_object_for(access, selectors.programme_list(access=access), pk=pk)
    access.require(may_plan(access, programme.contract))
    planned = _attempt(
        request,
        lambda: services.programme_next_year(access=access, programme=programme),
        _planned,
    )
    year = planned.year if planned is not None else programme.year
    return _calendar(org_slug, year, programme.contract_id)
