"""The roof: home pages that gather what every app has to show."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django_scopes import scope

from audits.selectors import open_major_findings
from contracts.selectors import (
    contract_list,
    contract_list_for_supplier,
    sla_overview,
    supplier_list,
)
from governance.platform.access import organisations_for, supplier_may, supplier_of
from governance.roof import work
from governance.roof.health import contract_health_many, home_complaints, organisation_figures
from governance.roof.health_charts import row_sparklines
from kto.gaps.selectors import confirmed_flags
from kto.selectors import survey_summary

# Contracts with a row of their own on the home page; the rest behind "All contracts".
HOME_CONTRACTS = 20


def today():
    """The local date the work pages count from (one place, so tests can fix it)."""
    return timezone.localdate()


def organisation_home(request, org_slug):
    """What exists so far for this organisation, as far as the user may see it."""
    access = request.access
    contracts = contract_list(access=access)
    listed = list(contracts[:HOME_CONTRACTS])
    day = timezone.localdate()
    health = contract_health_many(access=access, contracts=listed, today=day, rows_only=True)
    complaints = home_complaints(access=access, health=health, today=day)
    rows = [(health[c.pk], row_sparklines(health[c.pk])) for c in listed]
    return render(
        request,
        "governance/organisation_home.html",
        {
            "contracts": listed,
            "health_rows": rows,
            "figures": organisation_figures(access=access, today=day, complaints=complaints),
            "contract_count": contracts.count(),
            "suppliers": supplier_list(access=access),
            "kto": survey_summary(access=access),
            "sla": sla_overview(access=access),
            # The list shows title, audit and contract: no services, actions or checks.
            "open_majors": list(open_major_findings(access=access).prefetch_related(None)[:10]),
            "confirmed_flags": confirmed_flags(access=access),
        },
    )


@login_required
def supplier_home(request):
    """A supplier's user: its contracts across every organisation that engaged its supplier."""
    supplier = supplier_of(request.user)
    if supplier is None:
        raise Http404
    organisations = organisations_for(request.user)
    day = today()
    with scope(organisation=[o.pk for o in organisations], supplier=supplier.pk):
        contracts = list(contract_list_for_supplier(supplier=supplier))
        queue = work.supplier_queue(supplier=supplier, contracts=contracts, today=day)
        rates = work.supplier_rates(contracts=contracts, today=day)
    return render(
        request,
        "governance/supplier_home.html",
        {
            "supplier": supplier,
            "contracts": contracts,
            "organisations": organisations,
            "supplier_admin": supplier_may(request.user, "supplier_members.manage"),
            "queue": queue,
            "overdue_count": sum(1 for item in queue if item.overdue),
            "rates": rates,
            "trend_chart": work.trend_chart(rates["trend"]),
        },
    )


def my_work(request, org_slug):
    """A client user's own work in the organisation: actions, milestones, complaints, reviews."""
    access = request.access
    if not access.may("client.read"):
        raise Http404
    items = work.my_work(access=access, user=request.user, today=today())
    return render(
        request,
        "governance/my_work.html",
        {"items": items, "overdue_count": sum(1 for item in items if item.overdue)},
    )
