"""The contract page reads a fixed number of queries, however many SLA reports and service
levels the contract has (issue 18: a large client has 60 months × 20 levels)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import add_months
from tests.contracts.conftest import GOOD_ROWS, last_month
from tests.contracts.test_forms import add_levels
from tests.contracts.test_views import stored_report, url

# With reports and services: the page's own, its History section's (the contract's rows and
# those of its expectations, information needs, services and levels, with the names they cite).
CONTRACT_PAGE_QUERIES = 26


@pytest.mark.parametrize(("months", "levels"), [(1, []), (4, ["L1", "L2", "L3"])])
def test_contract_page_queries_do_not_grow_with_reports_and_levels(
    sla, world, client_as, bob_access, months, levels
):
    for n in range(months):
        stored_report(sla, bob_access, rows=GOOD_ROWS, period=add_months(last_month(), -n))
    add_levels(sla.contract, levels)  # after the reports, which would have to report them
    client = client_as(world.alice)
    page = url("contract_detail", pk=sla.contract.pk)
    client.get(page)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    assert response.status_code == 200
    assert len(response.context["timeline"]) == months
    assert response.content.decode().count("<rect") > 0
    assert len(queries) == CONTRACT_PAGE_QUERIES
