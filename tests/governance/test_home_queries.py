"""The organisation home gathers every app's figures in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from contracts.models import Contract

# 21 before the contract rows and the complaints and findings tiles (issue 20): 7 for the rows
# of every contract together, 4 for the organisation-wide figures. 30 since issue 18: the open
# complaints of the rows and the tile from one grouped query.
HOME_QUERIES = 30


@pytest.mark.parametrize("count", [1, 4])
def test_home_queries_do_not_grow_with_contracts(world, client_as, count):
    with scopes_disabled():
        for n in range(count):
            Contract.objects.create(
                organisation=world.alpha,
                supplier=world.alpha_contract.supplier,
                reference=f"H-{n}",
                title=f"Home {n}",
            )
    client = client_as(world.alice)
    url = reverse("organisation_home", kwargs={"org_slug": "alpha"})
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.context["contract_count"] == count + 1
    assert len(queries) == HOME_QUERIES
